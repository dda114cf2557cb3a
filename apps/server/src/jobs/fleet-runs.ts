import { randomUUID } from 'node:crypto';
import { LiveFleetError, type LiveFleetOptions, type LiveFleetProgress, type LiveFleetResult } from '@svcpath/collector';
import type { Snapshot } from '@svcpath/api-contract';
import { DomainError } from '../errors';
import type { FleetRunRequest, FleetRunView } from '@svcpath/api-contract';

/** `collectLiveFleet` from @svcpath/collector (the same run as `svcpath fleet --live`), or a test's wrapper of it. */
export type LiveFleetFn = (o: LiveFleetOptions) => Promise<LiveFleetResult>;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
/** Finished runs kept for `GET …/runs/:id`; the latest is always kept. */
const KEEP = 5;

/**
 * Live fleet runs in the background of the server process, one at a time (each creates up to
 * `concurrency` Pods in the cluster; two at once would only double that). `start` returns at once;
 * the run records progress, then the report. Errors that stop a run before any node is asked (no
 * cluster access, no node selected) are the run's `error`; a node's failure is in the report.
 */
export class FleetRuns {
  private readonly runs: Mutable<FleetRunView>[] = [];
  private readonly cancels = new Map<string, AbortController>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly collect: LiveFleetFn,
    /** Where round 3's snapshots go (the server's snapshot source); returns the id. */
    private readonly store: (snapshot: Snapshot) => Promise<string>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(request: FleetRunRequest): FleetRunView {
    const running = this.runs.find((r) => r.state === 'running');
    if (running) throw new DomainError('FLEET_RUN_RUNNING', `a fleet run is already running (${running.id}); wait for it or cancel it`, { id: running.id });
    const run: Mutable<FleetRunView> = {
      id: randomUUID(),
      state: 'running',
      request,
      startedAt: this.now().toISOString(),
      finishedAt: null,
      progress: { round: 0, done: 0, total: 0, failed: 0, step: 'reading the cluster state' },
      result: null,
      error: null,
    };
    this.runs.push(run);
    if (this.runs.length > KEEP) this.runs.shift();
    const cancel = new AbortController();
    this.cancels.set(run.id, cancel);
    const done = this.run(run, cancel.signal).finally(() => this.running.delete(done));
    this.running.add(done);
    return structuredClone(run);
  }

  latest(): FleetRunView | null {
    const run = this.runs.at(-1);
    return run ? structuredClone(run) : null;
  }

  get(id: string): FleetRunView {
    const run = this.runs.find((r) => r.id === id);
    if (!run) throw new DomainError('FLEET_RUN_NOT_FOUND', `no fleet run "${id}"`, { id });
    return structuredClone(run);
  }

  /** Stops creating Pods; the run deletes those it created, then ends `cancelled` with what it has. */
  cancel(id: string): FleetRunView {
    this.get(id);
    this.cancels.get(id)?.abort();
    return this.get(id);
  }

  /** Cancels every running run and waits until each has deleted its Pods (server shutdown). */
  async close(): Promise<void> {
    for (const c of this.cancels.values()) c.abort();
    await Promise.all(this.running);
  }

  private onProgress(run: Mutable<FleetRunView>, e: LiveFleetProgress): void {
    const p = run.progress;
    switch (e.kind) {
      case 'cluster-read':
        run.progress = { ...p, step: `${e.selected} of ${e.nodes} nodes selected, ${e.servicePorts} Service ports` };
        return;
      case 'round':
        run.progress = { round: e.round, done: 0, total: e.nodes, failed: 0, step: e.round === 1 ? `digest Pods on ${e.nodes} nodes` : e.round === 2 ? `${e.nodes} nodes differ: asking for detail` : `full dumps of ${e.nodes} nodes` };
        return;
      case 'node-started':
        return;
      case 'node-finished':
        run.progress = { ...p, done: e.done, total: e.total, failed: p.failed + (e.outcome === 'collected' ? 0 : 1) };
        return;
      case 'pod-not-deleted':
        run.progress = { ...p, step: e.message };
        return;
      default: {
        const never: never = e;
        return never;
      }
    }
  }

  private async run(run: Mutable<FleetRunView>, signal: AbortSignal): Promise<void> {
    try {
      const r = await this.collect({
        ...(run.request.selector ? { selector: run.request.selector } : {}),
        ...(run.request.concurrency ? { concurrency: run.request.concurrency } : {}),
        ...(run.request.nodeTimeoutSeconds ? { nodeTimeoutMs: run.request.nodeTimeoutSeconds * 1000 } : {}),
        ...(run.request.dumps ? { dumps: { which: run.request.dumps, store: this.store } } : {}),
        signal,
        onProgress: (e) => this.onProgress(run, e),
      });
      run.result = {
        context: r.context,
        server: r.server,
        nodes: r.nodes.length,
        report: r.report,
        clusterProblems: r.clusterProblems.map((p) => p.message),
        pods: r.pods,
        digestBytes: r.digestBytes,
        dumps: r.dumps,
      };
      run.state = r.cancelled ? 'cancelled' : 'succeeded';
      run.progress = { ...run.progress, step: r.cancelled ? 'cancelled: every Pod created was deleted' : 'done' };
    } catch (e) {
      run.state = 'failed';
      const known = e instanceof LiveFleetError;
      run.error = known ? { code: 'FLEET_RUN_FAILED', message: e.message } : { code: 'INTERNAL', message: 'the fleet run failed; the server log says why' };
      if (!known) console.error('svcpath fleet run:', e);
    } finally {
      run.finishedAt = this.now().toISOString();
      this.cancels.delete(run.id);
    }
  }
}
