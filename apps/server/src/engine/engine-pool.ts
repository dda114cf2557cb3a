import { Worker } from 'node:worker_threads';
import { DomainError, isErrorCode } from '../errors';
import { withoutFiles, type EngineOp, type EngineSnapshot, type ResultOf, type RulesetEngine } from './engine-ops';
import type { EngineReply, EngineRequestBody } from './engine-protocol';
import { postableFiles } from '../snapshots/shared-text';

/** How much one request may take of an engine worker, and how many workers there may be. */
export interface EnginePoolOptions {
  /** Workers at most (each keeps its own parsed snapshots). Default 3. */
  readonly maxWorkers?: number;
  /** One op's wall time before its worker is stopped and restarted. Default 60 s. */
  readonly requestMs?: number;
  /** A worker's JavaScript heap (resourceLimits.maxOldGenerationSizeMb). Default 2048. */
  readonly memoryMb?: number;
  /** The tracer's own budget inside the worker (time kept below requestMs). Default 20 s. */
  readonly trace?: { readonly maxMillis?: number; readonly maxSteps?: number; readonly maxOutcomes?: number };
  /** Parsed snapshots kept per worker. Default 6 (SVCPATH_ENGINE_CACHE). */
  readonly cacheSize?: number;
  /** Where restarts are said. Default console.error. */
  readonly log?: (line: string) => void;
  /**
   * The workers' nice value (Linux: per thread, so the server's event loop and other pools keep
   * theirs; elsewhere ignored). Default 0. A pool of background work (the doctor) runs at a higher
   * one, so the machine's cores go first to what a person waits for.
   */
  readonly nice?: number;
}

/** What a worker is started with (engine-worker-main.ts reads it). */
export interface EngineWorkerData {
  readonly cacheSize: number;
  readonly nice: number;
  readonly trace: { readonly maxMillis: number; readonly maxSteps?: number; readonly maxOutcomes?: number };
}

interface Job {
  readonly snapshot: EngineSnapshot;
  readonly op: EngineOp;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  /** Snapshot versions (`id@version`) this worker has been sent. */
  readonly loaded: Set<string>;
  /** Settles when the worker has loaded the engine (compiling it can take seconds on a busy machine). */
  readonly ready: Promise<void>;
  /** True once `ready` has settled: later ops skip the wait (and add no exit listener each). */
  isReady: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | null;
  /** The reply the worker's current message waits for, by message id. */
  waiting: { id: number; resolve: (r: EngineReply) => void } | null;
  dead: boolean;
}

const keyOf = (s: { id: string; version: string }) => `${s.id}@${s.version}`;

/**
 * The ruleset engine as a pool of worker threads, so one request cannot hold up the others: an op
 * goes to an idle worker (one that has its snapshot parsed first), a new worker is started while
 * there are fewer than `maxWorkers`, and only then does it wait. A worker whose op runs past
 * `requestMs` or out of memory is stopped (synchronous JavaScript cannot be interrupted any other
 * way); that request gets ENGINE_TIMEOUT / ENGINE_FAILED, the log says the engine restarted, and
 * the ops queued behind it go to the other workers.
 */
export class EnginePool implements RulesetEngine {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private closed = false;
  private nextId = 1;
  private readonly o: Required<EnginePoolOptions>;

  constructor(o: EnginePoolOptions = {}) {
    this.o = {
      maxWorkers: o.maxWorkers ?? 3,
      requestMs: o.requestMs ?? 60_000,
      memoryMb: o.memoryMb ?? 2048,
      trace: o.trace ?? {},
      cacheSize: o.cacheSize ?? Number(process.env.SVCPATH_ENGINE_CACHE ?? 6),
      log: o.log ?? ((line) => console.error(line)),
      nice: o.nice ?? 0,
    };
  }

