import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { Graph } from '@svcpath/graph';
import type { Layout } from '@svcpath/layout';
import { layoutWithElk } from '@svcpath/layout/elk';
import { DomainError } from '../errors';
import type { EngineWorkerData } from './engine-pool';
import { otherSnapshotsOf } from './engine-ops';
import type { EngineReply, EngineRequest } from './engine-protocol';
import { RulesetQueries } from './ruleset-queries';

/** The engine worker: parses snapshots and answers ops, one message at a time. */
const data = workerData as Partial<EngineWorkerData> | null;
// Linux keeps a nice value per thread, and setpriority(2) on "this process" (0) sets this thread's
// alone; elsewhere it would set the whole server's, so it is left there.
if (data?.nice && process.platform === 'linux') {
  try {
    setPriority(data.nice);
  } catch {
    // Not allowed here: the worker runs at the server's priority.
  }
}
const queries = new RulesetQueries(data?.cacheSize ?? Number(process.env.SVCPATH_ENGINE_CACHE ?? 6), {
  ...data?.trace,
  now: () => performance.now(),
});

/**
 * Graphs up to this many nodes go out laid out (ELK, here in the worker), so a page draws them at
 * once instead of first loading ELK itself; bigger ones the browser lays out.
 */
const LAYOUT_MAX_NODES = 400;
const layouts = new Map<string, Promise<Layout>>();

async function withLayout(snapshot: { id: string; version: string }, graph: Graph): Promise<Graph & { layout?: Layout }> {
  if (graph.nodes.length > LAYOUT_MAX_NODES) return graph;
  const key = `${snapshot.id}@${snapshot.version}:${graph.key}`;
  let layout = layouts.get(key);
  if (!layout) {
    layout = layoutWithElk(graph);
    layouts.set(key, layout);
    layout.catch(() => layouts.delete(key));
    while (layouts.size > 64) layouts.delete(layouts.keys().next().value!);
  }
  try {
    return { ...graph, layout: await layout };
  } catch {
    return graph; // the browser lays it out instead
  }
}

async function handle(req: EngineRequest): Promise<EngineReply> {
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
  const value = queries.run(snapshot.id, op);
  if (op.kind === 'overview' || op.kind === 'service-graph') return { id: req.id, ok: true, value: await withLayout(snapshot, value as Graph) };
  return { id: req.id, ok: true, value };
}

/**
 * Snapshots just parsed whose Services' graphs are to be prepared (see RulesetQueries.prepare): done
 * once the worker has had nothing to do for a while, so the requests that follow a parse (the
 * overview, a namespace's list) are not kept waiting behind it.
 */
const toPrepare = new Set<string>();
const PREPARE_WHEN_IDLE_MS = 1500;
let prepareTimer: ReturnType<typeof setTimeout> | null = null;
/** Bumped by each request: a preparation under way stops at its next step (and starts again when idle). */
let asked = 0;

function prepareLater(): void {
  if (prepareTimer) clearTimeout(prepareTimer);
  prepareTimer = toPrepare.size === 0 ? null : setTimeout(() => {
    prepareTimer = null;
    void prepareNow(asked);
  }, PREPARE_WHEN_IDLE_MS);
}

/**
 * Prepares the snapshots waiting for it one step at a time, with a turn of the event loop between
 * steps, so a request that comes meanwhile is answered after one step instead of after all of
 * them; it then waits for the next idle spell. Steps already done are kept (each is memoised).
 */
async function prepareNow(since: number): Promise<void> {
  for (const id of [...toPrepare]) {
    for (const step of queries.prepareSteps(id)) {
      await new Promise((r) => setImmediate(r));
      if (asked !== since) return;
      step();
    }
    toPrepare.delete(id);
  }
}

parentPort!.on('message', async (req: EngineRequest) => {
  asked++;
  if (prepareTimer) clearTimeout(prepareTimer);
  let reply: EngineReply;
  try {
    reply = await handle(req);
  } catch (e) {
    if (e instanceof DomainError) reply = { id: req.id, ok: false, error: e.toBody().error };
    else {
      // Logged here, not sent: internal messages can name server paths.
      console.error('svcpath engine:', e);
      reply = { id: req.id, ok: false, error: { code: 'INTERNAL', message: 'the ruleset engine failed', details: null } };
    }
  }
  parentPort!.postMessage(reply);
  // A snapshot just parsed: when nothing else is asked, build what its Services' graphs read, so the
  // first one opened is drawn at once (a request that comes meanwhile waits for one step of it).
  if (req.type !== 'evict' && req.op.kind === 'load' && reply.ok) toPrepare.add(req.snapshot.id);
  prepareLater();
});

// The pool starts a request's clock only once the engine is loaded here.
parentPort!.postMessage({ ready: true });
