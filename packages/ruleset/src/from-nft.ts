import { lazyChainSets, lazyChainSource, type Expr, type NftRule, type NftRuleset, type NftSet, type SetElement as NftElement, type Stmt } from '@svcpath/parse-nft';
import { cidrOf, type IP } from '@svcpath/netaddr';
import type { Match, NatRange, Target } from '@svcpath/parse-iptables';
import type { Action, BaseChain, Cond, Field, Hook, KeyPart, MapVerdict, NamedSet, RsRule, Ruleset, SetElement } from './model';
import { HOOKS } from './model';
import { type LoweredTable, NftChainMap } from './nft-chain-map';
import { nftJumpGraph } from './nft-chains';
import { nftMissing } from './nft-missing';

/**
 * Lowers an nftables ruleset into the neutral model: every base chain registered at its hook and
 * priority (so kube-proxy's table, CNI tables and iptables-nft tables run together in the kernel's
 * order), matches to conditions, vmaps and numgen maps to actions. kube-proxy's affinity sets
 * (`update @affinity-… { ip saddr }`, `ip saddr @affinity-…`) become recent-list conditions, so
 * returning clients are traced like iptables mode's.
 */
export function fromNft(nft: NftRuleset, file: string): Ruleset {
  const hooks: Record<Hook, BaseChain[]> = { prerouting: [], input: [], forward: [], output: [], postrouting: [] };
  const sets = new Map<string, NamedSet>();
  const assumptions: string[] = [];
  let family: 4 | 6 = 4;
  const lowered: LoweredTable[] = [];
  let number = 0;
  let someLazy = false;
  for (const t of nft.tables) {
    if (t.family !== 'ip' && t.family !== 'ip6' && t.family !== 'inet') {
      if (t.chains.some((c) => c.base)) assumptions.push(`table ${t.family} ${t.name} is not on the IP hooks; not traced`);
      continue;
    }
    if (t.family === 'ip6') family = 6;
    const table = `${t.family} ${t.name}`;
    const dynamic = new Map<string, number | null>();
    for (const s of t.sets) {
      if (s.flags.includes('dynamic') || (s.timeout !== undefined && s.elements.length === 0)) dynamic.set(s.name, s.timeout ?? null);
      sets.set(`${table}/${s.name}`, lowerSet(s));
    }
    // Chains are numbered in order across the tables (the jump graph's numbers); their ruleset
    // objects are made by NftChainMap, a lazily read chain's when first asked for.
    lowered.push({ table, nft: t, lower: (n) => n.rules.map((r, i) => lowerRule(r, i + 1, table, dynamic)), base: number });
    number += t.chains.length;
    for (const c of t.chains) {
      const b = c.base;
      if (!b) {
        someLazy ||= lazyChainSets(c) !== undefined;
        continue;
      }
      const id = `${table}/${c.name}`;
      const hook = b.hook as Hook;
      if (!HOOKS.includes(hook)) {
        assumptions.push(`base chain ${id} hooks ${b.hook}, which svcpath does not trace`);
        continue;
      }
      hooks[hook].push({
        chainId: id,
        hook,
        priority: b.priority,
        type: b.type === 'nat' ? 'nat' : 'filter',
        policy: b.policy === 'drop' ? 'DROP' : 'ACCEPT',
        ...(t.family === 'inet' ? {} : { families: [t.family === 'ip' ? 4 : 6] as const }),
      });
    }
  }
  const chains = new NftChainMap(lowered);
  // A partial paste: chains it names but does not show, kube-proxy's base chains it cut (nft-missing.ts).
  const missing = nftMissing(chains, sets, new Set(HOOKS.flatMap((h) => hooks[h].map((b) => b.chainId))), file);
  for (const c of missing.chains) chains.add(c);
  for (const b of missing.hooks) hooks[b.hook].push(b);
  assumptions.push(...missing.assumptions);
  for (const h of Object.values(hooks)) h.sort((a, b) => a.priority - b.priority);
  // The jump graph numbers the tables' own chains: a paste's filled-in chains are walked instead.
  const whole = missing.chains.length === 0 && missing.hooks.length === 0 && someLazy;
  const scanned = whole ? { jumpGraph: nftJumpGraph(chains, sets), ...ipsetRules(chains) } : {};
  return { dataplane: 'nftables', family, chains, hooks, sets, assumptions, files: [file], ...scanned };
}

