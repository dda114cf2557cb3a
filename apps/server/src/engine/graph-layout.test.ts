import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '@svcpath/graph';
import type { Layout } from '@svcpath/layout';
import { startServer, type RunningServer } from '../start-server';

/**
 * Graphs leave the server laid out (ELK in the engine worker), so a page draws them without first
 * loading ELK itself: every node has a box, no two boxes overlap, and the second ask is cached.
 */
let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0, collections: [fileURLToPath(new URL('../../demo', import.meta.url))] });
});
afterAll(() => server?.close());

const get = async (path: string) => (await (await fetch(`${server.url}${path}`)).json()) as Graph & { layout?: Layout };

describe('graphs come laid out', () => {
  for (const path of ['/api/snapshots/demo~worker-1/graph', '/api/snapshots/demo~worker-2/services/shop/frontend/graph']) {
    it(path, async () => {
      const g = await get(path);
      expect(g.layout).toBeDefined();
      const boxes = g.nodes.filter((n) => !n.parentId).map((n) => ({ id: n.id, b: g.layout!.nodes[n.id]! }));
      for (const { id, b } of boxes) expect(b?.width, id).toBeGreaterThan(0);
      for (const a of boxes)
        for (const c of boxes)
          if (a.id < c.id) expect(a.b.x + a.b.width <= c.b.x || c.b.x + c.b.width <= a.b.x || a.b.y + a.b.height <= c.b.y || c.b.y + c.b.height <= a.b.y, `${a.id} on ${c.id}`).toBe(true);
      for (const e of g.edges.filter((x) => x.kind !== 'masquerade-mark')) expect(g.layout!.edges[e.id]?.length ?? 0, e.id).toBeGreaterThan(1);
      expect(await get(path)).toEqual(g);
    });
  }
});
