import { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { primePreloaded, queryOfPreload } from './preloaded';
import { findingsQuery, graphQuery, overviewQuery, snapshotQuery, snapshotsQuery, sourcesQuery } from './queries';

/** The two things primePreloaded reads of a document: its address and its preload links. */
const page = (hrefs: readonly string[]) =>
  ({
    baseURI: 'http://127.0.0.1:8080/?snapshot=imported~big',
    querySelectorAll: () => hrefs.map((h) => ({ href: new URL(h, 'http://127.0.0.1:8080/').href })),
  }) as unknown as Document;

const answers = (paths: Record<string, unknown>, never: readonly string[] = []) =>
  vi.fn(async (url: string) => {
    if (never.some((p) => url.endsWith(p))) return new Promise<Response>(() => undefined);
    const body = paths[url];
    return body === undefined ? new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no such thing' } }), { status: 404 }) : new Response(JSON.stringify(body));
  });

afterEach(() => vi.unstubAllGlobals());

describe('queries of the preloaded URLs', () => {
  it('are the queries the app asks, under the same keys', () => {
    const id = 'imported~a b/c';
    const at = `/api/snapshots/${encodeURIComponent(id)}`;
    const cases: [string, readonly unknown[]][] = [
      ['/api/snapshots', snapshotsQuery().queryKey],
      [at, snapshotQuery(id).queryKey],
      [`${at}/sources`, sourcesQuery(id).queryKey],
      [`${at}/overview`, overviewQuery(id).queryKey],
      [`${at}/graph`, graphQuery(id, { service: undefined, ns: undefined }).queryKey],
      [`${at}/findings`, findingsQuery(id, '', null).queryKey],
    ];
    for (const [path, key] of cases) {
      const client = new QueryClient();
      vi.stubGlobal('fetch', answers({}, [path]));
      void queryOfPreload(path)!.start(client);
      expect(client.getQueryCache().find({ queryKey: key, exact: true }), path).toBeDefined();
      expect(vi.mocked(fetch).mock.calls[0]?.[0], path).toBe(path);
    }
    for (const other of ['/api/snapshots/x/namespaces/a/services', '/api/health', '/api/snapshots/%E0%A4%A/graph']) expect(queryOfPreload(other), other).toBeNull();
  });
});

describe('priming the first view', () => {
  it("resolves once the first view's answers are in, not waiting for the doctor; data in the cache", async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    vi.stubGlobal('fetch', answers({ '/api/snapshots': { snapshots: [] }, '/api/snapshots/imported~big': { id: 1 }, '/api/snapshots/imported~big/overview': { services: 3 } }, ['/findings', '/sources']));
    await primePreloaded(client, page(['/api/snapshots', '/api/snapshots/imported~big', '/api/snapshots/imported~big/sources', '/api/snapshots/imported~big/overview', '/api/snapshots/imported~big/findings']), 60_000);
    expect(client.getQueryData(overviewQuery('imported~big').queryKey)).toEqual({ services: 3 });
    expect(client.getQueryData(snapshotsQuery().queryKey)).toEqual({ snapshots: [] });
    // Still asked: the doctor's answer is not waited for, but its request is under way.
    expect(client.getQueryState(findingsQuery('imported~big', '').queryKey)?.fetchStatus).toBe('fetching');
  });

  it('keeps a failed answer as the query error the view shows', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    vi.stubGlobal('fetch', answers({}));
    await primePreloaded(client, page(['/api/snapshots/imported~gone/overview']), 60_000);
    expect(client.getQueryState(overviewQuery('imported~gone').queryKey)?.status).toBe('error');
  });

  it('gives up waiting after waitMs, leaving the request under way', async () => {
    const client = new QueryClient();
    vi.stubGlobal('fetch', answers({}, ['/overview']));
    const started = Date.now();
    await primePreloaded(client, page(['/api/snapshots/imported~slow/overview']), 30);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(client.getQueryState(overviewQuery('imported~slow').queryKey)?.fetchStatus).toBe('fetching');
  });

  it('resolves at once for a page without preload links', async () => {
    vi.stubGlobal('fetch', answers({}));
    await primePreloaded(new QueryClient(), page([]), 60_000);
    expect(fetch).not.toHaveBeenCalled();
  });
});
