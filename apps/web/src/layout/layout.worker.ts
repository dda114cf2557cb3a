import ELK from 'elkjs/lib/elk.bundled.js';
import { fromElk, type ElkInputNode, type Layout } from '@svcpath/layout';

/** Runs ELK off the main thread: receives `{ id, graph }` (ELK JSON), answers `{ id, layout }` or `{ id, error }`. */
const elk = new ELK();
const scope = self as unknown as { onmessage: ((e: MessageEvent<{ id: number; graph: ElkInputNode }>) => void) | null; postMessage(m: unknown): void };

scope.postMessage({ ready: performance.timeOrigin + performance.now() });
scope.onmessage = (e) => {
  const { id, graph } = e.data;
  elk
    .layout(graph as Parameters<typeof elk.layout>[0])
    .then((laid) => scope.postMessage({ id, layout: fromElk(laid as ElkInputNode) satisfies Layout }))
    .catch((err: unknown) => scope.postMessage({ id, error: String(err) }));
};
