import type { RsChain, RsRule, Ruleset } from '@svcpath/ruleset';
import { targetChains } from './rule-ref';

export interface JumpRef {
  readonly chain: RsChain;
  readonly rule: RsRule;
}

const cache = new WeakMap<Ruleset, Map<string, JumpRef[]>>();

/** For each chain (`table/chain`), the rules that jump or go to it (nft: also through vmaps and numgen). */
export function jumpParents(rs: Ruleset): ReadonlyMap<string, readonly JumpRef[]> {
  const hit = cache.get(rs);
  if (hit) return hit;
  const out = new Map<string, JumpRef[]>();
  for (const chain of rs.chains.values())
    for (const rule of chain.rules) {
      const targets = targetChains(rs, rule);
      for (const name of targets.length > 1 ? new Set(targets) : targets) {
        const id = `${chain.table}/${name}`;
        (out.get(id) ?? out.set(id, []).get(id)!).push({ chain, rule });
      }
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
      (shown.get(p.chain.id) ?? shown.set(p.chain.id, new Set()).get(p.chain.id)!).add(p.rule.index);
      if (!seen.has(p.chain.id)) {
        seen.add(p.chain.id);
        queue.push(p.chain.id);
      }
    }
  }
}
