import { afterEach, describe, expect, it, vi } from 'vitest';
import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { dropServiceGraphPrefetch, prefetchServiceGraph } from './service-graph-prefetch';
import { graphQuery } from './queries';

/**
 * fetch as a double (the page's network is not here): each request is held until answered, and
 * records whether its signal was aborted. The browser flow is in apps/server's scale-browser test.
 */
function heldFetch() {
  const asked: { url: string; aborted: () => boolean; answer: () => void }[] = [];
  vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
    return new Promise<Response>((resolve, reject) => {
      init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      asked.push({ url, aborted: () => !!init.signal?.aborted, answer: () => resolve(new Response(JSON.stringify({ key: url, nodes: [], edges: [] }))) });
    });
  });
  return asked;
}
afterEach(() => vi.unstubAllGlobals());

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('a Service graph asked before it is opened', () => {
  it('is asked once, and opening it takes that answer', async () => {
    const asked = heldFetch();
    const client = new QueryClient();
    prefetchServiceGraph(client, 'snap', 'ns/a');
    prefetchServiceGraph(client, 'snap', 'ns/a');
    await settle();
    expect(asked.map((a) => a.url)).toEqual(['/api/snapshots/snap/services/ns/a/graph']);
    const open = new QueryObserver(client, graphQuery('snap', { service: 'ns/a' }));
    const unsubscribe = open.subscribe(() => undefined);
    asked[0]!.answer();
    await vi.waitFor(() => expect(open.getCurrentResult().data).toBeDefined());
    expect(asked).toHaveLength(1);
    unsubscribe();
  });

  it('is cancelled when the pointer leaves unopened, and kept once answered or opened', async () => {
    const asked = heldFetch();
    const client = new QueryClient();
    prefetchServiceGraph(client, 'snap', 'ns/left');
    prefetchServiceGraph(client, 'snap', 'ns/answered');
    prefetchServiceGraph(client, 'snap', 'ns/opened');
    await settle();
    const [left, answered, opened] = asked;
    answered!.answer();
    await settle();
    const open = new QueryObserver(client, graphQuery('snap', { service: 'ns/opened' }));
    const unsubscribe = open.subscribe(() => undefined);
    for (const s of ['ns/left', 'ns/answered', 'ns/opened']) dropServiceGraphPrefetch(client, 'snap', s);
    await settle();
    expect([left!.aborted(), answered!.aborted(), opened!.aborted()]).toEqual([true, false, false]);
    expect(client.getQueryData(graphQuery('snap', { service: 'ns/answered' }).queryKey)).toBeDefined();
    expect(client.getQueryState(graphQuery('snap', { service: 'ns/left' }).queryKey)?.fetchStatus).toBe('idle');
    unsubscribe();
  });
});
