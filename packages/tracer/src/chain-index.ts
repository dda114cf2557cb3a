import type { RuleKeys } from '@svcpath/parse-iptables';
import type { RsChain, RsRule } from '@svcpath/ruleset';

const READ_RULE = -2;

/**
 * A skip index over a long chain. The kernel evaluates every rule of KUBE-SERVICES in turn; the
 * tracer gets the same answer, and the same count of evaluated rules, by jumping straight to the
 * next rule that could match: one whose positive single-host destination (`-d 10.96.0.1/32`) or,
 * failing that, positive single destination port (`--dport 80`) equals the packet's. Every rule it
 * skips is one whose matches provably fail.
 */
export interface ChainIndex {
  /** Rules keyed by their destination address text. */
  readonly byDst: ReadonlyMap<string, readonly number[]>;
  /** Rules with no destination key but a destination port. */
  readonly byDport: ReadonlyMap<number, readonly number[]>;
  /** Rules with neither: always candidates. */
  readonly always: readonly number[];
}

const MIN_RULES = 32;
const cache = new WeakMap<RsChain, ChainIndex | null>();

export function chainIndex(chain: RsChain): ChainIndex | null {
  let idx = cache.get(chain);
  if (idx !== undefined) return idx;
  idx = chain.rules.length < MIN_RULES ? null : build(chain.rules, chain.ruleKeys?.());
  cache.set(chain, idx);
  return idx;
}

function build(rules: readonly RsRule[], keys: RuleKeys | undefined): ChainIndex {
  const byDst = new Map<string, number[]>();
  const byDport = new Map<number, number[]>();
  const always: number[] = [];
  rules.forEach((r, i) => {
    let dst: string | null = null;
    let dport: number | null = null;
    // Keys the chain knows without reading the rule (a scanned dump's: see parse-iptables' RuleKeys).
    const known = keys !== undefined && keys.dst[i] !== READ_RULE && keys.dport[i] !== READ_RULE;
    if (known) {
      if (keys.dst[i]! >= 0) dst = hostKey(4, keys.dst[i]!);
      if (keys.dport[i]! >= 0) dport = keys.dport[i]!;
    }
    // A rule that tells its addresses and ports without reading its body (a lazily read kube-proxy
    // rule: see RsRule.addresses) is indexed from those (each kind in its conditions' order).
    const keyed = known ? [] : r.addresses && r.ports ? [...r.addresses(), ...r.ports()] : r.conds;
    for (const c of keyed) {
      if (c.kind === 'addr' && c.dir === 'dst' && !c.negate && c.cidr.prefix === (c.cidr.family === 4 ? 32 : 128)) dst = hostKey(c.cidr.family, c.cidr.addr);
      else if (c.kind === 'ports' && c.dir === 'dst' && !c.negate && c.ranges.length === 1 && c.ranges[0]!.from === c.ranges[0]!.to) dport = c.ranges[0]!.from;
    }
    if (dst !== null) push(byDst, dst, i);
    else if (dport !== null) push(byDport, dport, i);
    else always.push(i);
  });
  return { byDst, byDport, always };
}

function push<K>(m: Map<K, number[]>, k: K, i: number) {
  const list = m.get(k);
  if (list) list.push(i);
  else m.set(k, [i]);
}

export function hostKey(family: 4 | 6, value: number | bigint): string {
  return `${family}:${value}`;
}

/** The first position ≥ from in a sorted list, or Infinity. */
function firstFrom(list: readonly number[] | undefined, from: number): number {
  if (!list || list.length === 0) return Infinity;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < list.length ? list[lo]! : Infinity;
}

/** The next rule position ≥ from that could match a packet to dst:dport. */
export function nextCandidate(idx: ChainIndex, from: number, dst: string, dport: number): number {
  return Math.min(firstFrom(idx.byDst.get(dst), from), firstFrom(idx.byDport.get(dport), from), firstFrom(idx.always, from));
}
