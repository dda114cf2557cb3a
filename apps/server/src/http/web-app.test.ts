import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../start-server';

/**
 * The page itself: the bare address goes to the first snapshot, and a page opening a snapshot comes
 * with preload links for what it asks first (the same URLs the app fetches, so nothing is asked twice).
 */
const dist = mkdtempSync(join(tmpdir(), 'svcpath-web-'));
let server: RunningServer;
beforeAll(async () => {
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><html><head><title>svcpath</title></head><body></body></html>');
  // Vite's manifest, as `npx vite build apps/web` writes it (trimmed to the entries read).
  mkdirSync(join(dist, '.vite'));
  writeFileSync(
    join(dist, '.vite/manifest.json'),
    JSON.stringify({
      'index.html': { file: 'assets/index-A.js', isEntry: true, imports: ['_jsx-runtime-B.js'] },
      '_jsx-runtime-B.js': { file: 'assets/jsx-runtime-B.js' },
      'src/flow/GraphView.tsx': { file: 'assets/GraphView-C.js', isDynamicEntry: true, imports: ['_jsx-runtime-B.js', 'index.html'], css: ['assets/GraphView-D.css'] },
    }),
  );
  server = await startServer({ port: 0, collections: [fileURLToPath(new URL('../../demo', import.meta.url))], webDist: dist });
});
afterAll(async () => {
  await server?.close();
  rmSync(dist, { recursive: true, force: true });
});

describe('the web page', () => {
  it('sends the bare address to the first snapshot', async () => {
    const res = await fetch(server.url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/?snapshot=demo~worker-1');
  });

  it('preloads a small snapshot\'s detail, sources, graph and findings; nothing for another view', async () => {
    const html = await (await fetch(`${server.url}/?snapshot=demo~worker-1`)).text();
    const hrefs = [...html.matchAll(/<link rel="preload" href="([^"]+)" as="fetch" crossorigin="anonymous" \/>/g)].map((m) => m[1]);
    expect(hrefs).toEqual(['/api/snapshots/demo~worker-1', '/api/snapshots/demo~worker-1/sources', '/api/snapshots/demo~worker-1/graph', '/api/snapshots/demo~worker-1/findings']);
    expect(html.indexOf('<link rel="preload"')).toBeLessThan(html.indexOf('</head>'));
    for (const q of ['?snapshot=demo~worker-1&service=shop/cart', '?snapshot=nope', '?x=1']) expect(await (await fetch(`${server.url}/${q}`)).text(), q).not.toContain('rel="preload"');
  });

  it("preloads a small snapshot's graph view code (its chunk, what it imports but the page's script, its stylesheet); the manifest is not served", async () => {
    const html = await (await fetch(`${server.url}/?snapshot=demo~worker-1`)).text();
    expect([...html.matchAll(/<link rel="modulepreload" crossorigin href="([^"]+)" \/>/g)].map((m) => m[1])).toEqual(['/assets/GraphView-C.js', '/assets/jsx-runtime-B.js']);
    expect(html).toContain('<link rel="preload" as="style" crossorigin href="/assets/GraphView-D.css" />');
    expect(html).not.toContain('index-A.js');
    expect((await fetch(`${server.url}/.vite/manifest.json`)).headers.get('content-type')).toMatch(/text\/html/);
  });
});
