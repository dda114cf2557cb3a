import type { Graph, GraphNode, TraceOverlay } from '@svcpath/graph';

/**
 * Where the masquerade mark is set and acted on (KUBE-MARK-MASQ, the POSTROUTING hook,
 * KUBE-POSTROUTING and its MASQUERADE): bookkeeping beside the path a connection takes.
 */
export function isMasqueradeSide(n: GraphNode): boolean {
  return n.chainKind === 'mark-masq' || n.chainKind === 'postrouting' || n.label === 'POSTROUTING' || (n.kind === 'verdict' && n.label === 'MASQUERADE');
}

/** Chains a new connection to a Service walks through in kube-proxy's layout. */
const ON_PATH = new Set(['services', 'svc', 'svl', 'sep', 'ext', 'fw', 'xlb', 'nodeports', 'external-services']);

/**
 * The part of a Service graph that matters first: the traced path when a trace lights one, else
 * hook → KUBE-SERVICES → the Service's chains → its endpoints (masquerade bookkeeping and
 * POSTROUTING left for panning). For an overview every node counts.
 */
export function mainPath(graph: Graph, overlay: TraceOverlay | null): Set<string> {
  if (overlay && Object.keys(overlay.nodes).length > 0) {
    const lit = graph.nodes.filter((n) => overlay.nodes[n.id] !== undefined);
    const path = lit.filter((n) => !isMasqueradeSide(n));
    return new Set((path.length > 0 ? path : lit).map((n) => n.id));
  }
  if (graph.kind !== 'service') return new Set(graph.nodes.map((n) => n.id));
  const ids = new Set<string>();
  for (const n of graph.nodes) {
    if (n.kind === 'endpoint' || n.kind === 'service' || (n.kind === 'chain' && n.chainKind && ON_PATH.has(n.chainKind))) ids.add(n.id);
  }
  // Hooks that jump into the path (PREROUTING, OUTPUT), not the POSTROUTING side.
  for (const e of graph.edges) if (ids.has(e.target) && graph.nodes.find((n) => n.id === e.source)?.kind === 'hook') ids.add(e.source);
  return ids.size > 0 ? ids : new Set(graph.nodes.map((n) => n.id));
}