const KUBE_IPSET_RULE = /--match-set KUBE-(CLUSTER-IP|LOOP-BACK|NODE-PORT)/;

/**
 * Whether a rule names kube-proxy's IPVS-mode ipsets (proxy-layout's mode detection asks), found
 * without reading lazily read chains: their rules' text is part of the text they were read from,
 * so when that text never says it, no rule does. Absent when it might.
 */
function ipsetRules(chains: NftChainMap): { kubeIpsetRules?: false } {
  const sources = new Set<string>();
  let last: string | undefined;
  for (const t of chains.tables())
    for (let i = 0; i < t.nft.chains.length; i++) {
      const text = lazyChainSource(t.nft.chains[i]!);
      if (text === undefined) {
        if (chains.chainAt(t, i).rules.some((r) => KUBE_IPSET_RULE.test(r.raw))) return {};
      } else if (text !== last) sources.add((last = text));
    }
  for (const text of sources) if (KUBE_IPSET_RULE.test(text)) return {};
  return { kubeIpsetRules: false };
}

function lowerSet(s: NftSet): NamedSet {
  const fields = (s.typeofKey ? s.typeofKey.map(fieldOf) : s.keyType.map(fieldOfType)).map((f) => f ?? 'daddr');
  return { name: s.name, fields, elements: s.elements.flatMap((e) => lowerElement(e)), span: { file: s.span.file, line: s.span.line } };
}

function lowerElement(e: NftElement): SetElement[] {
  const key = keyParts(e.key);
  if (!key) return [];
  const out: SetElement = { key, span: { file: e.span.file, line: e.span.line }, ...(e.comment ? { comment: e.comment } : {}) };
  if (e.data?.kind === 'verdict') return [{ ...out, verdict: mapVerdict(e.data.verdict.code, e.data.verdict.chain) }];
  if (e.data) {
    const parts = e.data.kind === 'concat' ? e.data.parts : [e.data];
    const addr = parts[0]?.kind === 'ip' ? parts[0].ip : null;
    const port = parts[1]?.kind === 'number' ? parts[1].value : null;
    if (addr) return [{ ...out, value: { addr, port } }];
  }
  return [out];
}

function keyParts(e: Expr): KeyPart[] | null {
  const parts = e.kind === 'concat' ? e.parts : [e];
  const out: KeyPart[] = [];
  for (const p of parts) {
    const k = valuePart(p);
    if (!k) return null;
    out.push(k);
  }
  return out;
}

function valuePart(v: Expr): KeyPart | null {
  switch (v.kind) {
    case 'ip':
      return { kind: 'cidr', cidr: cidrOf(v.ip, v.ip.family === 4 ? 32 : 128) };
    case 'prefix':
      return { kind: 'cidr', cidr: v.cidr };
    case 'range':
      if (v.from.kind === 'ip' && v.to.kind === 'ip') return { kind: 'range', from: v.from.ip, to: v.to.ip };
      if (v.from.kind === 'number' && v.to.kind === 'number') return { kind: 'ports', from: v.from.value, to: v.to.value };
      return null;
    case 'number':
      return { kind: 'ports', from: v.value, to: v.value };
    case 'symbol':
      return /^(tcp|udp|sctp|icmp|udplite)$/.test(v.name) ? { kind: 'proto', proto: v.name } : { kind: 'name', name: v.name.replace(/\*$/, '+') };
    default:
      return null;
  }
}

function fieldOfType(t: string): Field | null {
  if (t === 'ipv4_addr' || t === 'ipv6_addr') return 'daddr';
  if (t === 'inet_proto') return 'l4proto';
  if (t === 'inet_service') return 'dport';
  if (t === 'ifname') return 'iifname';
  if (t === 'mark') return 'mark';
  return null;
}

/** The packet field a selector reads: `ip daddr`, `meta l4proto`, `th dport`, `iifname`. */
function fieldOf(e: Expr): Field | null {
  if (e.kind === 'payload') {
    if (e.field === 'saddr') return 'saddr';
    if (e.field === 'daddr') return 'daddr';
    if (e.field === 'dport') return 'dport';
    if (e.field === 'sport') return 'sport';
    if (e.field === 'protocol' || e.field === 'nexthdr') return 'l4proto';
    return null;
  }
  if (e.kind === 'meta') {
    if (e.key === 'l4proto' || e.key === 'protocol') return 'l4proto';
    if (e.key === 'iifname' || e.key === 'iif') return 'iifname';
    if (e.key === 'oifname' || e.key === 'oif') return 'oifname';
    if (e.key === 'mark') return 'mark';
  }
  return null;
}

