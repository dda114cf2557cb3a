import type { Evidence } from '@svcpath/diagnostics';
import type { Graph } from '@svcpath/graph';

/** The graph nodes and edges a finding's evidence points at. */
export interface EvidenceHighlight {
  readonly nodeIds: readonly string[];
  readonly edgeIds: readonly string[];
  /** Rules of the evidence this graph does not show (another Service's chains, the filter table). */
  readonly unmatched: number;
}

/**
 * Where a finding's rule (and trace) evidence sits on a graph. A rule is found by its chain
 * (`table/chain`) and its line in the dump: the node showing that rule, else the node standing for
 * the chain; the edge carrying the rule and the node it leads to are lit too, as a trace lights them.
 * Object, sysctl and IPVS evidence has no place on the rules graph.
 */
export function evidenceHighlight(graph: Graph, evidence: readonly Evidence[]): EvidenceHighlight {
  const nodeOfChain = new Map<string, string>();
  const atLine = new Map<string, { nodeId: string; index: number }>();
  for (const n of graph.nodes) {
    for (const c of n.chainIds) if (!nodeOfChain.has(c)) nodeOfChain.set(c, n.id);
    for (const r of n.rules) if (r.line > 0) atLine.set(`${r.chainId}\u0000${r.file}\u0000${r.line}`, { nodeId: n.id, index: r.index });
  }
  const edgesOfRule = new Map<string, string[]>();
  for (const e of graph.edges) for (const r of e.rules) (edgesOfRule.get(`${r.chainId}#${r.index}`) ?? edgesOfRule.set(`${r.chainId}#${r.index}`, []).get(`${r.chainId}#${r.index}`)!).push(e.id);
  const targetOf = new Map(graph.edges.map((e) => [e.id, e.target]));

  const nodes = new Set<string>();
  const edges = new Set<string>();
  let unmatched = 0;
  const light = (chainId: string, index: number | null, nodeId: string | undefined) => {
    if (!nodeId) {
      unmatched += 1;
      return;
    }
    nodes.add(nodeId);
    for (const id of index === null ? [] : (edgesOfRule.get(`${chainId}#${index}`) ?? [])) {
      edges.add(id);
      nodes.add(targetOf.get(id)!);
    }
  };
  for (const e of evidence) {
    if (e.kind === 'rule') {
      const hit = e.line > 0 ? atLine.get(`${e.chain}\u0000${e.file}\u0000${e.line}`) : undefined;
      light(e.chain, hit?.index ?? null, hit?.nodeId ?? nodeOfChain.get(e.chain));
    } else if (e.kind === 'trace') {
      for (const step of e.path) {
        const chainId = `${step.table}/${step.chain}`;
        light(chainId, step.rule, nodeOfChain.get(chainId));
      }
    }
  }
  return { nodeIds: [...nodes], edgeIds: [...edges], unmatched };
}
