import express, { type Express } from 'express';
import { apiNotFound, errorMiddleware } from './http/error-middleware';
import { hostGuard, securityHeaders } from './http/security';
import { webApp } from './http/web-app';
import { analysisRoutes } from './routes/analysis-routes';
import { collectionRoutes } from './routes/collection-routes';
import { diffRoutes } from './routes/diff-routes';
import { exportRoutes } from './routes/export-routes';
import { fleetRoutes } from './routes/fleet-routes';
import type { FleetRuns } from './jobs/fleet-runs';
import { importRoutes } from './routes/import-routes';
import { overviewRoutes } from './routes/overview-routes';
import type { ApiDeps } from './routes/api-deps';
import { snapshotRoutes } from './routes/snapshot-routes';

export interface AppOptions extends ApiDeps {
  /** The built web app; null serves the API only. */
  readonly webDist: string | null;
  readonly allowedHosts: () => ReadonlySet<string>;
  /** Live fleet runs (the fleet view); absent, /api/fleet is not served. */
  readonly fleet?: FleetRuns;
}

/** The HTTP app: security first, then the JSON API, the web app, and one error middleware. */
export function createApp(o: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(securityHeaders, hostGuard(o.allowedHosts));
  const api = express.Router();
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  api.use('/snapshots', snapshotRoutes(o));
  api.use('/snapshots/:id', analysisRoutes(o));
  api.use('/snapshots/:id', exportRoutes(o));
  api.use('/snapshots/:id', overviewRoutes(o));
  api.use('/snapshots/:id', diffRoutes(o));
  api.use('/imports', importRoutes(o));
  api.use(collectionRoutes(o.jobs));
  if (o.fleet) api.use('/fleet', fleetRoutes(o.fleet));
  api.use(apiNotFound);
  app.use('/api', api);
  if (o.webDist) app.use(webApp(o.webDist, o.snapshots));
  app.use(errorMiddleware);
  return app;
}
