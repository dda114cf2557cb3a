import type { RuleKeys } from '@svcpath/parse-iptables';
import { ruleCountOf, ruleOf, type RsChain } from '@svcpath/ruleset';

const READ_RULE = -2;

/**
 * A skip index over a long chain. The kernel evaluates every rule of KUBE-SERVICES in turn; the
 * tracer gets the same answer, and the same count of evaluated rules, by jumping straight to the
 * next rule that could match: one whose positive single-host destination (`-d 10.96.0.1/32`) or,
 * failing that, positive single destination port (`--dport 80`) equals the packet's. Every rule it
 * skips is one whose matches provably fail.
 */
export interface ChainIndex {
  /** Rules keyed by their IPv4 destination address, as a number. */
  readonly byDst4: ReadonlyMap<number, readonly number[]>;
  /** Rules keyed by their IPv6 destination address (see hostKey). */
  readonly byDst6: ReadonlyMap<string, readonly number[]>;
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
  idx = ruleCountOf(chain) < MIN_RULES ? null : build(chain, chain.ruleKeys?.());
  cache.set(chain, idx);
  return idx;
}

/** The index of `chain`'s rules: from `keys` where they tell, else from the rule, read then (see RsChain.rule). */
function build(chain: RsChain, keys: RuleKeys | undefined): ChainIndex {
  const byDst4 = new Map<number, number[]>();
  const byDst6 = new Map<string, number[]>();
  const byDport = new Map<number, number[]>();
  const always: number[] = [];
  const count = ruleCountOf(chain);
  for (let i = 0; i < count; i++) {
    // An IPv4 destination as a number (-1: none), else an IPv6 one's key: no string made for each of
    // a 10,000-Service KUBE-SERVICES' ~12,000 rules.
    let dst4 = -1;
    let dst6: string | null = null;
    let dport: number | null = null;
    // Keys the chain knows without reading the rule (a scanned dump's: see parse-iptables' RuleKeys).
    const known = keys !== undefined && keys.dst[i] !== READ_RULE && keys.dport[i] !== READ_RULE;
    if (known) {
      if (keys.dst[i]! >= 0) dst4 = keys.dst[i]!;
      if (keys.dport[i]! >= 0) dport = keys.dport[i]!;
    }
    // A rule that tells its addresses and ports without reading its body (a lazily read kube-proxy
    // rule: see RsRule.addresses) is indexed from those (each kind in its conditions' order).
    const r = known ? null : ruleOf(chain, i);
    const keyed = r === null ? [] : r.addresses && r.ports ? [...r.addresses(), ...r.ports()] : r.conds;
    for (const c of keyed) {
      if (c.kind === 'addr' && c.dir === 'dst' && !c.negate && c.cidr.prefix === (c.cidr.family === 4 ? 32 : 128)) {
        dst4 = c.cidr.family === 4 ? Number(c.cidr.addr) : -1;
        dst6 = c.cidr.family === 4 ? null : hostKey(6, c.cidr.addr);
      } else if (c.kind === 'ports' && c.dir === 'dst' && !c.negate && c.ranges.length === 1 && c.ranges[0]!.from === c.ranges[0]!.to) dport = c.ranges[0]!.from;
    }
    if (dst4 >= 0) push(byDst4, dst4, i);
    else if (dst6 !== null) push(byDst6, dst6, i);
    else if (dport !== null) push(byDport, dport, i);
    else always.push(i);
  }
  return { byDst4, byDst6, byDport, always };
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
export function nextCandidate(idx: ChainIndex, from: number, dst: { readonly family: 4 | 6; readonly value: number | bigint }, dport: number): number {
  const byDst = dst.family === 4 ? idx.byDst4.get(Number(dst.value)) : idx.byDst6.get(hostKey(6, dst.value));
  return Math.min(firstFrom(byDst, from), firstFrom(idx.byDport.get(dport), from), firstFrom(idx.always, from));
}
