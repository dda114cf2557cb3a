import type { RsChain, RsJumpGraph, Ruleset } from '@svcpath/ruleset';

/** One chain's rules read from their lines, without a rule object each (parse-iptables' RuleLines). */
export type ChainLines = ReturnType<NonNullable<RsJumpGraph['lines']>>;

/**
 * A reader of chain k's rules (k: the chain's place in `rs.chains`) from the dump's lines, when
 * `rs` is one scanned iptables dump (its jump graph numbers exactly its chains); null otherwise,
 * and the caller reads `chain.rules`. A check that reads a rule or two of every chain of a
 * 10,000-Service dump then makes none of its ~390,000 rule objects. One reader, reused: its
 * answers are valid until the next call.
 */
export function chainLines(rs: Ruleset): ((k: number) => ChainLines) | null {
  const g = scannedGraph(rs);
  return g ? (k) => g.lines!(k) : null;
}

/** `chain`'s rules read from their lines (see chainLines), or null: read `chain.rules`. */
export function linesOfChain(rs: Ruleset, chain: RsChain): ChainLines | null {
  const g = scannedGraph(rs);
  const k = g ? g.numberOf(chain.id) : -1;
  return k < 0 ? null : g!.lines!(k);
}

const inOrder = new WeakMap<Ruleset, readonly RsChain[]>();

/**
 * `rs.chains`' chains in their order (chain k of a scanned dump's jump graph is the k-th), listed
 * once per ruleset: the checks that pass over every chain then iterate an array, where a scanned
 * dump's chains are a generator's (~117,000 steps on a 10k node, each a fresh result object).
 */
export function chainsInOrder(rs: Ruleset): readonly RsChain[] {
  let list = inOrder.get(rs);
  if (!list) inOrder.set(rs, (list = [...rs.chains.values()]));
  return list;
}

/**
 * Whether a rule of `chain` jumps or goes to a chain of its table whose name passes `test`, told
 * by the jump graph of a scanned dump without reading a rule; null without one. False does not say
 * the rules name no such chain: a jump to a chain the dump lacks is no edge.
 */
export function jumpsByGraph(rs: Ruleset, chain: RsChain, test: (name: string) => boolean): boolean | null {
  const g = scannedGraph(rs);
  const k = g ? g.numberOf(chain.id) : -1;
  if (k < 0) return null;
  const list = chainsInOrder(rs);
  for (let e = g!.edgeStart[k]!; e < g!.edgeEnd[k]!; e++) if (test(list[g!.edgeTo[e]!]!.name)) return true;
  return false;
}

/** The jump graph of one scanned iptables dump (it reads lines, and numbers exactly `rs.chains`), or null. */
function scannedGraph(rs: Ruleset): RsJumpGraph | null {
  const g = rs.jumpGraph;
  return g?.lines && g.size === rs.chains.size ? g : null;
}
