import { MarkerType, type Edge, type Node } from '@xyflow/react';
import type { Graph, GraphNode, TraceOverlay } from '@svcpath/graph';
import { formatPackets, heatColor, type CounterHeat, type Heat } from '../counters/counter-heat';
import type { Point } from '@svcpath/layout';
import { edgeLabelText, type Layout, type LayoutBox } from '@svcpath/layout';

/** What a React Flow node of svcpath carries. */
export type SvcNodeData = {
  readonly g: GraphNode;
  /** Share of the traced traffic passing through, when a trace lights it. */
  readonly lit?: number;
  /** A trace is shown and does not pass here. */
  readonly dim: boolean;
  /** The finding in focus cites this node's rules. */
  readonly evidence?: boolean;
  /** Packets counted here between two snapshots (counter deltas). */
  readonly heat?: Heat;
  /** The graph runs top to bottom (edges enter at the top, leave at the bottom). */
  readonly vertical: boolean;
};
export type SvcFlowNode = Node<SvcNodeData, 'svc' | 'svcGroup'>;

export type SvcEdgeData = {
  readonly lit?: number;
  readonly dim: boolean;
  readonly kind: string;
  readonly heat?: Heat;
  /** ELK's route; absent for edges laid out without one (the masquerade mark). */
  readonly points?: readonly Point[];
  /** The room ELK kept for the label, clear of nodes and other labels. */
  readonly labelBox?: LayoutBox;
  /** The label drawn first-connection or returning-client style. */
  readonly affinity: boolean;
  /** Packets counted on this edge, drawn under its label. */
  readonly heatText?: string;
};
export type SvcFlowEdge = Edge<SvcEdgeData>;

/**
 * The React Flow adapter: the renderer-agnostic graph, its layout and a trace overlay become typed
 * React Flow nodes and edges, with the trace, the finding's evidence and counter heat on them.
 * Groups come first (React Flow wants parents before children).
 */
export function toFlow(
  graph: Graph,
  layout: Layout,
  overlay: TraceOverlay | null,
  selected: string | undefined,
  highlight: { readonly nodeIds: readonly string[]; readonly edgeIds: readonly string[] } | null = null,
  heat: CounterHeat | null = null,
): { nodes: SvcFlowNode[]; edges: SvcFlowEdge[] } {
  const evNodes = new Set(highlight?.nodeIds);
  const evEdges = new Set(highlight?.edgeIds);
  const ordered = [...graph.nodes].sort((a, b) => Number(b.kind === 'group') - Number(a.kind === 'group'));
  const nodes: SvcFlowNode[] = ordered.map((g) => {
    const box = layout.nodes[g.id] ?? { x: 0, y: 0, width: 200, height: 50 };
    const lit = overlay?.nodes[g.id];
    const h = heat?.nodes[g.id];
    return {
      id: g.id,
      type: g.kind === 'group' ? 'svcGroup' : 'svc',
      position: { x: box.x, y: box.y },
      width: box.width,
      height: box.height,
      ...(g.parentId ? { parentId: g.parentId, extent: 'parent' as const } : {}),
      data: { g, vertical: graph.kind === 'service', ...(lit !== undefined ? { lit } : {}), dim: overlay !== null && lit === undefined && g.kind !== 'group', ...(evNodes.has(g.id) ? { evidence: true } : {}), ...(h ? { heat: h } : {}) },
      selected: g.id === selected,
      selectable: g.kind !== 'group',
      draggable: false,
      connectable: false,
      ...(g.kind === 'group' ? { zIndex: -1 } : {}),
    };
  });
  const edges: SvcFlowEdge[] = graph.edges.map((e) => {
    const lit = overlay?.edges[e.id];
    const dim = overlay !== null && lit === undefined;
    const points = layout.edges[e.id];
    const h = heat?.edges[e.id];
    const heatText = h ? `${h.died ? '✕ ' : ''}${formatPackets(h.packets)} pkts` : undefined;
    const label = edgeLabelText(e) || undefined;
    const labelBox = layout.labels?.[e.id];
    return {
      id: e.id,
      source: e.source,
      target: e.target,
      type: 'elk',
      label,
      className: ['svc-edge', `edge-${e.kind}`, lit !== undefined ? 'lit' : '', dim ? 'dim' : '', e.affinity ? 'affinity' : '', evEdges.has(e.id) ? 'evidence' : '', h ? 'heat' : '', h?.died ? 'died' : ''].filter(Boolean).join(' '),
      markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, markerUnits: 'userSpaceOnUse', color: lit !== undefined ? 'var(--lit)' : h ? heatColor(h) : 'var(--edge)' },
      style: lit !== undefined ? { strokeWidth: 2 + 2 * lit } : h ? { stroke: heatColor(h), strokeWidth: 1.5 + 3 * h.intensity } : undefined,
      data: { ...(lit !== undefined ? { lit } : {}), dim, kind: e.kind, affinity: !!e.affinity, ...(h ? { heat: h } : {}), ...(heatText ? { heatText } : {}), ...(points ? { points } : {}), ...(labelBox ? { labelBox } : {}) },
      zIndex: lit !== undefined || evEdges.has(e.id) ? 5 : h ? 3 : 0,
      focusable: false,
      ariaLabel: `${e.kind} edge ${e.source.split('/').pop()} to ${e.target.split('/').pop()}${label ? `: ${label}` : ''}`,
    } as SvcFlowEdge;
  });
  return { nodes, edges };
}
