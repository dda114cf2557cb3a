import { getBezierPath, Position, type ReactFlowInstance } from '@xyflow/react';
import { formatShare } from '@svcpath/graph';
import type { Palette, Scene, SceneEdge, SceneNode } from '../export/svg-scene';
import { labelPoint, roundedPath } from '../layout/edge-path';
import type { SvcFlowEdge, SvcFlowNode } from './to-flow';

const CAPTION: Readonly<Record<string, string>> = { hook: 'hook', service: 'Service', namespace: 'namespace', endpoint: 'endpoint', verdict: 'verdict', group: 'namespace' };

/** The palette of the current theme, read from the CSS variables the app is styled with. */
export function currentPalette(el: Element): Palette {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    background: v('--canvas', '#ffffff'),
    text: v('--text', '#111111'),
    muted: v('--muted', '#666666'),
    nodeFill: v('--node-bg', '#ffffff'),
    nodeStroke: v('--node-border', '#cccccc'),
    groupFill: v('--group-bg', '#f6f7f9'),
    edge: v('--edge', '#9aa3ad'),
    lit: v('--lit', '#e8590c'),
    accent: {
      hook: v('--accent-hook', '#6b7280'),
      chain: v('--accent-chain', '#2563eb'),
      service: v('--accent-service', '#7c3aed'),
      namespace: v('--accent-service', '#7c3aed'),
      endpoint: v('--accent-endpoint', '#059669'),
      verdict: v('--accent-verdict', '#dc2626'),
    },
  };
}

/**
 * The current view as a {@link Scene}: absolute node boxes, edges drawn with React Flow's own
 * bezier function between the same handle points, and the viewport's pan and zoom.
 */
export function sceneOfFlow(rf: ReactFlowInstance<SvcFlowNode, SvcFlowEdge>, container: HTMLElement, title: string): Scene {
  const boxes = new Map<string, { x: number; y: number; width: number; height: number }>();
  const nodes: SceneNode[] = [];
  for (const n of rf.getNodes()) {
    const internal = rf.getInternalNode(n.id);
    const pos = internal?.internals.positionAbsolute ?? n.position;
    const box = { x: pos.x, y: pos.y, width: n.width ?? n.measured?.width ?? 0, height: n.height ?? n.measured?.height ?? 0 };
    boxes.set(n.id, box);
    const g = n.data.g;
    const caption = g.kind === 'chain' && g.chainKind ? g.chainKind : CAPTION[g.kind] ?? g.kind;
    nodes.push({ ...box, kind: g.kind, label: g.label, detail: g.detail, caption, share: n.data.lit !== undefined ? formatShare(n.data.lit) : null, dim: n.data.dim });
  }
  const edges: SceneEdge[] = [];
  for (const e of rf.getEdges()) {
    const s = boxes.get(e.source);
    const t = boxes.get(e.target);
    if (!s || !t) continue;
    const points = e.data?.points;
    const [path, labelX, labelY] = points && points.length > 1 ? [roundedPath(points), labelPoint(points).x, labelPoint(points).y] : getBezierPath({
      sourceX: s.x + s.width,
      sourceY: s.y + s.height / 2,
      sourcePosition: Position.Right,
      targetX: t.x,
      targetY: t.y + t.height / 2,
      targetPosition: Position.Left,
    });
    const lit = e.data?.lit;
    edges.push({ path, label: typeof e.label === 'string' ? e.label : '', labelX, labelY, lit: lit !== undefined, dim: e.data?.dim ?? false, dashed: e.data?.kind === 'masquerade-mark', width: lit !== undefined ? 2 + 2 * lit : 1.2 });
  }
  return { width: container.clientWidth, height: container.clientHeight, viewport: rf.getViewport(), nodes, edges, palette: currentPalette(container), title };
}
