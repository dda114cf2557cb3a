import type ElkConstructor from 'elkjs/lib/elk.bundled.js';
import type { Graph } from '@svcpath/graph';
import { fromElk, toElk, type ElkInputNode, type Layout } from './elk-input';
import { estimateText, type MeasureText } from './measure';
import { withOutsideLanes } from './outside-lane';

type Elk = InstanceType<typeof ElkConstructor>;
let elk: Elk | null = null;

/**
 * Lays a graph out with ELK in this thread: the server's engine worker runs it, so a page gets its
 * graph already placed; the browser's layout worker runs the same ELK input. `measure` sizes
 * titles and labels (the estimate, which errs wide, where no canvas can measure the real fonts).
 */
export async function layoutWithElk(graph: Graph, measure: MeasureText = estimateText): Promise<Layout> {
  // Loaded on first use: 1.5 MB that a process which never lays out (the CLI, a doctor worker) skips.
  elk ??= new (await import('elkjs/lib/elk.bundled.js')).default();
  const laid = await elk.layout(toElk(graph, measure) as Parameters<Elk['layout']>[0]);
  return withOutsideLanes(graph, fromElk(laid as ElkInputNode));
}
