import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>svcpath</title>
<p>The web app is not built. Run <code>npx vite build apps/web</code> and reload; the API is at <a href="/api/snapshots">/api/snapshots</a>.</p>`;

/** docs/doctor.md explains each finding code; the web app links to its anchors. */
const DOCTOR_DOC = fileURLToPath(new URL('../../../../docs/doctor.md', import.meta.url));

/**
 * Serves the built web app (apps/web/dist) and answers any other non-API GET with index.html, so
 * links that hold the whole view in their URL open straight into it. Also serves docs/doctor.md,
 * which the findings panel links to.
 */
export function webApp(distDir: string): Router {
  const r = Router();
  const dist = resolve(distDir);
  const index = join(dist, 'index.html');
  r.get('/docs/doctor.md', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/plain; charset=utf-8').sendFile(DOCTOR_DOC);
  });
  r.use(express.static(dist, { index: false, maxAge: '1h', setHeaders: (res, path) => path.endsWith('.html') && res.setHeader('Cache-Control', 'no-cache') }));
  r.get('/{*path}', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    if (existsSync(index)) res.sendFile(index);
    else res.type('html').send(NOT_BUILT);
  });
  return r;
}
