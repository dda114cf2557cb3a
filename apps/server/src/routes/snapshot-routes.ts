import express, { Router, type Request } from 'express';
import type { EngineSnapshot } from '../engine/engine-ops';
import { DomainError, snapshotNotFound } from '../errors';
import { ImportSnapshotBody, ImportTextQuery } from '../http/schemas';
import { validate } from '../http/validate';
import { ingestSnapshot, type IngestInput } from '../snapshots/ingest';
import { readDump } from '../snapshots/read-dump';
import { withSharedText } from '../snapshots/shared-text';
import { metaOf, type Snapshot, type SnapshotSource } from '../snapshots/snapshot';
import type { ApiDeps } from './api-deps';
import { SettledAnswers } from './settled-answers';
import { traceSources } from '../snapshots/trace-sources';

/** Dumps are big: 64 MB for imports only (text/plain ones are streamed, see read-dump.ts); every other route keeps express's small default. */
const IMPORT_LIMIT = '64mb';

export function engineSnapshot(s: Snapshot): EngineSnapshot {
  return { id: s.id, version: s.takenAt, files: s.files };
}

export async function requireSnapshot(source: SnapshotSource, id: string): Promise<Snapshot> {
  const s = await source.get(id);
  if (!s) throw snapshotNotFound(id);
  return s;
}

async function readImport(req: Request): Promise<IngestInput> {
  const contentType = req.headers['content-type'];
  if (contentType?.startsWith('text/plain')) {
    // Validated before the body is read, so a bad query does not first wait for 40 MB.
    const q = validate(ImportTextQuery, req.query, 'import query');
    const length = Number(req.headers['content-length']);
    const dump = await readDump(req, Number.isFinite(length) && length > 0 ? { expected: length } : {});
    return { collection: q.collection, node: q.node, nodeIPs: q.nodeIPs, files: [withSharedText({ name: q.name }, dump.shared)] };
  }
  if (!contentType?.startsWith('application/json')) throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'send application/json or text/plain', null);
  return validate(ImportSnapshotBody, req.body, 'snapshot');
}

/** GET/POST /api/snapshots, GET/DELETE /api/snapshots/:id. */
export function snapshotRoutes({ snapshots, engine }: ApiDeps): Router {
  const r = Router();
  // A page's first asks (detail, overview) answered without queueing behind the engine (see SettledAnswers).
  const settled = new SettledAnswers(engine);
  r.get('/', async (_req, res) => {
    res.json({ snapshots: await snapshots.list() });
  });
  r.post('/', express.json({ limit: IMPORT_LIMIT }), async (req, res) => {
    const body = await readImport(req);
    res.status(201).json(await ingestSnapshot({ snapshots, engine }, body));
  });
  r.get('/:id', async (req, res) => {
    const s = await requireSnapshot(snapshots, req.params.id);
    res.json({ snapshot: metaOf(s), load: await settled.run(engineSnapshot(s), 'load') });
  });
  // Who can send a traced packet: the snapshot's Pods (with their addresses) and nodes, for the trace form.
  r.get('/:id/sources', async (req, res) => {
    const s = await requireSnapshot(snapshots, req.params.id);
    res.json(traceSources(s));
  });
  r.delete('/:id', async (req, res) => {
    if (!(await snapshots.delete(req.params.id))) throw snapshotNotFound(req.params.id);
    engine.evict(req.params.id);
    res.status(204).end();
  });
  return r;
}