function fieldsOf(e: Expr): Field[] | null {
  const parts = e.kind === 'concat' ? e.parts : [e];
  const out: Field[] = [];
  for (const p of parts) {
    const f = fieldOf(p);
    if (!f) return null;
    out.push(f);
  }
  return out;
}

function mapVerdict(code: string, chain?: string): MapVerdict {
  switch (code) {
    case 'accept':
      return { kind: 'ACCEPT' };
    case 'drop':
      return { kind: 'DROP' };
    case 'return':
      return { kind: 'RETURN' };
    case 'jump':
      return { kind: 'jump', chain: chain ?? '' };
    case 'goto':
      return { kind: 'goto', chain: chain ?? '' };
    default:
      return { kind: 'continue' };
  }
}

function lowerRule(r: NftRule, index: number, table: string, dynamic: ReadonlyMap<string, number | null>): RsRule {
  const conds: Cond[] = [];
  const actions: Action[] = [];
  for (const s of r.statements) {
    if (s.kind === 'match') conds.push(lowerMatch(s, table, dynamic));
    else {
      const a = lowerStatement(s, table, dynamic);
      if (a === null) continue;
      if ('cond' in a) conds.push(a.cond);
      else actions.push(a);
    }
  }
  const action = actions.length > 0 ? actions[actions.length - 1]! : null;
  return {
    index,
    span: { file: r.span.file, line: r.span.line },
    raw: r.raw,
    conds,
    action,
    comment: r.comment ?? null,
    ...(actions.length > 1 ? { extra: actions.slice(0, -1) } : {}),
  };
}

const unknown = (raw: string): Match => ({ kind: 'unknown', module: 'nft', text: raw });

function lowerMatch(s: Extract<Stmt, { kind: 'match' }>, table: string, dynamic: ReadonlyMap<string, number | null>): Cond {
  const negate = s.op === '!=';
  const { left, right } = s;
  if (s.op !== '==' && s.op !== '!=' && s.op !== 'in') return unknown(s.raw);
  // Lookups: `ip daddr @set`, `ip daddr . meta l4proto . th dport @set`, `ip saddr { a, b }`.
  if (right.kind === 'setref' || right.kind === 'set') {
    const fields = fieldsOf(left);
    if (!fields) return unknown(s.raw);
    if (right.kind === 'setref' && dynamic.has(right.name) && fields.length === 1 && (fields[0] === 'saddr' || fields[0] === 'daddr'))
      return { kind: 'recent', negate, op: 'rcheck', name: right.name, seconds: dynamic.get(right.name) ?? null, reap: false, hitcount: null, rttl: false, side: fields[0] === 'saddr' ? 'src' : 'dst', mask: null };
    if (right.kind === 'setref') return { kind: 'lookup', negate, fields, set: `${table}/${right.name}` };
    return { kind: 'lookup', negate, fields, set: '', inline: right.elements.flatMap((e) => lowerElement(e)) };
  }
  if (left.kind === 'payload' && (left.field === 'saddr' || left.field === 'daddr') && (left.protocol === 'ip' || left.protocol === 'ip6')) {
    const dir = left.field === 'saddr' ? 'src' : 'dst';
    if (right.kind === 'ip') return { kind: 'addr', dir, negate, cidr: cidrOf(right.ip, right.ip.family === 4 ? 32 : 128) };
    if (right.kind === 'prefix') return { kind: 'addr', dir, negate, cidr: right.cidr };
    if (right.kind === 'range' && right.from.kind === 'ip' && right.to.kind === 'ip') return { kind: 'iprange', dir, negate, from: right.from.ip, to: right.to.ip };
  }
  const field = fieldOf(left);
  if (field === 'l4proto' && right.kind === 'symbol') return { kind: 'proto', negate, proto: right.name };
  if ((field === 'dport' || field === 'sport') && left.kind === 'payload') {
    const ranges = portRanges(right);
    const proto = left.protocol === 'th' ? '' : left.protocol;
    if (ranges) return { kind: 'ports', proto, dir: field === 'dport' ? 'dst' : 'src', negate, ranges };
  }
  if ((field === 'iifname' || field === 'oifname') && right.kind === 'symbol')
    return { kind: 'iface', dir: field === 'iifname' ? 'in' : 'out', negate, name: right.name.replace(/\*$/, '+') };
  if (left.kind === 'ct' && (left.key === 'state' || left.key === 'status')) {
    const names = symbols(right).map((n) => n.toUpperCase());
    return left.key === 'state' ? { kind: 'ctstate', negate, states: names } : { kind: 'ctstatus', negate, statuses: names };
  }
  if (left.kind === 'fib' && left.result === 'type' && right.kind === 'symbol') {
    const dir = left.flags.includes('saddr') ? 'src' : 'dst';
    return { kind: 'addrtype', dir, negate, types: [right.name.toUpperCase()], limitIface: left.flags.includes('iif') ? 'in' : left.flags.includes('oif') ? 'out' : null };
  }
  const mark = markTest(left, right);
  if (mark) return { kind: 'mark', which: mark.which, negate, value: mark.value, mask: mark.mask };
  if (left.kind === 'meta' && left.key === 'nfproto') return { kind: 'always', module: 'nft', text: s.raw };
  return unknown(s.raw);
}

