import type { Expr } from './ast';

/** Header fields nft knows per protocol (nft(8) "PAYLOAD EXPRESSION"); the ones rules use. */
export const PAYLOAD_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  ip: new Set(['saddr', 'daddr', 'protocol', 'version', 'hdrlength', 'dscp', 'ecn', 'length', 'id', 'frag-off', 'ttl', 'checksum']),
  ip6: new Set(['saddr', 'daddr', 'nexthdr', 'version', 'dscp', 'ecn', 'flowlabel', 'length', 'hoplimit']),
  th: new Set(['sport', 'dport']),
  tcp: new Set(['sport', 'dport', 'flags', 'sequence', 'ackseq', 'doff', 'window', 'checksum', 'urgptr']),
  udp: new Set(['sport', 'dport', 'length', 'checksum']),
  udplite: new Set(['sport', 'dport', 'checksum']),
  sctp: new Set(['sport', 'dport', 'vtag', 'checksum']),
  dccp: new Set(['sport', 'dport', 'type']),
  icmp: new Set(['type', 'code', 'id', 'sequence', 'mtu', 'gateway', 'checksum']),
  icmpv6: new Set(['type', 'code', 'id', 'sequence', 'mtu', 'max-delay', 'checksum']),
  ether: new Set(['saddr', 'daddr', 'type']),
  vlan: new Set(['id', 'pcp', 'cfi', 'dei', 'type']),
  arp: new Set(['htype', 'ptype', 'hlen', 'plen', 'operation']),
  esp: new Set(['spi', 'sequence']),
  ah: new Set(['nexthdr', 'hdrlength', 'reserved', 'spi', 'sequence']),
};

export const META_KEYS: ReadonlySet<string> = new Set([
  'length', 'protocol', 'priority', 'mark', 'iif', 'iifname', 'iiftype', 'oif', 'oifname', 'oiftype', 'skuid', 'skgid',
  'nftrace', 'rtclassid', 'ibriport', 'obriport', 'ibrname', 'obrname', 'pkttype', 'cpu', 'iifgroup', 'oifgroup',
  'cgroup', 'random', 'secpath', 'nfproto', 'l4proto', 'secmark', 'sdif', 'sdifname', 'time', 'day', 'hour',
  'ibrvproto', 'ibrpvid', 'iifkind', 'oifkind',
]);

/** Meta keys nft prints without the `meta` prefix (nft(8): "unqualified meta expressions"). */
export const BARE_META_KEYS: ReadonlySet<string> = new Set([
  'mark', 'iif', 'iifname', 'iiftype', 'oif', 'oifname', 'oiftype', 'skuid', 'skgid', 'nftrace', 'rtclassid',
  'ibriport', 'obriport', 'ibrname', 'obrname', 'pkttype', 'cpu', 'iifgroup', 'oifgroup', 'cgroup',
]);

export const CT_KEYS: ReadonlySet<string> = new Set([
  'state', 'direction', 'status', 'mark', 'expiration', 'helper', 'label', 'l3proto', 'protocol', 'bytes', 'packets',
  'avgpkt', 'zone', 'event', 'saddr', 'daddr', 'proto-src', 'proto-dst', 'count', 'id', 'ip', 'ip6',
]);

export const FIB_FLAGS: ReadonlySet<string> = new Set(['saddr', 'daddr', 'mark', 'iif', 'oif']);
export const FIB_RESULTS: ReadonlySet<string> = new Set(['type', 'oif', 'oifname']);

/** True for keys holding bit sets, where nft reads `key value` as "any of these bits" (`in`). */
export function isBitmaskExpr(e: Expr): boolean {
  if (e.kind === 'ct') return e.key === 'state' || e.key === 'status' || e.key === 'event';
  if (e.kind === 'payload') return e.protocol === 'tcp' && e.field === 'flags';
  return false;
}

/** The data type nft gives a `typeof` expression, for the common keys (nft's datatype names). */
export function datatypeOf(e: Expr): string | undefined {
  switch (e.kind) {
    case 'payload':
      if (e.field === 'saddr' || e.field === 'daddr') {
        if (e.protocol === 'ip') return 'ipv4_addr';
        if (e.protocol === 'ip6') return 'ipv6_addr';
        if (e.protocol === 'ether') return 'ether_addr';
      }
      if (e.field === 'sport' || e.field === 'dport') return 'inet_service';
      if (e.field === 'protocol' || e.field === 'nexthdr') return 'inet_proto';
      return undefined;
    case 'meta':
      if (e.key === 'l4proto') return 'inet_proto';
      if (e.key === 'mark') return 'mark';
      if (e.key === 'iifname' || e.key === 'oifname') return 'ifname';
      if (e.key === 'iif' || e.key === 'oif') return 'iface_index';
      if (e.key === 'nfproto') return 'nf_proto';
      return undefined;
    case 'ct':
      if (e.key === 'mark') return 'mark';
      if (e.key === 'state') return 'ct_state';
      return undefined;
    default:
      return undefined;
  }
}
