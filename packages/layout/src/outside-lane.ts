import type { Graph } from '@svcpath/graph';
import type { Layout, LayoutBox } from './elk-input';
import type { Point } from './edge-path';

const GAP = 18;
const STEP = 10;

/**
 * Routes the masquerade mark (KUBE-MARK-MASQ → KUBE-POSTROUTING, set on the way in and read on
 * the way out) around the outside of the picture: down from where the mark is set, along the
 * bottom, up the right-hand side and into the chain that acts on it from the right. ELK leaves it
 * out (it is not a jump), and a straight line from the bottom of the graph to the top right
 * crossed every edge and label on the way.
 */
export function withOutsideLanes(graph: Graph, layout: Layout): Layout {
  const marks = graph.edges.filter((e) => e.kind === 'masquerade-mark');
  if (marks.length === 0) return layout;
  const parentOf = new Map(graph.nodes.map((n) => [n.id, n.parentId]));
  const absolute = (id: string): LayoutBox | undefined => {
    const box = layout.nodes[id];
    if (!box) return undefined;
    let { x, y } = box;
    for (let p = parentOf.get(id); p; p = parentOf.get(p)) {
      const pb = layout.nodes[p];
      if (pb) {
        x += pb.x;
        y += pb.y;
      }
    }
    return { x, y, width: box.width, height: box.height };
  };
  let right = -Infinity;
  let bottom = -Infinity;
  const grow = (x: number, y: number) => {
    right = Math.max(right, x);
    bottom = Math.max(bottom, y);
  };
  for (const n of graph.nodes) {
    const b = absolute(n.id);
    if (b) grow(b.x + b.width, b.y + b.height);
  }
  for (const b of Object.values(layout.labels ?? {})) grow(b.x + b.width, b.y + b.height);
  for (const route of Object.values(layout.edges)) for (const p of route) grow(p.x, p.y);
  const edges: Record<string, readonly Point[]> = { ...layout.edges };
  marks.forEach((e, i) => {
    const s = absolute(e.source);
    const t = absolute(e.target);
    if (!s || !t) return;
    const laneY = bottom + GAP + i * STEP;
    const laneX = right + GAP + i * STEP;
    const sx = s.x + s.width / 2 + i * STEP;
    const ty = t.y + t.height / 2 + i * STEP;
    edges[e.id] = [
      { x: sx, y: s.y + s.height },
      { x: sx, y: laneY },
      { x: laneX, y: laneY },
      { x: laneX, y: ty },
      { x: t.x + t.width, y: ty },
    ];
  });
  return { ...layout, edges };
}
