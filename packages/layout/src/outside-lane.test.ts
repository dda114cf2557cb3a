import type { Graph, GraphEdge, GraphNode } from '@svcpath/graph';
import { describe, expect, it } from 'vitest';
import type { Layout, LayoutBox } from './elk-input';
import { withOutsideLanes } from './outside-lane';

const node = (id: string): GraphNode => ({ id, kind: 'chain', label: id, detail: '', chainIds: [], rules: [] }) as unknown as GraphNode;
const edge = (id: string, source: string, target: string, kind: GraphEdge['kind']): GraphEdge => ({ id, source, target, kind, label: '' }) as unknown as GraphEdge;

/** Whether an axis-parallel segment a→b passes through the inside of box `r`. */
function crosses(a: { x: number; y: number }, b: { x: number; y: number }, r: LayoutBox): boolean {
  const [x0, x1] = [Math.min(a.x, b.x), Math.max(a.x, b.x)];
  const [y0, y1] = [Math.min(a.y, b.y), Math.max(a.y, b.y)];
  return x1 > r.x && x0 < r.x + r.width && y1 > r.y && y0 < r.y + r.height;
}

describe('withOutsideLanes', () => {
  // POSTROUTING's side top right, KUBE-MARK-MASQ at the bottom, the path between them.
  const boxes: Record<string, LayoutBox> = {
    post: { x: 600, y: 0, width: 180, height: 50 },
    svc: { x: 100, y: 200, width: 300, height: 60 },
    sep: { x: 400, y: 320, width: 250, height: 60 },
    ep: { x: 700, y: 420, width: 160, height: 50 },
    mark: { x: 200, y: 520, width: 180, height: 50 },
  };
  const graph = { key: 'k', kind: 'service', title: '', nodes: Object.keys(boxes).map(node), edges: [edge('m', 'mark', 'post', 'masquerade-mark'), edge('j', 'svc', 'sep', 'jump')], truncated: null, assumptions: [] } as unknown as Graph;
  const layout: Layout = { nodes: boxes, edges: { j: [{ x: 250, y: 260 }, { x: 525, y: 320 }] } };

  it('routes the masquerade mark around the picture, through no node, into the chain that reads it', () => {
    const route = withOutsideLanes(graph, layout).edges['m']!;
    expect(route[0]).toEqual({ x: 290, y: 570 });
    expect(route[route.length - 1]).toEqual({ x: 780, y: 25 });
    for (let i = 1; i < route.length; i++)
      for (const [id, box] of Object.entries(boxes)) if (id !== 'mark' && id !== 'post') expect(crosses(route[i - 1]!, route[i]!, box), `segment ${i} through ${id}`).toBe(false);
    // Below and right of everything else.
    expect(Math.max(...route.map((p) => p.y))).toBeGreaterThan(570);
    expect(Math.max(...route.map((p) => p.x))).toBeGreaterThan(860);
  });

  it('leaves a graph without the mark as it was', () => {
    const plain = { ...graph, edges: [graph.edges[1]!] } as Graph;
    expect(withOutsideLanes(plain, layout)).toBe(layout);
  });
});
