import { getBezierPath, Position, type ReactFlowInstance } from '@xyflow/react';
import { formatShare } from '@svcpath/graph';
import type { Palette, Scene, SceneEdge, SceneNode } from '../export/svg-scene';
import { labelPoint, roundedPath } from '@svcpath/layout';
import { isMasqueradeSide } from '@svcpath/layout';
import { kindText, MAX_BADGES } from '@svcpath/layout';
import type { SvcFlowEdge, SvcFlowNode } from './to-flow';


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
 * The whole graph as a {@link Scene} (not just what the pane shows): absolute node boxes, edges along
 * ELK's routes (React Flow's bezier where ELK drew none), labels at the boxes ELK kept for them,
 * and the bounds of all of it, which the picture is cropped to.
 */
export function sceneOfFlow(rf: ReactFlowInstance<SvcFlowNode, SvcFlowEdge>, container: HTMLElement, title: string): Scene {
  const boxes = new Map<string, { x: number; y: number; width: number; height: number }>();
  const nodes: SceneNode[] = [];
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  const grow = (x: number, y: number, w = 0, h = 0) => {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x + w);
    y1 = Math.max(y1, y + h);
  };
  for (const n of rf.getNodes()) {
    const internal = rf.getInternalNode(n.id);
    const pos = internal?.internals.positionAbsolute ?? n.position;
    const box = { x: pos.x, y: pos.y, width: n.width ?? n.measured?.width ?? 0, height: n.height ?? n.measured?.height ?? 0 };
    boxes.set(n.id, box);
    grow(box.x, box.y, box.width, box.height);
    const g = n.data.g;
    const outcome = g.kind === 'endpoint' || (g.kind === 'verdict' && !isMasqueradeSide(g));
    const lit = n.data.lit !== undefined;
    nodes.push({ ...box, kind: g.kind, label: g.label, detail: g.detail, caption: kindText(g), share: lit && outcome ? formatShare(n.data.lit!) : null, lit, dim: n.data.dim, badges: g.badges.slice(0, MAX_BADGES).map((b) => b.text) });
  }
  const edges: SceneEdge[] = [];
  for (const e of rf.getEdges()) {
    const s = boxes.get(e.source);
    const t = boxes.get(e.target);
    if (!s || !t) continue;
    const points = e.data?.points;
    const vertical = rf.getNode(e.source)?.data.vertical ?? false;
    const [path, lx, ly] =
      points && points.length > 1
        ? [roundedPath(points), labelPoint(points).x, labelPoint(points).y]
        : vertical
          ? getBezierPath({ sourceX: s.x + s.width / 2, sourceY: s.y + s.height, sourcePosition: Position.Bottom, targetX: t.x + t.width / 2, targetY: t.y, targetPosition: Position.Top })
          : getBezierPath({ sourceX: s.x + s.width, sourceY: s.y + s.height / 2, sourcePosition: Position.Right, targetX: t.x, targetY: t.y + t.height / 2, targetPosition: Position.Left });
    const box = e.data?.labelBox;
    if (box) grow(box.x, box.y, box.width, box.height);
    for (const p of points ?? []) grow(p.x, p.y);
    const lit = e.data?.lit;
    edges.push({
      path,
      label: typeof e.label === 'string' ? e.label : '',
      labelX: box ? box.x + box.width / 2 : lx,
      labelY: box ? box.y + box.height / 2 : ly,
      lit: lit !== undefined,
      dim: e.data?.dim ?? false,
      dashed: e.data?.kind === 'masquerade-mark',
      affinity: e.data?.affinity ?? false,
      width: lit !== undefined ? 2 + 2 * lit : 1.2,
    });
  }
  const bounds = x0 === Infinity ? { x: 0, y: 0, width: 0, height: 0 } : { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  return { bounds, nodes, edges, palette: currentPalette(container), title };
}
