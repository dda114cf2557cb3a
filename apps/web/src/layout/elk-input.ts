import type { Graph } from '@svcpath/graph';
import type { Point } from './edge-path';
import { nodeSize } from './node-size';

/** The subset of ELK's JSON graph svcpath sends (elkjs's own types live in the worker). */
export interface ElkInputNode {
  id: string;
  width?: number;
  height?: number;
  layoutOptions?: Record<string, string>;
  children?: ElkInputNode[];
  edges?: { id: string; sources: string[]; targets: string[] }[];
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
}

interface ElkOutputEdge {
  id: string;
  sections?: { startPoint: Point; endPoint: Point; bendPoints?: Point[] }[];
}

const ROOT_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.layered.spacing.nodeNodeBetweenLayers': '84',
  'elk.spacing.nodeNode': '26',
  'elk.layered.spacing.edgeNodeBetweenLayers': '30',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.edgeRouting': 'ORTHOGONAL',
  // Edge routes in root coordinates, whichever group their ends sit in.
  'elk.json.edgeCoords': 'ROOT',
};

const GROUP_OPTIONS = { 'elk.padding': '[top=34,left=14,bottom=14,right=14]', 'elk.spacing.nodeNode': '14' };

/** Lays the graph out left to right; namespace groups become ELK compound nodes. */
export function toElk(graph: Graph): ElkInputNode {
  const byId = new Map<string, ElkInputNode>();
  const top: ElkInputNode[] = [];
  for (const n of graph.nodes) {
    const e: ElkInputNode = n.kind === 'group' ? { id: n.id, layoutOptions: GROUP_OPTIONS, children: [] } : { id: n.id, ...nodeSize(n) };
    byId.set(n.id, e);
  }
  for (const n of graph.nodes) {
    const parent = n.parentId ? byId.get(n.parentId) : undefined;
    (parent?.children ?? top).push(byId.get(n.id)!);
  }
  // The masquerade mark is not a jump: laid out as one, it would push POSTROUTING after the
  // endpoints and double the graph's width. It is still drawn.
  const edges = graph.edges.filter((e) => e.kind !== 'masquerade-mark').map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] }));
  return { id: '__root', layoutOptions: ROOT_OPTIONS, children: top, edges };
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
  for (const e of (root.edges ?? []) as ElkOutputEdge[]) {
    const s = e.sections?.[0];
    if (s) edges[e.id] = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint];
  }
  return { nodes: out, edges };
}
