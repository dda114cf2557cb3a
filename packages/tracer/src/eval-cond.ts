import { cidrContains, type IP } from '@svcpath/netaddr';
import type { PortRange } from '@svcpath/parse-iptables';
import type { Cond, Field, KeyPart, RsRule, SetElement } from '@svcpath/ruleset';
import { assume, type FlowState } from './state';
import type { TraceCtx } from './context';

/**
 * The probability that a rule's matches all hold for the packet in `s`: 1 or 0 for deterministic
 * matches, p for `statistic`. Mirrors each kernel match module; where the answer depends on state no
 * dump shows, the match is taken as true and the assumption is recorded on the branch.
 */
export function matchProbability(ctx: TraceCtx, rule: RsRule, s: FlowState): number {
  let p = 1;
  for (const c of rule.conds) {
    const r = evalCond(ctx, c, s, rule);
    if (r === 0) return 0;
    p *= r;
  }
  return p;
}

function yes(negate: boolean, v: boolean): number {
  return v !== negate ? 1 : 0;
}

const TCP_FLAGS = ['SYN', 'ACK', 'FIN', 'RST', 'URG', 'PSH'];

function evalCond(ctx: TraceCtx, c: Cond, s: FlowState, rule: RsRule): number {
  switch (c.kind) {
    case 'addr':
      return yes(c.negate, cidrContains(c.cidr, c.dir === 'src' ? s.src : s.dst));
    case 'proto':
      return yes(c.negate, c.proto === 'all' || c.proto === s.proto);
    case 'ports': {
      if (c.proto !== '' && c.proto !== s.proto) return 0;
      if (c.proto === '' && s.proto !== 'tcp' && s.proto !== 'udp' && s.proto !== 'sctp') return 0;
      const v = c.dir === 'src' ? inRanges(c.ranges, s.sport) : c.dir === 'dst' ? inRanges(c.ranges, s.dport) : inRanges(c.ranges, s.sport) || inRanges(c.ranges, s.dport);
      return yes(c.negate, v);
    }
    case 'iface':
      return evalIface(c.dir, c.name, c.negate, s, rule);
    case 'fragment':
      return yes(c.negate, false); // the first packet of a connection is not a non-first fragment
    case 'tcp-flags': {
      if (s.proto !== 'tcp') return 0;
      // A new connection's first packet carries SYN alone.
      const all = c.mask.includes('ALL');
      const v = TCP_FLAGS.every((f) => !(all || c.mask.includes(f)) || (f === 'SYN') === (c.set.includes(f) || c.set.includes('ALL')));
      return yes(c.negate, v);
    }
    case 'comment':
    case 'always':
    case 'ctdir':
      return c.kind === 'ctdir' ? (c.dir === 'ORIGINAL' ? 1 : 0) : 1;
    case 'statistic-random':
      return c.negate ? 1 - c.probability : c.probability;
    case 'statistic-nth':
      assume(s, `statistic nth (line ${rule.span.line}): the kernel takes every ${c.every}th packet in turn; shown as a ${c.every === 1 ? 'full' : `1/${c.every}`} share`);
      return c.negate ? 1 - 1 / c.every : 1 / c.every;
    case 'recent':
      return evalRecent(ctx, c, s);
    case 'mark':
      return yes(c.negate, ((c.which === 'packet' ? s.mark : s.ctmark) & c.mask) >>> 0 === c.value);
    case 'addrtype': {
      if (c.limitIface) assume(s, `addrtype --limit-iface-${c.limitIface} (line ${rule.span.line}) evaluated as if not limited to one interface`);
      const type = ctx.addrType(c.dir === 'src' ? s.src : s.dst);
      return yes(c.negate, c.types.includes(type));
    }
    case 'ctstate':
      return yes(c.negate, c.states.some((st) => ctStates(s).includes(st)));
    case 'ctstatus': {
      const now = [s.dnat ? 'DNAT' : '', s.snat ? 'SNAT' : ''].filter(Boolean);
      return yes(c.negate, c.statuses.some((st) => (st === 'NONE' ? now.length === 0 : now.includes(st))));
    }
    case 'ctaddr':
      return yes(c.negate, cidrContains(c.cidr, ctAddr(c.which, s)));
    case 'ctport':
      return yes(c.negate, c.ranges.some((r) => inRange(r, ctPort(c.which, s))));
    case 'ctproto':
      return yes(c.negate, c.proto === s.proto);
    case 'set':
      return evalIpset(ctx, c.name, c.flags, c.negate, s, rule);
    case 'iprange': {
      const a = c.dir === 'src' ? s.src : s.dst;
      const v = a.family === c.from.family && a.value >= c.from.value && a.value <= c.to.value;
      return yes(c.negate, v);
    }
    case 'physdev':
      assume(s, `physdev match (line ${rule.span.line}): the packet is taken as routed, not bridged`);
      return yes(c.negate, false);
    case 'pkttype':
      return yes(c.negate, c.type === ctx.pktType(s.dst));
    case 'icmp-type':
      return 0; // svcpath traces tcp, udp and sctp
    case 'opaque':
      assume(s, `-m ${c.module} (line ${rule.span.line}) depends on state a dump does not show; assumed to match`);
      return 1;
    case 'unknown':
      assume(s, `unknown match "${c.text}" (line ${rule.span.line}) kept verbatim; assumed to match`);
      return 1;
    case 'lookup':
      return yes(c.negate, lookup(ctx, c.fields, c.set, c.inline, s) !== null);
    default: {
      const never: never = c;
      return never;
    }
  }
}