  run<K extends EngineOp['kind']>(snapshot: EngineSnapshot, op: Extract<EngineOp, { kind: K }>, o: { readonly signal?: AbortSignal } = {}): Promise<ResultOf<K>> {
    if (this.closed) return Promise.reject(new Error('engine closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ snapshot, op, signal: o.signal, resolve: resolve as (v: unknown) => void, reject });
      this.dispatch();
    });
  }

  evict(snapshotId: string): void {
    for (const slot of this.slots) {
      for (const k of [...slot.loaded]) if (k.startsWith(`${snapshotId}@`)) slot.loaded.delete(k);
      // Nobody waits for an eviction; an idle worker drops its parsed copy now, a busy one keeps it
      // until its LRU cache lets it go.
      if (!slot.job && !slot.dead) slot.worker.postMessage({ id: this.nextId++, type: 'evict', snapshotId });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('engine closed'));
    await Promise.all(this.slots.splice(0).map((s) => this.stop(s, new Error('engine closed'))));
  }

  /**
   * Gives queued ops to workers. An op goes to a worker that has its snapshot parsed (or is parsing
   * it now) and waits for that worker when it is busy: a second parse of a 40 MB dump in another
   * worker costs more than the wait, and doubles the memory. An op on a snapshot no worker holds
   * takes an idle worker, starting one while the pool may grow. So a runaway op holds up only ops
   * on its own snapshot, never another snapshot's.
   */
  private dispatch(): void {
    for (let at = 0; at < this.queue.length && !this.closed; ) {
      const job = this.queue[at]!;
      if (job.signal?.aborted) {
        this.queue.splice(at, 1);
        job.reject(new DomainError('CANCELLED', 'the request was cancelled before the engine ran it', null));
        continue;
      }
      const slot = this.slotFor(job);
      if (!slot) {
        at += 1;
        continue;
      }
      this.queue.splice(at, 1);
      void this.start(slot, job);
    }
  }

  /** The worker a queued op may start on now, or null when it must wait. */
  private slotFor(job: Job): Slot | null {
    const key = keyOf(job.snapshot);
    const live = this.slots.filter((s) => !s.dead);
    const owners = live.filter((s) => s.loaded.has(key) || (s.job && keyOf(s.job.snapshot) === key));
    if (owners.length > 0) return owners.find((s) => !s.job) ?? null;
    const idle = live.filter((s) => !s.job);
    if (idle.length > 0) return idle.reduce((a, b) => (b.loaded.size < a.loaded.size ? b : a));
    return this.slots.length < this.o.maxWorkers ? this.spawn() : null;
  }

