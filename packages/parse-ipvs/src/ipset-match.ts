import { cidrContains, cidrOf, ipEquals, type IP } from '@svcpath/netaddr';
import type { IpSet, IpSetMember, PacketTuple, SetDimension, SetElement, SetMatch } from './ipset-types';

/** Protocols a bitmap:port (no stored protocol) answers for: ip_set_get_ip_port() extracts ports for these. */
const PORTED = new Set(['tcp', 'udp', 'sctp', 'udplite']);

function ipOfDim(t: PacketTuple, nth: number): IP | undefined {
  return nth === 0 ? t.ip : nth === 1 ? t.ip2 : undefined;
}

/** The packet field each dimension needs, or a reason it is missing. */
function missingField(set: IpSet, dims: readonly SetDimension[], t: PacketTuple): string | null {
  let addr = 0;
  for (const d of dims) {
    if (d === 'ip' || d === 'net') {
      if (!ipOfDim(t, addr++)) return `the packet tuple has no address for dimension ${addr} of ${set.type}`;
    } else if (d === 'port' && t.port === undefined) return `the packet tuple has no port for ${set.type}`;
    else if (d === 'port' && t.proto === undefined && set.method !== 'bitmap') return `the packet tuple has no protocol for ${set.type}`;
    else if (d === 'mac' && t.mac === undefined) return 'the packet tuple has no MAC address';
    else if (d === 'iface' && t.iface === undefined) return 'the packet tuple has no interface';
    else if (d === 'mark' && t.mark === undefined) return 'the packet tuple has no mark';
    else if (d === 'set') return 'list:set needs the member sets; not evaluated here';
  }
  return null;
}

function elementMatches(e: SetElement, set: IpSet, t: PacketTuple, ip: IP | undefined): boolean {
  switch (e.kind) {
    case 'ip': {
      if (!ip) return false;
      // hash:ip / bitmap:ip with `netmask N` store network addresses: mask the packet the same way.
      const nm = set.options['netmask'];
      if (typeof nm === 'string' && /^\d+$/.test(nm)) return cidrContains(cidrOf(e.ip, Number(nm)), ip);
      return ipEquals(ip, e.ip);
    }
    case 'ip-range':
      return !!ip && ip.family === e.from.family && ip.value >= e.from.value && ip.value <= e.to.value;
    case 'net':
      return !!ip && cidrContains(e.cidr, ip);
    case 'port': {
      if (t.port === undefined || t.port < e.port || t.port > e.portEnd) return false;
      if (e.proto === null) return t.proto === undefined || PORTED.has(t.proto);
      return t.proto === e.proto;
    }
    case 'mac':
      return t.mac?.toLowerCase() === e.mac;
    case 'iface':
      return t.iface === e.name;
    case 'mark':
      return t.mark === e.mark;
    case 'set':
      return false;
    default: {
      const never: never = e;
      return never;
    }
  }
}

function memberMatches(m: IpSetMember, set: IpSet, t: PacketTuple): boolean {
  let addr = 0;
  return m.elements.every((e) => {
    const isAddr = e.kind === 'ip' || e.kind === 'ip-range' || e.kind === 'net';
    return elementMatches(e, set, t, isAddr ? ipOfDim(t, addr++) : undefined);
  });
}

/** Prefix lengths of a member's net elements, most significant first (for longest-prefix order). */
function prefixes(m: IpSetMember): number[] {
  return m.elements.flatMap((e) => (e.kind === 'net' ? [e.cidr.prefix] : []));
}

function morePrecise(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (b[i] ?? 0) - (a[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Does the packet tuple belong to the set? Mirrors the kernel's set types: exact tuples for
 * hash:ip*, containment for net dimensions, where the most specific matching entry decides and a
 * `nomatch` entry means "not in set" (ip_set_hash_gen.h mtype_test_cidrs walks prefixes longest
 * first; mtype_data_match returns -ENOTEMPTY for nomatch, which ip_set_test turns into 0).
 * "unknown" when the set or tuple cannot be evaluated, or unparsed members might match.
 */
export function ipsetMatch(set: IpSet, t: PacketTuple): SetMatch {
  if (!set.dimensions || set.method === null) return { kind: 'unknown', reason: `set type "${set.type}" not understood` };
  const missing = missingField(set, set.dimensions, t);
  if (missing) return { kind: 'unknown', reason: missing };
  const hits = set.members.filter((m) => memberMatches(m, set, t));
  const hasNets = hits.some((m) => prefixes(m).length > 0);
  if (hits.length > 0) {
    const best = hasNets ? [...hits].sort((a, b) => morePrecise(prefixes(a), prefixes(b)))[0]! : (hits.find((m) => !m.nomatch) ?? hits[0]!);
    if (best.nomatch && hasNets) return { kind: 'no-match', member: best, reason: `most specific entry "${best.raw.trim()}" is nomatch` };
    return { kind: 'match', member: best, reason: `entry "${best.raw.trim()}"` };
  }
  if (set.unparsedMembers.length > 0) {
    return { kind: 'unknown', reason: `no parsed entry matches, but ${set.unparsedMembers.length} member line(s) could not be read` };
  }
  return { kind: 'no-match', reason: `no entry of ${set.name} matches` };
}

/** {@link ipsetMatch} as a boolean; "unknown" counts as false — use ipsetMatch to see it. */
export function ipsetTest(set: IpSet, t: PacketTuple): boolean {
  return ipsetMatch(set, t).kind === 'match';
}
