import type { ChainKind } from './model';

/**
 * Plain-language explanations of what each kind of chain does, for someone new to kube-proxy's
 * iptables mode. They describe kube-proxy's layout (pkg/proxy/iptables/proxier.go, v1.28+), not
 * the particular rules of a dump: the rules are shown next to them.
 */
const CHAIN_TEXT: Readonly<Record<Exclude<ChainKind, 'builtin'>, string>> = {
  services:
    'KUBE-SERVICES is where kube-proxy looks up Services. In the nat table every new connection is tested against one rule per ClusterIP, external IP and load-balancer IP (destination address, port and protocol); a match jumps to that Service port\'s chain. The last rule sends packets addressed to the node itself on to KUBE-NODEPORTS. In the filter table it holds REJECT rules for Services that have no endpoints, so clients get "connection refused" instead of a timeout.',
  nodeports:
    'KUBE-NODEPORTS matches packets addressed to one of the node\'s own addresses by destination port: each NodePort jumps to its Service\'s KUBE-EXT chain. In the filter table it accepts the health-check node ports of Services with externalTrafficPolicy: Local.',
  'external-services':
    'KUBE-EXTERNAL-SERVICES (filter table) rejects or drops traffic to external IPs, load-balancer IPs and NodePorts of Services that have no endpoints (or no endpoints on this node with externalTrafficPolicy: Local), so the client is told at once.',
  svc:
    'A KUBE-SVC chain load-balances one Service port over all its ready endpoints (the cluster traffic policy). The first rule marks packets for masquerading when they do not come from a Pod. Then a ladder of `-m statistic --mode random --probability p` rules picks an endpoint: with n endpoints the first rule takes 1/n, the next 1/(n-1) of what is left, and the last takes the rest, so each endpoint gets an equal share. With sessionAffinity: ClientIP, `-m recent --rcheck` rules first send a returning client to the endpoint it used before.',
  svl:
    'A KUBE-SVL chain load-balances a Service port over the endpoints on this node only (externalTrafficPolicy or internalTrafficPolicy: Local). It works like KUBE-SVC; if the node has no local endpoints the traffic is dropped instead.',
  ext:
    'A KUBE-EXT chain handles traffic that reached a Service from outside the cluster: a NodePort, an external IP or a load-balancer IP. With externalTrafficPolicy: Cluster it marks the packet for masquerading (so replies come back through this node) and jumps to KUBE-SVC. With Local it keeps the client\'s source address and jumps to KUBE-SVL, while Pod and node traffic still goes to KUBE-SVC.',
  fw:
    'A KUBE-FW chain applies a LoadBalancer Service\'s loadBalancerSourceRanges: sources inside the allowed ranges continue to the KUBE-EXT chain; anything else falls through and is dropped by KUBE-PROXY-FIREWALL in the filter table.',
  xlb:
    'A KUBE-XLB chain is the older (before v1.24) name of the chain for externalTrafficPolicy: Local: it sends external traffic only to endpoints on this node.',
  sep:
    'A KUBE-SEP chain stands for one ServiceEndpoint (a Pod address and port). It marks hairpin traffic — a Pod reaching itself through its own Service — for masquerading, then rewrites the destination with DNAT to the endpoint. With ClientIP affinity it also records the client with `-m recent --set` so later connections return here.',
  'mark-masq':
    'KUBE-MARK-MASQ only sets a bit in the packet mark (0x4000 by default). Nothing changes yet: in POSTROUTING, KUBE-POSTROUTING sees the mark and masquerades (SNATs) the packet to the node\'s address so the reply comes back through this node.',
  postrouting:
    'KUBE-POSTROUTING runs as the packet leaves the node. Packets without kube-proxy\'s masquerade mark return untouched; marked ones have the mark cleared and are MASQUERADEd: their source becomes the address of the interface they leave by.',
  'proxy-firewall':
    'KUBE-PROXY-FIREWALL (filter table) drops new connections to a load-balancer IP whose source is outside the Service\'s loadBalancerSourceRanges — the traffic that the KUBE-FW chain let fall through.',
  firewall:
    'KUBE-FIREWALL drops packets to 127.0.0.0/8 that do not come from loopback (martians kube-proxy\'s localhost NodePorts would otherwise expose).',
  forward:
    'KUBE-FORWARD (filter table) accepts forwarded packets carrying kube-proxy\'s masquerade mark and packets of established connections, so a restrictive FORWARD policy does not break Services. It drops conntrack-INVALID packets first.',
  other: 'A chain kube-proxy does not own. Its rules are shown as written in the dump.',
};

const HOOK_TEXT: Readonly<Record<string, string>> = {
  PREROUTING:
    'PREROUTING is the netfilter hook for every packet arriving on the node (from a Pod\'s veth or from the network), before the routing decision. kube-proxy translates Service addresses here (nat table), so routing already sees the endpoint\'s address.',
  OUTPUT:
    'OUTPUT is the netfilter hook for packets the node itself sends (host-network processes, kubelet probes). kube-proxy jumps to KUBE-SERVICES here too, so the node can reach ClusterIPs.',
  INPUT:
    'INPUT is the netfilter hook for packets delivered to a process on the node, after routing.',
  FORWARD:
    'FORWARD is the netfilter hook for packets routed through the node — from a Pod or the network to an endpoint Pod, after DNAT chose it.',
  POSTROUTING:
    'POSTROUTING is the last netfilter hook before a packet leaves the node; source NAT (masquerading) happens here.',
};

