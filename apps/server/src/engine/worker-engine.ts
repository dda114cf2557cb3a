import { Worker } from 'node:worker_threads';
import { DomainError, isErrorCode } from '../errors';
import type { EngineOp, EngineSnapshot, ResultOf, RulesetEngine } from './engine-ops';
import type { EngineReply, EngineRequestBody } from './engine-protocol';

/** The op as first sent: the other snapshot it reads goes by id and version only. */
function withoutFiles(op: EngineOp): EngineOp {
  return op.kind === 'counters' ? { kind: 'counters', since: { id: op.since.id, version: op.since.version } } : op;
}

type Pending = { resolve: (r: EngineReply) => void; reject: (e: Error) => void };

/**
 * Runs the ruleset engine in a worker thread. Parsed rulesets stay in the worker (copying a big one
 * back would block the event loop as long as parsing it); only plain results cross. Dump text is
 * sent only when the worker says it has not parsed that snapshot version yet.
 */
export class WorkerRulesetEngine implements RulesetEngine {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  private start(): Worker {
    if (this.worker) return this.worker;
    // execArgv: [] so the worker does not inherit `--import tsx` and register it twice.
    const w = new Worker(new URL('./engine-worker.mjs', import.meta.url), { execArgv: [] });
    w.on('message', (reply: EngineReply) => {
      this.pending.get(reply.id)?.resolve(reply);
      this.pending.delete(reply.id);
    });
    w.on('error', (e) => this.failAll(e));
    w.on('exit', (code) => {
      this.worker = null;
      if (code !== 0) this.failAll(new Error(`engine worker exited with code ${code}`));
    });
    w.unref();
    this.worker = w;
    return w;
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private send(req: EngineRequestBody): Promise<EngineReply> {
    const id = this.nextId++;
    const w = this.start();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ ...req, id });
    });
  }

  async run<K extends EngineOp['kind']>(snapshot: EngineSnapshot, op: Extract<EngineOp, { kind: K }>): Promise<ResultOf<K>> {
    const key = { id: snapshot.id, version: snapshot.version };
    let reply = await this.send({ type: 'run', snapshot: key, op: withoutFiles(op) });
    if (!reply.ok && 'notLoaded' in reply) reply = await this.send({ type: 'run', snapshot: { ...key, files: snapshot.files }, op });
    if (reply.ok) return reply.value as ResultOf<K>;
    if ('notLoaded' in reply) throw new Error('engine worker lost the snapshot it was just sent');
    const { code, message, details } = reply.error;
    throw new DomainError(isErrorCode(code) ? code : 'INTERNAL', message, details);
  }

  evict(snapshotId: string): void {
    // Nobody waits for an eviction; if the engine closes first there is nothing left to evict.
    if (this.worker) this.send({ type: 'evict', snapshotId }).catch(() => undefined);
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.failAll(new Error('engine closed'));
    if (w) await w.terminate();
  }
}
