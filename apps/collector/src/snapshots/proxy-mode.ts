/**
 * Which kube-proxy dataplane programmed a node. The dumps decide (they show what is running); the
 * kube-proxy ConfigMap's `mode` is only a fallback, since a changed ConfigMap takes effect only
 * when kube-proxy restarts.
 */
import type { DumpKind, ProxyMode } from '@svcpath/api-contract';

export interface ModeEvidence {
  readonly kind: DumpKind;
  readonly text: string;
}

/** kube-proxy's nftables mode keeps everything in its own tables, `ip kube-proxy` / `ip6 kube-proxy`. */
const NFT_KUBE_PROXY = /^\s*table (ip|ip6|inet) kube-proxy \{/m;
const NFT_JSON_KUBE_PROXY = /"table"\s*:\s*\{[^}]*"name"\s*:\s*"kube-proxy"/;
/** `ipvsadm -Sn` lines, or `ipvsadm -Ln` virtual services. */
const IPVS_SERVICES = /^(-A -[tuf] \S+|(TCP|UDP|SCTP)\s+\S+:\d+)/m;
/** What the IPVS proxier writes into iptables / ipset beside its virtual servers. */
const IPVS_HELPERS = /KUBE-LOAD-BALANCER|KUBE-CLUSTER-IP/;
const IPTABLES_PROXY = /KUBE-SVC-|KUBE-SERVICES/;

/** 'iptables' | 'nftables' | 'ipvs' from the dumps, else from kube-proxy's configured mode. */
export function detectProxyMode(files: readonly ModeEvidence[], configuredMode?: string | null): ProxyMode {
  const has = (kinds: readonly DumpKind[], pattern: RegExp) =>
    files.some((f) => kinds.includes(f.kind) && pattern.test(f.text));
  if (has(['nft-text'], NFT_KUBE_PROXY) || has(['nft-json'], NFT_JSON_KUBE_PROXY)) return 'nftables';
  if (has(['ipvsadm'], IPVS_SERVICES) || has(['iptables', 'ipset'], IPVS_HELPERS)) return 'ipvs';
  if (has(['iptables', 'nft-text', 'nft-json'], IPTABLES_PROXY)) return 'iptables';
  switch (configuredMode) {
    case '':
      return 'iptables'; // kube-proxy's default on Linux
    case 'iptables':
    case 'nftables':
    case 'ipvs':
      return configuredMode;
    default:
      return 'unknown';
  }
}
