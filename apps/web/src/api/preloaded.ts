import type { QueryClient } from '@tanstack/react-query';
import { findingsQuery, graphQuery, overviewQuery, snapshotQuery, snapshotsQuery, sourcesQuery } from './queries';

/** A preloaded URL's query, and whether the first view is drawn from it. */
interface Preloaded {
  readonly start: (client: QueryClient) => Promise<void>;
  readonly firstView: boolean;
}

/**
 * The query a preload link's URL answers, or null for a URL the app does not ask in this form. The
 * URLs are the ones queries.ts builds (apps/server's web-app.ts writes them the same way), so the
 * query's fetch takes the preloaded response instead of asking again.
 */
export function queryOfPreload(pathname: string): Preloaded | null {
  if (pathname === '/api/snapshots') return { start: (c) => c.prefetchQuery(snapshotsQuery()), firstView: true };
  const m = /^\/api\/snapshots\/([^/]+)(?:\/(sources|overview|graph|findings))?$/.exec(pathname);
  if (!m) return null;
  let id: string;
  try {
    id = decodeURIComponent(m[1]!);
  } catch {
    return null;
  }
  switch (m[2]) {
    case undefined:
      return { start: (c) => c.prefetchQuery(snapshotQuery(id)), firstView: true };
    case 'overview':
      return { start: (c) => c.prefetchQuery(overviewQuery(id)), firstView: true };
    case 'graph':
      return { start: (c) => c.prefetchQuery(graphQuery(id, {})), firstView: true };
    // Asked at once but not waited for: the trace form's sources, and a small snapshot's findings
    // (the doctor may take a while; the graph does not wait for it).
    case 'sources':
      return { start: (c) => c.prefetchQuery(sourcesQuery(id)), firstView: false };
    case 'findings':
      return { start: (c) => c.prefetchQuery(findingsQuery(id, '')), firstView: false };
    default:
      return null;
  }
}

/**
 * Starts the queries of the page's `<link rel="preload" as="fetch">` links as the script starts, and
 * resolves once those the first view is drawn from (snapshot list, detail, overview or graph) have
 * settled, or after `waitMs`, whichever comes first; never rejects (a failed query keeps its error
 * for the view to show). The server has usually answered them before the script has loaded: rendering
 * after they settle draws the first view once, with its data, instead of rendering an empty app,
 * then again for each answer as it arrives. `waitMs` bounds the blank page when the server is slow:
 * after it the app renders its loading states as before.
 */
export function primePreloaded(client: QueryClient, doc: Document, waitMs: number): Promise<void> {
  const waits: Promise<void>[] = [];
  for (const link of doc.querySelectorAll<HTMLLinkElement>('link[rel="preload"][as="fetch"]')) {
    const url = new URL(link.href, doc.baseURI);
    if (url.origin !== new URL(doc.baseURI).origin || url.search) continue;
    const q = queryOfPreload(url.pathname);
    if (!q) continue;
    const started = q.start(client);
    if (q.firstView) waits.push(started);
  }
  if (waits.length === 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    void Promise.allSettled(waits).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
