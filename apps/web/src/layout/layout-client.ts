import type { Graph } from '@svcpath/graph';
import { toElk, type Layout } from './elk-input';
import { measureText } from './measure-text';
import { withOutsideLanes } from './outside-lane';

type Reply = { id: number; layout?: Layout; error?: string };

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve: (l: Layout) => void; reject: (e: Error) => void }>();
/** Layouts by `cacheKey`; a graph of an immutable snapshot always lays out the same. */
const cache = new Map<string, Promise<Layout>>();
const CACHE_SIZE = 30;

function start(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (e: MessageEvent<Reply>) => {
    const w = waiting.get(e.data.id);
    waiting.delete(e.data.id);
    if (e.data.layout) w?.resolve(e.data.layout);
    else w?.reject(new Error(e.data.error ?? 'layout failed'));
  };
  return worker;
}

/**
 * Starts the layout worker (and its 1.5 MB of ELK) at page load, in parallel with the first API
 * calls, rather than once the first graph has arrived: the landing view appears that much sooner.
 */
export function warmLayoutWorker(): void {
  start();
}

/** Lays `graph` out in the layout worker, cached under `cacheKey` (snapshot id + graph key). */
export function layoutGraph(cacheKey: string, graph: Graph): Promise<Layout> {
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  const id = nextId++;
  const p = new Promise<Layout>((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    start().postMessage({ id, graph: toElk(graph, measureText) });
  }).then((l) => withOutsideLanes(graph, l));
  cache.set(cacheKey, p);
  p.catch(() => cache.delete(cacheKey));
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return p;
}
