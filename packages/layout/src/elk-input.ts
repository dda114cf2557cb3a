import type { Graph, GraphEdge, GraphNode } from '@svcpath/graph';
import type { Point } from './edge-path';
import { isMasqueradeSide } from './main-path';
import { estimateText, type MeasureText } from './measure';
import { nodeSize } from './node-size';

/** The subset of ELK's JSON graph svcpath sends (elkjs's own types live in the worker). */
export interface ElkInputNode {
  id: string;
  width?: number;
  height?: number;
  layoutOptions?: Record<string, string>;
  children?: ElkInputNode[];
  edges?: ElkInputEdge[];
}

export interface ElkInputEdge {
  id: string;
  sources: string[];
  targets: string[];
  labels?: { id: string; text: string; width: number; height: number }[];
}

export interface LayoutBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Node id → box (children relative to their group, as React Flow wants them), and edge id → the
 * route ELK drew, in absolute coordinates.
 */
export interface Layout {
  readonly nodes: Readonly<Record<string, LayoutBox>>;
  readonly edges: Readonly<Record<string, readonly Point[]>>;
  /** Edge id → the box ELK reserved for its label (absolute), clear of every node and other label. */
  readonly labels?: Readonly<Record<string, LayoutBox>>;
}

interface ElkOutputEdge {
  id: string;
  sections?: { startPoint: Point; endPoint: Point; bendPoints?: Point[] }[];
  labels?: { x?: number; y?: number; width?: number; height?: number }[];
}

/** Label box padding (see .svc-edge-label) and height. */
const LABEL_PAD_X = 12;
const LABEL_HEIGHT = 18;

/**
 * Whether a layout made with one way of measuring text (the server's estimate) holds every node's
 * title, detail and badges and every edge label as `measure` (the browser's real fonts) sizes them.
 */
export function layoutHolds(graph: Graph, layout: Layout, measure: MeasureText): boolean {
  for (const n of graph.nodes) {
    if (n.kind === 'group') continue;
    const box = layout.nodes[n.id];
    const need = nodeSize(n, measure);
    if (!box || need.width > box.width + 0.5 || need.height > box.height + 0.5) return false;
  }
  for (const e of graph.edges) {
    const text = edgeLabelText(e);
    if (!text || e.kind === 'masquerade-mark') continue;
    const box = layout.labels?.[e.id];
    if (!box || measure(text, 'edgeLabel') + LABEL_PAD_X > box.width + 0.5) return false;
  }
  return true;
}

/**
 * The text an edge is labelled with. The masquerade mark gets none (every Service chain marks some
 * traffic; the dashed line and the inspector say it), so it never has to find room.
 */
export function edgeLabelText(e: GraphEdge): string {
  // A DNAT edge always ends at an endpoint node: "DNAT" on it would only repeat that.
  if (e.kind === 'masquerade-mark' || (e.kind === 'dnat' && e.label === 'DNAT')) return '';
  return e.label;
}

const ROOT_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.layered.spacing.nodeNodeBetweenLayers': '16',
  'elk.spacing.nodeNode': '24',
  'elk.layered.spacing.edgeNodeBetweenLayers': '10',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '6',
  'elk.spacing.edgeLabel': '4',
  'elk.spacing.edgeNode': '14',
  'elk.edgeLabels.placement': 'CENTER',
  'elk.layered.edgeLabels.sideSelection': 'ALWAYS_DOWN',
  'elk.separateConnectedComponents': 'true',
  'elk.spacing.componentComponent': '40',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.considerModelOrder.components': 'MODEL_ORDER',
  'elk.edgeRouting': 'ORTHOGONAL',
  // Edge routes in root coordinates, whichever group their ends sit in.
  'elk.json.edgeCoords': 'ROOT',
};

const GROUP_OPTIONS = { 'elk.padding': '[top=34,left=14,bottom=14,right=14]', 'elk.spacing.nodeNode': '14' };

/**
 * ELK's input. A Service graph runs top to bottom: its main path (hook → KUBE-SERVICES → Service
 * chains → endpoints) is five ranks deep but only a few nodes wide, which fits a landscape pane at a
 * readable zoom, where left to right it would need twice the pane's width. The overview runs left
 * to right; namespace groups become ELK compound nodes. Edge labels are ELK labels with measured
 * sizes, so ELK reserves room for them between ranks and none sits on a node or another label.
 */
export function toElk(graph: Graph, measure: MeasureText = estimateText): ElkInputNode {
  const byId = new Map<string, ElkInputNode>();
  const top: ElkInputNode[] = [];
  for (const n of graph.nodes) {
    const e: ElkInputNode = n.kind === 'group' ? { id: n.id, layoutOptions: GROUP_OPTIONS, children: [] } : { id: n.id, ...nodeSize(n, measure) };
    byId.set(n.id, e);
  }
  for (const n of drawingOrder(graph)) {
    const parent = n.parentId ? byId.get(n.parentId) : undefined;
    (parent?.children ?? top).push(byId.get(n.id)!);
  }
  // The masquerade mark is not a jump: laid out as one, it would push POSTROUTING after the
  // endpoints and double the graph's width. It is still drawn.
  const edges = graph.edges.filter((e) => e.kind !== 'masquerade-mark').map((e): ElkInputEdge => {
    const text = edgeLabelText(e);
    const base = { id: e.id, sources: [e.source], targets: [e.target] };
    return text ? { ...base, labels: [{ id: `${e.id}#label`, text, width: measure(text, 'edgeLabel') + LABEL_PAD_X, height: LABEL_HEIGHT }] } : base;
  });
  const direction = graph.kind === 'service' ? 'DOWN' : 'RIGHT';
  return { id: '__root', layoutOptions: { ...ROOT_OPTIONS, 'elk.direction': direction }, children: top, edges };
}

/**
 * Nodes in the order ELK should consider them: in a Service graph the POSTROUTING side (where the
 * masquerade mark is acted on) after the path a connection takes, so it lands right of it.
 */
function drawingOrder(graph: Graph): readonly GraphNode[] {
  if (graph.kind !== 'service') return graph.nodes;
  return [...graph.nodes.filter((n) => !isMasqueradeSide(n)), ...graph.nodes.filter(isMasqueradeSide)];
}

/** Reads ELK's result back: boxes (children relative to their parent) and edge routes. */
export function fromElk(root: ElkInputNode & { x?: number; y?: number }): Layout {
  const out: Record<string, LayoutBox> = {};
  const edges: Record<string, Point[]> = {};
  const walk = (n: ElkInputNode & { x?: number; y?: number }) => {
    for (const c of (n.children ?? []) as (ElkInputNode & { x?: number; y?: number })[]) {
      out[c.id] = { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 };
      walk(c);
    }
  };
  walk(root);
  const labels: Record<string, LayoutBox> = {};
  for (const e of (root.edges ?? []) as ElkOutputEdge[]) {
    const s = e.sections?.[0];
    if (s) edges[e.id] = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint];
    const l = e.labels?.[0];
    if (l?.x !== undefined && l.y !== undefined) labels[e.id] = { x: l.x, y: l.y, width: l.width ?? 0, height: l.height ?? 0 };
  }
  return { nodes: out, edges, labels };
}
