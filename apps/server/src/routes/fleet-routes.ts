import express, { Router } from 'express';
import { z } from 'zod';
import { validate } from '../http/validate';
import type { FleetRuns } from '../jobs/fleet-runs';

const FleetRunBody = z.object({
  selector: z.string().trim().min(1).max(500).optional(),
  concurrency: z.number().int().min(1).max(100).optional(),
  nodeTimeoutSeconds: z.number().int().min(5).max(3600).optional(),
  dumps: z.enum(['disagreeing', 'all']).optional(),
});

/**
 * The fleet view's API: `POST /api/fleet/runs` starts a live fleet run with the server's own
 * cluster access (202 + the run; 409 while one runs), `GET /api/fleet/runs/latest` the newest run
 * (`{ run: null }` before the first), `GET …/runs/:id` one run, `POST …/runs/:id/cancel` stops it.
 */
export function fleetRoutes(runs: FleetRuns): Router {
  const r = Router();
  r.post('/runs', express.json({ limit: '4kb' }), (req, res) => {
    const body = validate(FleetRunBody, req.body ?? {}, 'fleet run');
    const run = runs.start(body);
    res.status(202).location(`/api/fleet/runs/${run.id}`).json({ run });
  });
  r.get('/runs/latest', (_req, res) => {
    res.json({ run: runs.latest() });
  });
  r.get('/runs/:id', (req, res) => {
    res.json({ run: runs.get(req.params.id) });
  });
  r.post('/runs/:id/cancel', (req, res) => {
    res.json({ run: runs.cancel(req.params.id) });
  });
  return r;
}
