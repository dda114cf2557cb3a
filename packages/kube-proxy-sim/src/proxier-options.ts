import { cidrContains, parseCidr, parseIP, type Cidr, type IP } from '@svcpath/netaddr';
import type { IPFamily } from '@svcpath/k8s-model';

/**
 * How kube-proxy tells pod traffic from other traffic (its LocalTrafficDetector): by source CIDR
 * (detect-local-mode ClusterCIDR / NodeCIDR), by input interface (BridgeInterface /
 * InterfaceNamePrefix, give the iptables name, e.g. "veth+" or "cbr0"), or not at all.
 */
export type LocalDetector =
  | { readonly kind: 'cidr'; readonly cidr: string }
  | { readonly kind: 'interface'; readonly name: string }
  | { readonly kind: 'none' };

export interface IptablesProxierOptions {
  /** kube-proxy's node name (hostname override); endpoints on this node are local. */
  readonly nodeName: string;
  /** The node's addresses, primary first. Default: the Node object's InternalIPs, if given. */
  readonly nodeIPs?: readonly string[];
  /** This node's topology zone. Default: the Node object's topology.kubernetes.io/zone label. */
  readonly zone?: string;
  readonly ipFamily?: IPFamily;
  /** Shorthand for `localDetector: { kind: 'cidr', cidr }` (--cluster-cidr). */
  readonly clusterCIDR?: string;
  readonly localDetector?: LocalDetector;
  /** --masquerade-all: masquerade all traffic to cluster IPs. Default false. */
  readonly masqueradeAll?: boolean;
  /** --iptables-masquerade-bit, 0–31. Default 14 (mark 0x4000). */
  readonly masqueradeBit?: number;
  /** --iptables-localhost-nodeports. Default true. */
  readonly localhostNodePorts?: boolean;
  /** --nodeport-addresses CIDRs (or "primary"). Default: all local addresses. */
  readonly nodePortAddresses?: readonly string[];
  /** iptables supports MASQUERADE --random-fully. Default true. */
  readonly randomFully?: boolean;
  /**
   * kube-proxy found its nfacct counters, so it writes the rules that exist only then (the
   * localhost NodePort rule). The `-m nfacct` matches themselves are never written: they need
   * kernel accounting objects to load. Default true.
   */
  readonly nfacct?: boolean;
  /** net.netfilter.nf_conntrack_tcp_be_liberal is set, so no INVALID-drop rule. Default false. */
  readonly conntrackTCPLiberal?: boolean;
  /** Above this many endpoints kube-proxy drops per-endpoint comments. Default 1000. */
  readonly largeClusterEndpointsThreshold?: number;
  /** Endpoint node hints (PreferSameTrafficDistribution feature gate). Default true. */
  readonly nodeHints?: boolean;
}

/** Options resolved to the values kube-proxy would compute at start-up. */
export interface ProxierConfig {
  readonly nodeName: string;
  readonly family: IPFamily;
  readonly isIPv6: boolean;
  readonly nodeIPs: readonly IP[];
  readonly zone: string | null;
  readonly localDetector: LocalDetector;
  readonly masqueradeAll: boolean;
  readonly masqueradeMark: string;
  readonly localhostNodePorts: boolean;
  /** null = all local addresses (NodePortAddresses.MatchAll). */
  readonly nodePortCidrs: readonly Cidr[] | null;
  readonly randomFully: boolean;
  readonly nfacct: boolean;
  readonly conntrackTCPLiberal: boolean;
  readonly largeClusterEndpointsThreshold: number;
  readonly nodeHints: boolean;
}

const LOOPBACK_V4 = parseIP('127.0.0.1')!;

/** Resolves options; `nodeDefaults` come from the Node object when the snapshot has one. */
export function resolveProxierConfig(
  o: IptablesProxierOptions,
  nodeDefaults: { readonly ips: readonly IP[]; readonly zone: string | null } = { ips: [], zone: null },
): ProxierConfig {
  const family = o.ipFamily ?? 'IPv4';
  const isIPv6 = family === 'IPv6';
  const ofFamily = (ip: IP | null): ip is IP => ip !== null && (ip.family === 6) === isIPv6;
  const nodeIPs = o.nodeIPs
    ? o.nodeIPs.map((t) => parseIP(t)).filter(ofFamily)
    : nodeDefaults.ips.filter(ofFamily);
  const nodePortCidrs = resolveNodePortCidrs(o.nodePortAddresses ?? [], nodeIPs, isIPv6);
  const containsLoopback = nodePortCidrs === null || nodePortCidrs.some((c) => cidrContains(c, LOOPBACK_V4));
  const bit = o.masqueradeBit ?? 14;
  return {
    nodeName: o.nodeName,
    family,
    isIPv6,
    nodeIPs,
    zone: o.zone ?? nodeDefaults.zone,
    localDetector:
      o.localDetector ?? (o.clusterCIDR ? { kind: 'cidr', cidr: o.clusterCIDR } : { kind: 'none' }),
    masqueradeAll: o.masqueradeAll ?? false,
    masqueradeMark: `0x${(2 ** bit).toString(16)}`,
    // kube-proxy turns localhost NodePorts off when --nodeport-addresses excludes 127.0.0.1, and
    // never has them for IPv6.
    localhostNodePorts: (o.localhostNodePorts ?? true) && containsLoopback && !isIPv6,
    nodePortCidrs,
    randomFully: o.randomFully ?? true,
    nfacct: o.nfacct ?? true,
    conntrackTCPLiberal: o.conntrackTCPLiberal ?? false,
    largeClusterEndpointsThreshold: o.largeClusterEndpointsThreshold ?? 1000,
    nodeHints: o.nodeHints ?? true,
  };
}

/** kube-proxy's NodePortAddresses: this family's CIDRs ("primary" = node IPs); none or a zero CIDR = all. */
function resolveNodePortCidrs(
  texts: readonly string[],
  nodeIPs: readonly IP[],
  isIPv6: boolean,
): Cidr[] | null {
  const cidrs: Cidr[] = [];
  for (const t of texts) {
    if (t === 'primary') {
      for (const ip of nodeIPs.slice(0, 1)) cidrs.push(parseCidr(ip.text)!);
      continue;
    }
    const c = parseCidr(t);
    if (!c || (c.family === 6) !== isIPv6) continue;
    if (c.prefix === 0) return null;
    cidrs.push(c);
  }
  return cidrs.length === 0 ? null : cidrs;
}

/** The detector's "traffic is from a local pod" arguments (kube-proxy's IfLocal). */
export function ifLocal(d: LocalDetector): readonly string[] {
  switch (d.kind) {
    case 'cidr':
      return ['-s', d.cidr];
    case 'interface':
      return ['-i', d.name];
    case 'none':
      return [];
    default: {
      const never: never = d;
      return never;
    }
  }
}

/** The detector's "traffic is not from a local pod" arguments (kube-proxy's IfNotLocal). */
export function ifNotLocal(d: LocalDetector): readonly string[] {
  const args = ifLocal(d);
  return args.length === 0 ? args : ['!', ...args];
}