  private spawn(): Slot {
    const data: EngineWorkerData = { cacheSize: this.o.cacheSize, nice: this.o.nice, trace: { ...this.o.trace, maxMillis: Math.min(this.o.trace.maxMillis ?? 20_000, this.o.requestMs) } };
    // execArgv: [] so the worker does not inherit `--import tsx` and register it twice.
    const worker = new Worker(new URL('./engine-worker.mjs', import.meta.url), {
      execArgv: [],
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: this.o.memoryMb },
    });
    let onReady = () => undefined as void;
    const ready = new Promise<void>((resolve) => (onReady = resolve));
    const slot: Slot = { worker, loaded: new Set(), ready, isReady: false, job: null, timer: null, waiting: null, dead: false };
    worker.on('message', (reply: EngineReply | { ready: true }) => {
      if ('ready' in reply) {
        slot.isReady = true;
        return onReady();
      }
      const w = slot.waiting;
      if (!w || w.id !== reply.id) return; // an eviction's acknowledgement
      slot.waiting = null;
      w.resolve(reply);
    });
    worker.on('error', (e) => this.fail(slot, e));
    worker.on('exit', (code) => this.fail(slot, new Error(`engine worker exited with code ${code}`)));
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private send(slot: Slot, req: EngineRequestBody): Promise<EngineReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      slot.waiting = { id, resolve };
      slot.worker.postMessage({ ...req, id });
    });
  }

  private async start(slot: Slot, job: Job): Promise<void> {
    slot.job = job;
    if (!slot.isReady) await Promise.race([slot.ready, new Promise((r) => slot.worker.once('exit', r))]);
    if (slot.job !== job) return;
    // The budget counts the op's own work, not the worker's start.
    slot.timer = setTimeout(() => this.overtime(slot), this.o.requestMs);
    const key = { id: job.snapshot.id, version: job.snapshot.version };
    const cancelParse = () => this.cancelled(slot, job);
    try {
      let reply = await this.send(slot, { type: 'run', snapshot: key, op: withoutFiles(job.op) });
      if (!reply.ok && 'notLoaded' in reply) {
        // Parsing a big dump takes seconds: one nobody waits for any more is not started, or is
        // stopped, not finished.
        if (job.signal?.aborted) return job.reject(new DomainError('CANCELLED', 'the request was cancelled before the engine parsed the snapshot', null));
        job.signal?.addEventListener('abort', cancelParse, { once: true });
        reply = await this.send(slot, { type: 'run', snapshot: { ...key, files: postableFiles(job.snapshot.files) }, op: job.op });
      }
      if (slot.job !== job) return; // stopped meanwhile: the job was settled there
      slot.loaded.add(keyOf(key));
      if (reply.ok) job.resolve(reply.value);
      else if ('notLoaded' in reply) job.reject(new Error('engine worker lost the snapshot it was just sent'));
      else job.reject(new DomainError(isErrorCode(reply.error.code) ? reply.error.code : 'INTERNAL', reply.error.message, reply.error.details));
    } finally {
      job.signal?.removeEventListener('abort', cancelParse);
      if (slot.job === job) this.release(slot);
    }
  }

  /** The asker of a parse in progress has gone: the worker is stopped (its other parsed snapshots are parsed again on demand). */
  private cancelled(slot: Slot, job: Job) {
    if (slot.job !== job) return;
    this.o.log(`svcpath engine: the ${job.op.kind} parsing snapshot ${job.snapshot.id} was cancelled; its worker was stopped`);
    job.reject(new DomainError('CANCELLED', 'the request was cancelled while the engine parsed the snapshot', null));
    slot.job = null;
    void this.stop(slot, null);
  }

  private release(slot: Slot) {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
    this.dispatch();
  }

  private overtime(slot: Slot) {
    const job = slot.job;
    if (!job) return;
    this.o.log(`svcpath engine: a ${job.op.kind} on snapshot ${job.snapshot.id} ran past ${this.o.requestMs} ms; its worker was stopped and the engine restarted`);
    job.reject(new DomainError('ENGINE_TIMEOUT', `the ${job.op.kind} took longer than ${Math.round(this.o.requestMs / 1000)} s and was stopped; the engine restarted (other requests were not affected)`, { ms: this.o.requestMs }));
    slot.job = null;
    void this.stop(slot, null);
  }

  private fail(slot: Slot, e: Error) {
    if (slot.dead) return;
    const job = slot.job;
    slot.job = null;
    if (job) {
      const oom = (e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.o.log(`svcpath engine: a ${job.op.kind} on snapshot ${job.snapshot.id} ${oom ? `ran out of memory (${this.o.memoryMb} MB)` : `failed (${e.message})`}; the engine restarted`);
      job.reject(new DomainError('ENGINE_FAILED', oom ? `the ${job.op.kind} needed more memory than a request may use and was stopped; the engine restarted` : 'the ruleset engine failed on this request and restarted', null));
    }
    void this.stop(slot, null);
  }

  private async stop(slot: Slot, reason: Error | null) {
    slot.dead = true;
    if (slot.timer) clearTimeout(slot.timer);
    if (reason && slot.job) slot.job.reject(reason);
    slot.job = null;
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
    await slot.worker.terminate().catch(() => undefined);
    this.dispatch();
  }
}
