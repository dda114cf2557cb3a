import type { Graph } from '@svcpath/graph';
import { layoutHolds, toElk, withOutsideLanes, type Layout } from '@svcpath/layout';
import { measureText } from './measure-text';

type Reply = { id: number; layout?: Layout; error?: string } | { ready: number };

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
    if ('ready' in e.data) {
      // The worker has loaded ELK (a mark in this page's clock, for scripts/bench/landing.ts).
      performance.mark('svcpath:layout-worker-ready', { startTime: e.data.ready - performance.timeOrigin });
      return;
    }
    const w = waiting.get(e.data.id);
    waiting.delete(e.data.id);
    if (e.data.layout) w?.resolve(e.data.layout);
    else w?.reject(new Error(e.data.error ?? 'layout failed'));
  };
  return worker;
}


/**
 * The layout the server sent with `graph` (ELK run in its engine), when it can be drawn as it came:
 * the server measured text by estimate, so it is used when every title and label, measured here in
 * the real fonts, fits the boxes it made. Null when there is none or it does not fit.
 */
export function givenLayout(graph: Graph & { readonly layout?: Layout }): Layout | null {
  return graph.layout && layoutHolds(graph, graph.layout, measureText) ? graph.layout : null;
}

/**
 * Lays `graph` out in the layout worker, cached under `cacheKey` (snapshot id + graph key), unless
 * the server's layout can be drawn as it came (see givenLayout).
 */
export function layoutGraph(cacheKey: string, graph: Graph & { readonly layout?: Layout }): Promise<Layout> {
  const given = givenLayout(graph);
  if (given) return Promise.resolve(given);
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  const id = nextId++;
  // Marks for the landing benchmark (scripts/bench/landing.ts): when a layout was asked and answered.
  performance.mark(`svcpath:layout-asked:${id}`);
  const p = new Promise<Layout>((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    start().postMessage({ id, graph: toElk(graph, measureText) });
  }).then((l) => {
    performance.mark(`svcpath:layout-done:${id}`);
    return withOutsideLanes(graph, l);
  });
  cache.set(cacheKey, p);
  p.catch(() => cache.delete(cacheKey));
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return p;
}