function inRange(r: PortRange, port: number): boolean {
  return port >= r.from && port <= r.to;
}

function inRanges(ranges: readonly PortRange[], port: number): boolean {
  for (const r of ranges) if (port >= r.from && port <= r.to) return true;
  return false;
}

function evalIface(dir: 'in' | 'out', pattern: string, negate: boolean, s: FlowState, rule: RsRule): number {
  const name = dir === 'in' ? s.inIface : s.outIface;
  if (name === null) {
    assume(s, `${dir === 'in' ? 'incoming' : 'outgoing'} interface unknown: taken not to be "${pattern}" (line ${rule.span.line})`);
    return yes(negate, false);
  }
  return yes(negate, ifaceMatches(pattern, name));
}

/** iptables interface names: a trailing `+` matches any name with that prefix. */
export function ifaceMatches(pattern: string, name: string): boolean {
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

/** Conntrack states of a new connection's first packet, including the virtual DNAT/SNAT states. */
function ctStates(s: FlowState): string[] {
  if (s.notrack) return ['UNTRACKED'];
  const out = ['NEW'];
  if (s.dnat) out.push('DNAT');
  if (s.snat) out.push('SNAT');
  return out;
}

function ctAddr(which: 'origsrc' | 'origdst' | 'replsrc' | 'repldst', s: FlowState): IP {
  switch (which) {
    case 'origsrc':
      return s.origSrc;
    case 'origdst':
      return s.origDst;
    case 'replsrc':
      return s.dst; // replies come from the DNAT target
    case 'repldst':
      return s.src;
  }
}

function ctPort(which: 'origsrc' | 'origdst' | 'replsrc' | 'repldst', s: FlowState): number {
  return which === 'origdst' ? s.origDport : which === 'replsrc' ? s.dport : s.sport;
}

/** xt_recent (net/netfilter/xt_recent.c recent_mt), for a caller-supplied list state. */
function evalRecent(ctx: TraceCtx, c: Extract<Cond, { kind: 'recent' }>, s: FlowState): number {
  const addr = c.side === 'src' ? s.src : s.dst;
  const key = ctx.maskedKey(addr, c.mask);
  const list = s.recent.get(c.name) ?? [];
  const entry = list.find((e) => ctx.maskedKey(e.addr, c.mask) === key);
  let hit: boolean;
  switch (c.op) {
    case 'set':
      hit = true;
      s.recent.set(c.name, [...list.filter((e) => e !== entry), { addr, ageSeconds: 0, hits: (entry?.hits ?? 0) + 1 }]);
      s.recentSet = c.name;
      break;
    case 'remove':
      hit = entry !== undefined;
      if (entry) s.recent.set(c.name, list.filter((e) => e !== entry));
      break;
    case 'rcheck':
    case 'update': {
      const fresh = entry !== undefined && (c.seconds === null || entry.ageSeconds < c.seconds);
      hit = fresh && (c.hitcount === null || (entry.hits ?? 1) >= c.hitcount);
      if (c.seconds === null && c.hitcount === null) hit = entry !== undefined;
      break;
    }
  }
  return yes(c.negate, hit);
}

function evalIpset(ctx: TraceCtx, name: string, flags: readonly ('src' | 'dst')[], negate: boolean, s: FlowState, rule: RsRule): number {
  const known = ctx.env.ipsetTest?.(name, flags, s) ?? null;
  if (known === null) {
    assume(s, `ipset ${name} (line ${rule.span.line}) not in the snapshot; assumed to match`);
    return 1;
  }
  return yes(negate, known);
}

/** A set or map lookup keyed on packet fields (nft `ip daddr . th dport @set`). */
export function lookup(
  ctx: TraceCtx,
  fields: readonly Field[],
  setName: string,
  inline: readonly SetElement[] | undefined,
  s: FlowState,
): SetElement | null {
  const elements = inline ?? ctx.rs.sets.get(setName)?.elements ?? [];
  if (!inline && elements.length > 16) {
    const idx = exactIndex(elements);
    if (idx) {
      const k = packetKey(fields, s);
      return k === null ? null : (idx.get(k) ?? null);
    }
  }
  for (const el of elements) if (fields.every((f, i) => partMatches(el.key[i], f, s))) return el;
  return null;
}

const exactCache = new WeakMap<readonly SetElement[], Map<string, SetElement> | null>();

/**
 * A hash of a set whose elements are all single values (addresses, protocols, ports), as nft's own
 * hash sets are: kube-proxy's service-ips map holds one element per Service port. Sets with
 * intervals or prefixes are searched in order instead.
 */
function exactIndex(elements: readonly SetElement[]): Map<string, SetElement> | null {
  if (exactCache.has(elements)) return exactCache.get(elements)!;
  const m = new Map<string, SetElement>();
  for (const el of elements) {
    const parts: string[] = [];
    for (const p of el.key) {
      const k = exactPart(p);
      if (k === null) {
        exactCache.set(elements, null);
        return null;
      }
      parts.push(k);
    }
    const key = parts.join(' . ');
    if (!m.has(key)) m.set(key, el);
  }
  exactCache.set(elements, m);
  return m;
}

function exactPart(p: KeyPart): string | null {
  switch (p.kind) {
    case 'cidr':
      return p.cidr.prefix === (p.cidr.family === 4 ? 32 : 128) ? `a${String(p.cidr.addr)}` : null;
    case 'proto':
      return `p${p.proto}`;
    case 'ports':
    case 'number':
      return p.from === p.to ? `n${p.from}` : null;
    case 'name':
      return p.name.endsWith('+') ? null : `i${p.name}`;
    case 'range':
      return null;
  }
}

function packetKey(fields: readonly Field[], s: FlowState): string | null {
  const parts: string[] = [];
  for (const f of fields) {
    switch (f) {
      case 'saddr':
      case 'daddr':
        parts.push(`a${String((f === 'saddr' ? s.src : s.dst).value)}`);
        break;
      case 'l4proto':
        parts.push(`p${s.proto}`);
        break;
      case 'sport':
      case 'dport':
        parts.push(`n${f === 'sport' ? s.sport : s.dport}`);
        break;
      case 'mark':
        parts.push(`n${s.mark}`);
        break;
      case 'iifname':
      case 'oifname': {
        const n = f === 'iifname' ? s.inIface : s.outIface;
        if (n === null) return null;
        parts.push(`i${n}`);
        break;
      }
    }
  }
  return parts.join(' . ');
}

function partMatches(part: KeyPart | undefined, field: Field, s: FlowState): boolean {
  if (!part) return false;
  switch (field) {
    case 'saddr':
    case 'daddr': {
      const a = field === 'saddr' ? s.src : s.dst;
      if (part.kind === 'cidr') return cidrContains(part.cidr, a);
      if (part.kind === 'range') return a.family === part.from.family && a.value >= part.from.value && a.value <= part.to.value;
      return false;
    }
    case 'l4proto':
      return part.kind === 'proto' && part.proto === s.proto;
    case 'sport':
    case 'dport': {
      const p = field === 'sport' ? s.sport : s.dport;
      return (part.kind === 'ports' || part.kind === 'number') && p >= part.from && p <= part.to;
    }
    case 'iifname':
    case 'oifname': {
      const n = field === 'iifname' ? s.inIface : s.outIface;
      return part.kind === 'name' && n !== null && ifaceMatches(part.name.replace(/\*$/, '+'), n);
    }
    case 'mark':
      return part.kind === 'number' && s.mark >= part.from && s.mark <= part.to;
  }
}
