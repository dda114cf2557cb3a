import type { GraphNode } from '@svcpath/graph';

/** Node boxes, shared by the layout (which needs sizes up front) and the node components. */
const BASE: Readonly<Record<GraphNode['kind'], { width: number; height: number }>> = {
  hook: { width: 180, height: 58 },
  chain: { width: 232, height: 60 },
  service: { width: 210, height: 58 },
  namespace: { width: 210, height: 58 },
  group: { width: 0, height: 0 },
  endpoint: { width: 170, height: 46 },
  verdict: { width: 180, height: 46 },
};

export function nodeSize(n: Pick<GraphNode, 'kind' | 'badges'>): { width: number; height: number } {
  const b = BASE[n.kind];
  return { width: b.width, height: b.height + (n.badges.length > 0 && n.kind !== 'group' ? 22 : 0) };
}
