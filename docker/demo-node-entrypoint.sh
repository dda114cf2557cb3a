#!/bin/sh
# Loads the demo node's rules, publishes a client key and this host's key for svcpath, runs sshd.
set -eu
dump=$(find /demo -name 'iptables-save*.txt' | head -n 1)
[ -n "$dump" ] && iptables-restore < "$dump"
mkdir -p /root/.ssh /keys
[ -f /keys/id_ed25519 ] || ssh-keygen -q -t ed25519 -N '' -f /keys/id_ed25519
cp /keys/id_ed25519.pub /root/.ssh/authorized_keys
ssh-keygen -A >/dev/null
echo "demo-node $(cat /etc/ssh/ssh_host_ed25519_key.pub | cut -d' ' -f1,2)" > /keys/known_hosts
exec /usr/sbin/sshd -D -e
