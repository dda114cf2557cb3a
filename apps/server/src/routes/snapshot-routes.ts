import express, { Router } from 'express';
import type { EngineSnapshot } from '../engine/engine-ops';
import { DomainError, snapshotNotFound } from '../errors';
import { ImportSnapshotBody, ImportTextQuery } from '../http/schemas';
import { validate } from '../http/validate';
import { metaOf, snapshotId, type Snapshot, type SnapshotSource } from '../snapshots/snapshot';
import type { ApiDeps } from './api-deps';
import { traceSources } from '../snapshots/trace-sources';

/** Dumps are big: 64 MB for imports only; every other route keeps express's small default. */
const IMPORT_LIMIT = '64mb';

export function engineSnapshot(s: Snapshot): EngineSnapshot {
  return { id: s.id, version: s.takenAt, files: s.files };
}

export async function requireSnapshot(source: SnapshotSource, id: string): Promise<Snapshot> {
  const s = await source.get(id);
  if (!s) throw snapshotNotFound(id);
  return s;
}

async function freeId(source: SnapshotSource, collection: string, node: string): Promise<string> {
  const base = snapshotId(collection, node);
  let id = base;
  for (let n = 2; await source.get(id); n++) id = `${base}-${n}`;
  return id;
}

function readImport(body: unknown, query: unknown, contentType: string | undefined): ImportSnapshotBody {
  if (contentType?.startsWith('text/plain')) {
    if (typeof body !== 'string' || body.length === 0) throw new DomainError('INVALID_REQUEST', 'empty dump', null);
    const q = validate(ImportTextQuery, query, 'import query');
    return { collection: q.collection, node: q.node, nodeIPs: q.nodeIPs, files: [{ name: q.name, text: body }] };
  }
  if (!contentType?.startsWith('application/json')) throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'send application/json or text/plain', null);
  return validate(ImportSnapshotBody, body, 'snapshot');
}

/** GET/POST /api/snapshots, GET/DELETE /api/snapshots/:id. */
export function snapshotRoutes({ snapshots, engine }: ApiDeps): Router {
  const r = Router();
  r.get('/', async (_req, res) => {
    res.json({ snapshots: await snapshots.list() });
  });
  r.post('/', express.json({ limit: IMPORT_LIMIT }), express.text({ limit: IMPORT_LIMIT, type: 'text/plain' }), async (req, res) => {
    const body = readImport(req.body, req.query, req.headers['content-type']);
    const snapshot: Snapshot = {
      id: await freeId(snapshots, body.collection, body.node),
      collection: body.collection,
      node: body.node,
      takenAt: body.takenAt ?? new Date().toISOString(),
      nodeIPs: body.nodeIPs,
      files: body.files,
    };
    const load = await engine.run(engineSnapshot(snapshot), { kind: 'load' });
    if (load.chainCount === 0) {
      engine.evict(snapshot.id);
      throw new DomainError('NO_RULES', 'no rules svcpath can trace in these files', { formats: load.formats, diagnostics: load.diagnostics.slice(0, 20) });
    }
    await snapshots.put(snapshot);
    res.status(201).json({ snapshot: metaOf(snapshot), load });
  });
  r.get('/:id', async (req, res) => {
    const s = await requireSnapshot(snapshots, req.params.id);
    res.json({ snapshot: metaOf(s), load: await engine.run(engineSnapshot(s), { kind: 'load' }) });
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
