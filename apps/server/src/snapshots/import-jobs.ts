import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { type ImportPhase, type ImportRequest, type ImportStatus, importEnded } from '@svcpath/api-contract';
import { DomainError } from '../errors';
import type { LoadSummary } from '../engine/engine-ops';
import { ingestSnapshot, type IngestDeps } from './ingest';
import { readDump } from './read-dump';
import { withSharedText } from './shared-text';
import type { SnapshotMeta } from './snapshot';

/** Ended imports kept for their status; older ones are forgotten. */
const KEEP_ENDED = 20;
/** An import announced but never sent its body is forgotten after this long. */
const WAITING_MS = 10 * 60 * 1000;

interface Job {
  status: ImportStatus;
  readonly request: ImportRequest;
  readonly cancel: AbortController;
  phaseStarted: number;
}

/**
 * Imports that stream their dump: announced first (so their progress can be read and they can be
 * cancelled while the body is still arriving), then fed the body, received chunk by chunk.
 */
export class ImportJobs {
  private readonly jobs = new Map<string, Job>();

  constructor(private readonly deps: IngestDeps) {}

  /** Announces an import; its body comes with {@link receive}. */
  create(request: ImportRequest): ImportStatus {
    const id = randomUUID();
    const status: ImportStatus = { id, node: request.node, name: request.name, phase: 'waiting', received: 0, total: request.bytes, startedAt: new Date().toISOString(), phaseMs: {}, snapshotId: null, error: null };
    this.jobs.set(id, { status, request, cancel: new AbortController(), phaseStarted: performance.now() });
    this.forgetOld();
    return status;
  }

  get(id: string): ImportStatus {
    return this.job(id).status;
  }

  /** Stops an import: the body stops being read, a parse under way is dropped when it ends. */
  cancel(id: string): ImportStatus {
    const job = this.job(id);
    if (!importEnded(job.status.phase)) {
      job.cancel.abort();
      this.end(job, 'cancelled', { code: 'CANCELLED', message: 'the import was cancelled' });
    }
    return job.status;
  }

  /** Reads the body, parses it in the engine worker and stores it; resolves with the new snapshot. */
  async receive(id: string, body: Readable): Promise<{ snapshot: SnapshotMeta; load: LoadSummary }> {
    const job = this.job(id);
    if (job.status.phase !== 'waiting') throw new DomainError('INVALID_REQUEST', `import ${id} is ${job.status.phase}, not waiting for its dump`, { phase: job.status.phase });
    const signal = job.cancel.signal;
    const stop = () => body.destroy();
    signal.addEventListener('abort', stop, { once: true });
    try {
      this.enter(job, 'receiving');
      const dump = await readDump(body, { expected: job.request.bytes, onBytes: (n) => (job.status = { ...job.status, received: n }) });
      if (signal.aborted) throw new DomainError('CANCELLED', 'the import was cancelled', null);
      const r = job.request;
      const result = await ingestSnapshot(this.deps, { collection: r.collection, node: r.node, nodeIPs: r.nodeIPs, files: [withSharedText({ name: r.name }, dump.shared)] }, { signal, onPhase: (p) => this.enter(job, p) });
      job.status = { ...job.status, snapshotId: result.snapshot.id };
      this.end(job, 'done', null);
      return result;
    } catch (e) {
      const err = e instanceof DomainError ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: 'the import failed' };
      if (!importEnded(job.status.phase)) this.end(job, err.code === 'CANCELLED' ? 'cancelled' : 'failed', err);
      throw e;
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  private job(id: string): Job {
    const job = this.jobs.get(id);
    if (!job) throw new DomainError('NOT_FOUND', `no import "${id}"`, { id });
    return job;
  }

  private enter(job: Job, phase: ImportPhase): void {
    const now = performance.now();
    const was = job.status.phase;
    const phaseMs = { ...job.status.phaseMs, [was]: Math.round(now - job.phaseStarted) };
    job.phaseStarted = now;
    job.status = { ...job.status, phase, phaseMs };
  }

  private end(job: Job, phase: 'done' | 'failed' | 'cancelled', error: ImportStatus['error']): void {
    this.enter(job, phase);
    job.status = { ...job.status, error };
  }

  private forgetOld(): void {
    const now = performance.now();
    for (const j of this.jobs.values()) if (j.status.phase === 'waiting' && now - j.phaseStarted > WAITING_MS) this.jobs.delete(j.status.id);
    const ended = [...this.jobs.values()].filter((j) => importEnded(j.status.phase));
    for (const j of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) this.jobs.delete(j.status.id);
  }
}
