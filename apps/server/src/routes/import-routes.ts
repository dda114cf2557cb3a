import express, { Router } from 'express';
import { ImportRequest } from '@svcpath/api-contract';
import { validate } from '../http/validate';
import { ImportJobs } from '../snapshots/import-jobs';
import type { ApiDeps } from './api-deps';

/**
 * Streaming imports, for dumps too big to send as one JSON body from a browser tab:
 * `POST /api/imports` announces one, `PUT /api/imports/:id/body` streams the dump (any content
 * type: it is read as UTF-8 text) and answers with the new snapshot, `GET /api/imports/:id` says
 * how far it got, `DELETE /api/imports/:id` cancels it.
 */
export function importRoutes({ snapshots, engine }: ApiDeps): Router {
  const jobs = new ImportJobs({ snapshots, engine });
  const r = Router();
  r.post('/', express.json({ limit: '16kb' }), (req, res) => {
    res.status(201).json({ import: jobs.create(validate(ImportRequest, req.body ?? {}, 'import')) });
  });
  r.get('/:id', (req, res) => {
    res.json({ import: jobs.get(req.params.id) });
  });
  r.delete('/:id', (req, res) => {
    res.json({ import: jobs.cancel(req.params.id) });
  });
  r.put('/:id/body', async (req, res) => {
    const result = await jobs.receive(req.params.id, req);
    res.status(201).json({ ...result, import: jobs.get(req.params.id) });
  });
  return r;
}
