import { Router } from 'express';
import { z } from 'zod';
import { validate } from '../http/validate';
import type { ApiDeps } from './api-deps';
import { SettledAnswers } from './settled-answers';
import { engineSnapshot, requireSnapshot } from './snapshot-routes';

const Namespace = z.string().min(1).max(253).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a namespace name');

/**
 * The aggregated views of a snapshot, small whatever its size: `GET …/overview` (counts per
 * namespace) and `GET …/namespaces/:namespace/services` (one namespace's Services as list rows).
 * Mounted at /api/snapshots/:id.
 */
export function overviewRoutes({ snapshots, engine }: ApiDeps): Router {
  const r = Router({ mergeParams: true });
  const settled = new SettledAnswers(engine);
  r.get('/overview', async (req, res) => {
    const s = await requireSnapshot(snapshots, (req.params as Record<string, string>).id ?? '');
    res.json(await settled.run(engineSnapshot(s), 'namespaces'));
  });
  r.get('/namespaces/:namespace/services', async (req, res) => {
    const p = req.params as Record<string, string>;
    const namespace = validate(Namespace, p.namespace, 'namespace');
    const s = await requireSnapshot(snapshots, p.id ?? '');
    res.json({ namespace, services: await engine.run(engineSnapshot(s), { kind: 'namespace-services', namespace }) });
  });
  return r;
}
