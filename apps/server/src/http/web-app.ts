import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type Request } from 'express';
import type { SnapshotSource } from '../snapshots/snapshot';

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>svcpath</title>
<p>The web app is not built. Run <code>npx vite build apps/web</code> and reload; the API is at <a href="/api/snapshots">/api/snapshots</a>.</p>`;

/** docs/doctor.md explains each finding code; the web app links to its anchors. */
const DOCTOR_DOC = fileURLToPath(new URL('../../../../docs/doctor.md', import.meta.url));

/** Under this many bytes of dumps a snapshot opens on its graph (the web app's rule too: App.tsx). */
const SMALL_SNAPSHOT_BYTES = 1_000_000;

/** The web app's graph view, loaded on first use (apps/web/src/lazy-views.ts), as Vite's manifest names it. */
const GRAPH_VIEW_SOURCE = 'src/flow/GraphView.tsx';

/**
 * Serves the built web app (apps/web/dist) and answers any other non-API GET with index.html, so
 * links that hold the whole view in their URL open straight into it. The bare address goes to the
 * first snapshot (`/?snapshot=…`), and a page opening a snapshot is sent with preload links for the
 * first things it will ask about it, so the browser fetches them while the script loads. Also
 * serves docs/doctor.md, which the findings panel links to.
 */
export function webApp(distDir: string, snapshots?: SnapshotSource): Router {
  const r = Router();
  const dist = resolve(distDir);
  const index = join(dist, 'index.html');
  r.get('/docs/doctor.md', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/plain; charset=utf-8').sendFile(DOCTOR_DOC);
  });
  r.use(express.static(dist, { index: false, maxAge: '1h', setHeaders: (res, path) => path.endsWith('.html') && res.setHeader('Cache-Control', 'no-cache') }));
  let page: string | null = null;
  let graphCode: string | null = null;
  r.get('/{*path}', async (req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    if (!existsSync(index)) return void res.type('html').send(NOT_BUILT);
    const list = snapshots ? await snapshots.list().catch(() => []) : [];
    if (req.path === '/' && Object.keys(req.query).length === 0 && list[0]) return res.redirect(302, `/?snapshot=${encodeURIComponent(list[0].id)}`);
    page ??= readFileSync(index, 'utf8');
    graphCode ??= graphViewPreloads(join(dist, '.vite/manifest.json'));
    res.type('html').send(page.replace('</head>', `${preloads(req, list, graphCode)}</head>`));
  });
  return r;
}

/**
 * Preload links for what a page opening a snapshot asks first (the same URLs, so the fetches reuse
 * them); a small snapshot opens on its graph, so the graph view's code (`graphCode`) comes with it.
 */
function preloads(req: Request, list: readonly { id: string; files: readonly { bytes: number }[] }[], graphCode: string): string {
  const id = typeof req.query.snapshot === 'string' ? req.query.snapshot : undefined;
  const meta = id ? list.find((s) => s.id === id) : undefined;
  if (!meta || Object.keys(req.query).some((k) => k !== 'snapshot')) return '';
  const at = `/api/snapshots/${encodeURIComponent(meta.id)}`;
  const small = meta.files.reduce((n, f) => n + f.bytes, 0) < SMALL_SNAPSHOT_BYTES;
  const urls = [at, `${at}/sources`, ...(small ? [`${at}/graph`, `${at}/findings`] : [`${at}/overview`])];
  return urls.map((u) => `<link rel="preload" href="${u.replace(/"/g, '&quot;')}" as="fetch" crossorigin="anonymous" />`).join('') + (small ? graphCode : '');
}

/**
 * Module preload links for the graph view's chunk and the chunks it imports, and a preload of its
 * stylesheet, from the build's manifest: the page asks for them only once its first script has run.
 * Nothing when the build has no manifest or no such chunk.
 */
function graphViewPreloads(manifestFile: string): string {
  type Chunk = { file: string; isEntry?: boolean; imports?: string[]; css?: string[] };
  let manifest: Record<string, Chunk>;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, Chunk>;
  } catch {
    return '';
  }
  const view = manifest[GRAPH_VIEW_SOURCE];
  if (!view) return '';
  // Its imports include the page's own first script (the entry): asked already.
  const imported = (view.imports ?? []).map((k) => manifest[k]).filter((c): c is Chunk => !!c && !c.isEntry);
  const files = [view.file, ...imported.map((c) => c.file)];
  const attr = (f: string) => `/${f}`.replace(/"/g, '&quot;');
  return [...files.map((f) => `<link rel="modulepreload" crossorigin href="${attr(f)}" />`), ...(view.css ?? []).map((f) => `<link rel="preload" as="style" crossorigin href="${attr(f)}" />`)].join('');
}
