import type { SnapshotProblem } from '@svcpath/api-contract';

/** What `GET /api/jobs/:id` answers: a collection's progress, its problems and, when done, its snapshot. */
export interface CollectionJobView {
  readonly id: string;
  readonly kind: 'collection';
  readonly state: 'running' | 'succeeded' | 'failed';
  /** The node being collected (never the SSH target's credentials). */
  readonly node: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly progress: {
    /** Node commands finished / selected; 0 of 0 until the SSH session is up. */
    readonly done: number;
    readonly total: number;
    /** What is happening now, in words. */
    readonly step: string;
    /** The last progress lines, oldest first. */
    readonly log: readonly string[];
  };
  /** Partial failure as data (`node:worker-2 connect-timeout`). */
  readonly problems: readonly SnapshotProblem[];
  /** The stored snapshot, once the job has succeeded. */
  readonly result: { readonly snapshotId: string; readonly files: number; readonly hasClusterState: boolean } | null;
  /** Set when the job failed as a whole (the snapshot could not be stored, a bug). */
  readonly error: { readonly code: string; readonly message: string } | null;
}