function symbols(v: Expr): string[] {
  if (v.kind === 'symbol') return [v.name];
  if (v.kind === 'list') return v.items.flatMap(symbols);
  return [];
}

function portRanges(v: Expr): { from: number; to: number }[] | null {
  if (v.kind === 'number') return [{ from: v.value, to: v.value }];
  if (v.kind === 'range' && v.from.kind === 'number' && v.to.kind === 'number') return [{ from: v.from.value, to: v.to.value }];
  return null;
}

/** `meta mark & 0x4000 == 0x4000`, `meta mark 0x1`, `ct mark …`. */
function markTest(left: Expr, right: Expr): { which: 'packet' | 'conn'; value: number; mask: number } | null {
  const sel = left.kind === 'binop' && left.op === '&' ? left.left : left;
  const mask = left.kind === 'binop' && left.op === '&' && left.right.kind === 'number' ? left.right.value : 0xffffffff;
  const which = sel.kind === 'meta' && sel.key === 'mark' ? 'packet' : sel.kind === 'ct' && sel.key === 'mark' ? 'conn' : null;
  if (!which || right.kind !== 'number') return null;
  return { which, value: right.value >>> 0, mask: mask >>> 0 };
}

function lowerStatement(s: Stmt, table: string, dynamic: ReadonlyMap<string, number | null>): Action | { cond: Cond } | null {
  switch (s.kind) {
    case 'counter':
      return null;
    case 'verdict': {
      const v = mapVerdict(s.verdict.code, s.verdict.chain);
      return v.kind === 'continue' ? { kind: 'continue' } : v;
    }
    case 'vmap':
      return lowerVmap(s, table);
    case 'reject':
      return { kind: 'REJECT', rejectWith: s.type === 'tcp reset' ? 'tcp-reset' : `icmp-${(s.code ?? 'port-unreachable')}` };
    case 'dnat':
    case 'snat':
      return lowerNat(s);
    case 'masquerade':
      return { kind: 'MASQUERADE', toPorts: null, random: s.flags.includes('random'), randomFully: s.flags.includes('fully-random') };
    case 'redirect':
      return { kind: 'REDIRECT', toPorts: s.port?.kind === 'number' ? { from: s.port.value, to: s.port.value } : null, random: false };
    case 'mangle':
      return lowerMangle(s);
    case 'notrack':
      return { kind: 'NOTRACK' };
    case 'log':
      return { kind: 'nonterminal', name: 'LOG', text: s.raw };
    case 'limit':
      return { cond: { kind: 'opaque', module: 'limit', text: s.raw } };
    case 'setUpdate':
      if (dynamic.has(s.set) && (s.op === 'update' || s.op === 'add')) {
        const f = fieldOf(s.elem);
        return { cond: { kind: 'recent', negate: false, op: 'set', name: s.set, seconds: null, reap: false, hitcount: null, rttl: false, side: f === 'daddr' ? 'dst' : 'src', mask: null } };
      }
      return { kind: 'nonterminal', name: 'set update', text: s.raw };
    case 'xt':
      return s.xtType === 'match' ? { cond: unknown(s.raw) } : { kind: 'unknown', name: `xt ${s.name}`, text: s.raw };
    case 'unparsed':
      return { cond: unknown(s.raw) };
    case 'match':
      return null;
    default: {
      const never: never = s;
      return never;
    }
  }
}

