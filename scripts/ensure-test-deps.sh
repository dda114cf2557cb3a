#!/usr/bin/env bash
# Installs the Debian packages the test suites drive for real (iptables, nftables, iproute2, conntrack,
# procps for the kernel lab; openssh for the SSH collector; openssl for the API stand-in's
# certificate; chromium for the UI), only when missing.
# Needs root for apt-get; without root it says what is missing and the suites that need it skip.
set -u
want=(iptables:iptables nft:nftables ip:iproute2 conntrack:conntrack sshd:openssh-server ssh:openssh-client chromium:chromium openssl:openssl sysctl:procps ps:procps)
missing=()
for pair in "${want[@]}"; do
  bin=${pair%%:*}; pkg=${pair#*:}
  if ! command -v "$bin" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$bin" ]; then
    case " ${missing[*]} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "ensure-test-deps: not root; missing Debian packages: ${missing[*]}" >&2
  exit 0
fi
echo "ensure-test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || apt-get update
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
  apt-get install -y --no-install-recommends "${missing[@]}"