const TABLE_TEXT: Readonly<Record<string, string>> = {
  nat: 'nat-table chains see only the first packet of each connection; conntrack applies their translation to the rest.',
  filter: 'filter-table chains see every packet and accept, reject or drop it.',
  mangle: 'mangle-table chains alter packet marks and headers.',
  raw: 'raw-table chains run before conntrack.',
};

/**
 * kube-proxy's nftables mode (pkg/proxy/nftables/proxier.go) does the same jobs with other names,
 * verdict maps instead of one rule per address, and numgen instead of the statistic ladder.
 */
const NFT_CHAIN_TEXT: Partial<Readonly<Record<ChainKind, string>>> = {
  services:
    'The services chain looks up Services with verdict maps: `ip daddr . meta l4proto . th dport vmap @service-ips` sends a ClusterIP, external IP or load-balancer IP to that Service port\'s service- or external- chain in one lookup, and packets to the node\'s own addresses are looked up by protocol and port in @service-nodeports.',
  svc: 'A service- chain load-balances one Service port over its endpoints. It marks packets for masquerading when they do not come from a Pod, then `numgen random mod n` picks an endpoint: each branch takes its values\' share of n (or, in the one-rule layout, `dnat to numgen random mod n map { … }` DNATs directly). With sessionAffinity: ClientIP, a lookup in the affinity set first sends a returning client to the endpoint it used before.',
  sep: 'An endpoint- chain stands for one ServiceEndpoint (a Pod address and port). It marks hairpin traffic for masquerading, records the client in the affinity set when the Service has ClientIP affinity, then DNATs to the endpoint.',
  ext: 'An external- chain handles traffic that reached a Service from outside the cluster: a NodePort, an external IP or a load-balancer IP. Pod and local traffic short-circuits to the service- chain; the rest is marked for masquerading (externalTrafficPolicy: Cluster) before it goes to the service- chain.',
  fw: 'A firewall- chain applies a LoadBalancer Service\'s loadBalancerSourceRanges: the firewall-check chain looks the destination up in @firewall-ips, and sources outside the allowed ranges are dropped here.',
  'mark-masq':
    'mark-for-masquerade only sets a bit in the packet mark (0x4000). In postrouting, the masquerading chain sees the mark and masquerades the packet to the node\'s address.',
  postrouting:
    'The masquerading chain runs as the packet leaves the node: packets without kube-proxy\'s mark return untouched; marked ones have the mark cleared and are masqueraded.',
  'proxy-firewall':
    'The firewall-check chain looks new connections up in @firewall-ips (destination, protocol, port) and sends those to a load-balancer IP with loadBalancerSourceRanges to the Service\'s firewall- chain.',
};

/** What a chain does, in plain words. */
export function explainChain(kind: ChainKind, name: string, table: string): string {
  if (kind === 'builtin') {
    const hook = HOOK_TEXT[name] ?? `${name} is a base chain called from the ${/(prerouting|input|forward|output|postrouting)/.exec(name)?.[1] ?? 'netfilter'} hook.`;
    return `${hook} This is its ${table} table chain: ${TABLE_TEXT[table] ?? ''}`.trim();
  }
  const nft = /^KUBE-/.test(name) ? undefined : NFT_CHAIN_TEXT[kind];
  return nft ?? CHAIN_TEXT[kind];
}

export const ENDPOINT_TEXT =
  'A ServiceEndpoint: the Pod address and port the DNAT rule rewrites the destination to. From here the packet is routed to the Pod like any other packet.';

export const SERVICE_TEXT =
  'A Service, aggregated: all its ports and all the kube-proxy chains written for it. Open it to see its KUBE-SVC, KUBE-EXT, KUBE-FW and KUBE-SEP chains rule by rule.';

export const NAMESPACE_TEXT =
  'A namespace, aggregated because the node has too many Services to draw one by one. Open it to see its Services.';

const VERDICT_TEXT: Readonly<Record<string, string>> = {
  REJECT:
    'REJECT ends the packet and answers the client (ICMP port unreachable or a TCP reset): the client sees "connection refused" at once. kube-proxy does this for Services with no endpoints.',
  DROP: 'DROP ends the packet silently: the client sees a timeout.',
  ACCEPT: 'ACCEPT ends this chain\'s processing for the packet and lets it continue to the next hook.',
  MASQUERADE:
    'MASQUERADE rewrites the source address to the address of the interface the packet leaves by, so the endpoint replies to this node, which undoes the translation.',
};

export function explainVerdict(verdict: string): string {
  return VERDICT_TEXT[verdict] ?? `${verdict} is a terminal target.`;
}
