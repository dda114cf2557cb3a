import { parentPort, workerData } from 'node:worker_threads';
import { DomainError } from '../errors';
import type { EngineWorkerData } from './engine-pool';
import { otherSnapshotsOf } from './engine-ops';
import type { EngineReply, EngineRequest } from './engine-protocol';
import { RulesetQueries } from './ruleset-queries';

/** The engine worker: parses snapshots and answers ops, one message at a time. */
const data = workerData as Partial<EngineWorkerData> | null;
const queries = new RulesetQueries(data?.cacheSize ?? Number(process.env.SVCPATH_ENGINE_CACHE ?? 6), {
  ...data?.trace,
  now: () => performance.now(),
});

function handle(req: EngineRequest): EngineReply {
  if (req.type === 'evict') {
    queries.evict(req.snapshotId);
    return { id: req.id, ok: true, value: null };
  }
  const { snapshot, op } = req;
  // The other snapshots an op reads first, so loading them cannot evict this one.
  const needed = [...otherSnapshotsOf(op), snapshot];
  if (needed.length > queries.capacity)
    throw new DomainError('INVALID_REQUEST', `this asks for ${needed.length} snapshots at once; the engine keeps ${queries.capacity} (SVCPATH_ENGINE_CACHE)`, { snapshots: needed.length });
  for (const s of needed) {
    if (queries.has(s.id, s.version)) continue;
    if (!s.files) return { id: req.id, ok: false, notLoaded: true };
    queries.load({ id: s.id, version: s.version, files: s.files });
  }
  return { id: req.id, ok: true, value: queries.run(snapshot.id, op) };
}

parentPort!.on('message', (req: EngineRequest) => {
  let reply: EngineReply;
  try {
    reply = handle(req);
  } catch (e) {
    if (e instanceof DomainError) reply = { id: req.id, ok: false, error: e.toBody().error };
    else {
      // Logged here, not sent: internal messages can name server paths.
      console.error('svcpath engine:', e);
      reply = { id: req.id, ok: false, error: { code: 'INTERNAL', message: 'the ruleset engine failed', details: null } };
    }
  }
  parentPort!.postMessage(reply);
});

// The pool starts a request's clock only once the engine is loaded here.
parentPort!.postMessage({ ready: true });
