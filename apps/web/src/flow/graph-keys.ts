import type { Graph } from '@svcpath/graph';

/**
 * Where an arrow key moves focus from node `id`: down (or right, in a left-to-right graph) follows
 * an outgoing edge, up (left) an incoming one; the other two step between siblings (the other
 * nodes the same predecessor leads to), in drawing order.
 */
export function nextNode(graph: Graph, id: string, key: string, order: (a: string, b: string) => number): string | undefined {
  const vertical = graph.kind === 'service';
  const forward = vertical ? 'ArrowDown' : 'ArrowRight';
  const back = vertical ? 'ArrowUp' : 'ArrowLeft';
  const nextSib = vertical ? 'ArrowRight' : 'ArrowDown';
  const prevSib = vertical ? 'ArrowLeft' : 'ArrowUp';
  const visible = (x: string) => graph.nodes.some((n) => n.id === x && n.kind !== 'group');
  const outs = graph.edges.filter((e) => e.source === id && visible(e.target)).map((e) => e.target).sort(order);
  const ins = graph.edges.filter((e) => e.target === id && visible(e.source)).map((e) => e.source).sort(order);
  if (key === forward) return outs[0];
  if (key === back) return ins[0];
  if (key !== nextSib && key !== prevSib) return undefined;
  const parent = ins[0];
  const sibs = parent ? [...new Set(graph.edges.filter((e) => e.source === parent && visible(e.target)).map((e) => e.target))].sort(order) : [];
  const i = sibs.indexOf(id);
  if (i < 0 || sibs.length < 2) return undefined;
  return sibs[(i + (key === nextSib ? 1 : -1) + sibs.length) % sibs.length];
}
