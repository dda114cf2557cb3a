import { randomUUID } from 'node:crypto';
import type { SnapshotProblem } from '@svcpath/api-contract';
import type { CollectSnapshotOptions, CollectSnapshotResult } from '@svcpath/collector';
import { DomainError } from '../errors';
import type { CollectionBody } from '../http/schemas';
import { snapshotOfDocument, type SnapshotSource } from '../snapshots/snapshot';
import type { CollectionJobView } from './collection-job';
import { describeProgress, type CollectProgress } from './describe-progress';
import { hideServerPaths } from '../http/ssh-key-policy';

/**
 * Whether a finished collection is a failure: no dump came back from the node. Its error is the
 * node's first problem (unresolvable host, refused key, unknown or changed host key, missing
 * permissions…), in the collector's own code and words, else a plain "nothing collected".
 */
export function failureOf(files: number, problems: readonly SnapshotProblem[], node: string): { code: string; message: string } | null {
  if (files > 0) return null;
  const p = problems.find((x) => x.source === 'node') ?? problems[0];
  return p ? { code: p.code, message: `${p.subject}: ${p.message}` } : { code: 'NOTHING_COLLECTED', message: `no dump came back from ${node}` };
}

/** `collectSnapshot` from @svcpath/collector, or a fake with the same signature in tests. */
export type CollectFn = (o: CollectSnapshotOptions) => Promise<CollectSnapshotResult>;

const LOG_LINES = 50;
/** Finished jobs are kept this long for pollers, then forgotten. */
const KEEP_FINISHED_MS = 60 * 60_000;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Collections running in the background of the server process. `start` returns at once; the job
 * records progress as the collector reports it, stores the snapshot in `snapshots` when done, and
 * is read by polling `get`. Nothing of the request beyond the node name is kept in the view: SSH
 * settings (key paths, passphrases) stay in the closure of the running collection.
 */
export class CollectionJobs {
  private readonly jobs = new Map<string, Mutable<CollectionJobView>>();

  constructor(
    private readonly collect: CollectFn,
    private readonly snapshots: SnapshotSource,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(body: CollectionBody): CollectionJobView {
    this.forgetOld();
    const job: Mutable<CollectionJobView> = {
      id: randomUUID(),
      kind: 'collection',
      state: 'running',
      node: body.node,
      startedAt: this.now().toISOString(),
      finishedAt: null,
      progress: { done: 0, total: 0, step: body.ssh ? `connecting to ${body.node}` : 'reading the cluster', log: [] },
      problems: [],
      result: null,
      error: null,
    };
    this.jobs.set(job.id, job);
    void this.run(job, body);
    return this.view(job);
  }

  get(id: string): CollectionJobView {
    const job = this.jobs.get(id);
    if (!job) throw new DomainError('JOB_NOT_FOUND', `no job "${id}"`, { id });
    return this.view(job);
  }

  private view(job: CollectionJobView): CollectionJobView {
    // Problems and progress come from the collector and can name the server's files (key, known_hosts).
    return JSON.parse(JSON.stringify(job), (_k, v: unknown) => (typeof v === 'string' ? hideServerPaths(v) : v)) as CollectionJobView;
  }

  private onProgress(job: Mutable<CollectionJobView>, event: CollectProgress): void {
    const p = describeProgress(event, job.progress);
    job.progress = { ...p, log: [...job.progress.log, p.step].slice(-LOG_LINES) };
  }

  private async run(job: Mutable<CollectionJobView>, body: CollectionBody): Promise<void> {
    try {
      const { snapshot, problems } = await this.collect({
        node: body.node,
        ...(body.context ? { context: body.context } : {}),
        ...(body.collection ? { collection: body.collection } : {}),
        ...(body.namespaces ? { namespaces: body.namespaces } : {}),
        ...(body.ssh ? { ssh: body.ssh, hostKeyPolicy: body.acceptFingerprint ? { acceptFingerprint: body.acceptFingerprint } : {} } : {}),
        ...(body.skipCluster ? { skipCluster: true } : {}),
        onProgress: (e) => this.onProgress(job, e),
      });
      job.problems = [...problems];
      const failure = failureOf(snapshot.files.length, problems, body.node);
      if (failure) {
        // Nothing came back from the node: storing the empty snapshot would read as success and
        // answer every graph and trace with 422. The problems say why; the dialog offers a retry.
        job.state = 'failed';
        job.error = failure;
        job.progress = { ...job.progress, step: 'failed', log: [...job.progress.log, `failed: ${failure.message}`].slice(-LOG_LINES) };
        return;
      }
      job.progress = { ...job.progress, step: 'storing the snapshot' };
      await this.snapshots.put(snapshotOfDocument(snapshot));
      job.result = { snapshotId: snapshot.id, files: snapshot.files.length, hasClusterState: snapshot.clusterState !== null };
      job.state = 'succeeded';
      job.progress = { ...job.progress, step: 'done', log: [...job.progress.log, `stored ${snapshot.id}`].slice(-LOG_LINES) };
    } catch (e) {
      job.state = 'failed';
      job.error = e instanceof DomainError ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: 'the collection failed; the server log says why' };
      if (!(e instanceof DomainError)) console.error('svcpath collection job:', e);
    } finally {
      job.finishedAt = this.now().toISOString();
    }
  }

  private forgetOld(): void {
    const cutoff = this.now().getTime() - KEEP_FINISHED_MS;
    for (const [id, j] of this.jobs) if (j.finishedAt && Date.parse(j.finishedAt) < cutoff) this.jobs.delete(id);
  }
}
