import { lineJumps } from '@svcpath/proxy-layout';
import type { RsChain, Ruleset } from '@svcpath/ruleset';
import { targetChains } from './rule-ref';

/** A rule that jumps or goes to a chain: its chain, and its place there (RsRule.index). */
export interface JumpRef {
  readonly chain: RsChain;
  readonly index: number;
}

const cache = new WeakMap<Ruleset, Map<string, JumpRef[]>>();

/** For each chain (`table/chain`), the rules that jump or go to it (nft: also through vmaps and numgen). */
export function jumpParents(rs: Ruleset): ReadonlyMap<string, readonly JumpRef[]> {
  const hit = cache.get(rs);
  if (hit) return hit;
  const out = new Map<string, JumpRef[]>();
  const add = (id: string, chain: RsChain, index: number) => (out.get(id) ?? out.set(id, []).get(id)!).push({ chain, index });
  const g = rs.jumpGraph;
  if (g?.lines && rs.dataplane === 'iptables' && g.size === rs.chains.size) {
    // A scanned dump's rules read from their lines (see JumpGraph.lines), each jump's chain by number.
    const list = [...rs.chains.values()];
    const jumping: number[] = [];
    for (let k = 0; k < list.length; k++) {
      const chain = list[k]!;
      const lines = g.lines(k);
      const aligned = lineJumps(g, k, lines, jumping);
      const from = g.edgeStart[k]!;
      jumping.forEach((i, j) => add(aligned ? list[g.edgeTo[from + j]!]!.id : `${chain.table}/${lines.jumpTarget(i)}`, chain, i + 1));
    }
  } else
    for (const chain of rs.chains.values())
      for (const rule of chain.rules) {
        const targets = targetChains(rs, rule);
        for (const name of targets.length > 1 ? new Set(targets) : targets) add(`${chain.table}/${name}`, chain, rule.index);
      }
  cache.set(rs, out);
  return out;
}

/**
 * Adds to `shown` the rules leading from the built-in chains down to each of `chainIds`: walks the
 * jumps backwards, so a graph shows how a packet gets to a chain without showing whole tables.
 */
export function addAncestors(rs: Ruleset, chainIds: Iterable<string>, shown: Map<string, Set<number>>): void {
  const parents = jumpParents(rs);
  const queue = [...chainIds];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const id = queue.pop()!;
    for (const p of parents.get(id) ?? []) {
      (shown.get(p.chain.id) ?? shown.set(p.chain.id, new Set()).get(p.chain.id)!).add(p.index);
      if (!seen.has(p.chain.id)) {
        seen.add(p.chain.id);
        queue.push(p.chain.id);
      }
    }
  }
}
