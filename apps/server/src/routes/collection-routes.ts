import express, { Router } from 'express';
import { CollectionBody } from '../http/schemas';
import { validate } from '../http/validate';
import type { CollectionJobs } from '../jobs/collection-jobs';

/** POST /api/collections starts a collection job (202 + the job); GET /api/jobs/:id follows it. */
export function collectionRoutes(jobs: CollectionJobs): Router {
  const r = Router();
  r.post('/collections', express.json({ limit: '16kb' }), (req, res) => {
    const body = validate(CollectionBody, req.body, 'collection');
    const job = jobs.start(body);
    res.status(202).location(`/api/jobs/${job.id}`).json({ job });
  });
  r.get('/jobs/:id', (req, res) => {
    res.json({ job: jobs.get(req.params.id) });
  });
  return r;
}
