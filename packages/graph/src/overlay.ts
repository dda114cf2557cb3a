import type { TraceResult } from '@svcpath/tracer';
import type { Graph } from './model';

export interface OutcomeOverlay {
  /** Index into the trace's outcomes. */
  readonly index: number;
  readonly probability: number;
  readonly nodeIds: readonly string[];
  readonly edgeIds: readonly string[];
}

/** Which nodes and edges of a graph a trace lights, and with what share of the traffic. */
export interface TraceOverlay {
  /** Node id → the summed probability of the outcomes passing through it. */
  readonly nodes: Readonly<Record<string, number>>;
  readonly edges: Readonly<Record<string, number>>;
  readonly outcomes: readonly OutcomeOverlay[];
  /** Path steps in chains this graph does not show (the trace went elsewhere). */
  readonly unmatchedSteps: number;
}

/**
 * Lays a trace over a graph: a step in chain C lights the node standing for C; the rule it took
 * lights the edge carrying that rule and the edge's target (an endpoint, a verdict). A masquerade
 * mark edge is lit when the outcome was masqueraded. `only` restricts the overlay to one outcome.
 */
export function overlayTrace(graph: Graph, result: Pick<TraceResult, 'outcomes'>, only?: number): TraceOverlay {
  const nodeOfChain = new Map<string, string>();
  for (const n of graph.nodes) for (const c of n.chainIds) if (!nodeOfChain.has(c)) nodeOfChain.set(c, n.id);
  const edgesOfRule = new Map<string, string[]>();
  for (const e of graph.edges)
    for (const r of e.rules) {
      const k = `${r.chainId}#${r.index}`;
      (edgesOfRule.get(k) ?? edgesOfRule.set(k, []).get(k)!).push(e.id);
    }
  const edgeById = new Map(graph.edges.map((e) => [e.id, e]));
  const nodes: Record<string, number> = {};
  const edges: Record<string, number> = {};
  const outcomes: OutcomeOverlay[] = [];
  let unmatched = 0;
  result.outcomes.forEach((o, index) => {
    if (only !== undefined && index !== only) return;
    const n = new Set<string>();
    const e = new Set<string>();
    for (const step of o.path) {
      const chainId = `${step.table}/${step.chain}`;
      const node = nodeOfChain.get(chainId);
      if (node) n.add(node);
      else unmatched += 1;
      for (const id of edgesOfRule.get(`${chainId}#${step.rule}`) ?? []) {
        e.add(id);
        n.add(edgeById.get(id)!.target);
      }
    }
    if (o.masquerade)
      for (const edge of graph.edges) if (edge.kind === 'masquerade-mark' && n.has(edge.source) && n.has(edge.target)) e.add(edge.id);
    for (const id of n) nodes[id] = (nodes[id] ?? 0) + o.probability;
    for (const id of e) edges[id] = (edges[id] ?? 0) + o.probability;
    outcomes.push({ index, probability: o.probability, nodeIds: [...n], edgeIds: [...e] });
  });
  return { nodes, edges, outcomes, unmatchedSteps: unmatched };
}