function lowerVmap(s: Extract<Stmt, { kind: 'vmap' }>, table: string): Action | { cond: Cond } {
  if (s.key.kind === 'numgen' && s.data.kind === 'set') {
    const branches = s.data.elements.flatMap((e) => {
      const values = numbersOf(e.key);
      return e.data?.kind === 'verdict' && values ? [{ values, verdict: mapVerdict(e.data.verdict.code, e.data.verdict.chain) }] : [];
    });
    return { kind: 'numgen', mod: s.key.mod, branches };
  }
  const fields = fieldsOf(s.key);
  if (!fields) return { cond: unknown(s.raw) };
  if (s.data.kind === 'setref') return { kind: 'vmap', fields, set: `${table}/${s.data.name}` };
  return { kind: 'vmap', fields, set: '', inline: s.data.elements.flatMap((e) => lowerElement(e)) };
}

function numbersOf(e: Expr): number[] | null {
  if (e.kind === 'number') return [e.value];
  if (e.kind === 'range' && e.from.kind === 'number' && e.to.kind === 'number') {
    const out: number[] = [];
    for (let i = e.from.value; i <= e.to.value; i++) out.push(i);
    return out;
  }
  return null;
}

function lowerNat(s: Extract<Stmt, { kind: 'dnat' | 'snat' }>): Action | { cond: Cond } {
  const addr = s.addr;
  // kube-proxy's newer layout: dnat to numgen random mod N map { 0 : a . p, … }
  if (s.kind === 'dnat' && addr?.kind === 'map' && addr.key.kind === 'numgen' && addr.data.kind === 'set') {
    const branches = addr.data.elements.flatMap((e) => {
      const values = numbersOf(e.key);
      const parts = e.data?.kind === 'concat' ? e.data.parts : e.data ? [e.data] : [];
      const ip = parts[0]?.kind === 'ip' ? parts[0].ip : null;
      const port = parts[1]?.kind === 'number' ? parts[1].value : null;
      return values && ip ? [{ values, addr: ip, port }] : [];
    });
    return { kind: 'dnat-numgen', mod: addr.key.mod, branches };
  }
  const ip = addr?.kind === 'ip' ? addr.ip : null;
  const port = s.port?.kind === 'number' ? s.port.value : null;
  if (!ip && port === null) return { kind: 'unknown', name: s.kind, text: s.raw };
  const to: NatRange = { text: natText(ip, port), from: ip, to: ip, ports: port === null ? null : { from: port, to: port } };
  if (s.kind === 'dnat') return { kind: 'DNAT', to: [to], random: s.flags.includes('random'), persistent: s.flags.includes('persistent') };
  return { kind: 'SNAT', to: [to], random: s.flags.includes('random'), randomFully: s.flags.includes('fully-random'), persistent: s.flags.includes('persistent') };
}

function natText(ip: IP | null, port: number | null): string {
  const a = ip ? (ip.family === 6 ? `[${ip.text}]` : ip.text) : '';
  return port === null ? a : `${a}:${port}`;
}

/** `meta mark set meta mark | 0x4000` and friends, as the kernel's (mark & ~mask) ^ value. */
function lowerMangle(s: Extract<Stmt, { kind: 'mangle' }>): Target | { cond: Cond } {
  const which = s.target.kind === 'meta' && s.target.key === 'mark' ? 'packet' : s.target.kind === 'ct' && s.target.key === 'mark' ? 'conn' : null;
  if (!which) return { kind: 'nonterminal', name: 'mangle', text: s.raw };
  const v = s.value;
  if (v.kind === 'number') return { kind: 'MARK', which, value: v.value >>> 0, mask: 0xffffffff };
  if (v.kind === 'binop' && v.right.kind === 'number') {
    const x = v.right.value >>> 0;
    if (v.op === '|') return { kind: 'MARK', which, value: x, mask: x };
    if (v.op === '^') return { kind: 'MARK', which, value: x, mask: 0 };
    if (v.op === '&') return { kind: 'MARK', which, value: 0, mask: ~x >>> 0 };
  }
  return { kind: 'unknown', name: 'mangle', text: s.raw };
}

