import type { FleetReport } from '@svcpath/fleet';

// A live fleet run as the server runs it (apps/server/src/jobs/fleet-runs.ts) and the web app's
// fleet view reads it: one shape for both.

/** `POST /api/fleet/runs`: which nodes, how many Pods at a time, how long per node. */
export interface FleetRunRequest {
  readonly selector?: string;
  readonly concurrency?: number;
  readonly nodeTimeoutSeconds?: number;
  /** Also store a snapshot (full dumps) of the nodes that disagree, or of every node. */
  readonly dumps?: 'disagreeing' | 'all';
}

/**
 * What `GET /api/fleet/runs/latest` and `…/runs/:id` answer: a live fleet run (one digest Pod per
 * node, through the server's own cluster access), its progress and, once done, the fleet report.
 */
export interface FleetRunView {
  readonly id: string;
  readonly state: 'running' | 'succeeded' | 'failed' | 'cancelled';
  readonly request: FleetRunRequest;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly progress: {
    /** 0 while the cluster state is read; 1 digests of every node; 2 detail from nodes that differ; 3 full dumps. */
    readonly round: 0 | 1 | 2 | 3;
    readonly done: number;
    readonly total: number;
    /** Nodes of this round that gave no digest so far. */
    readonly failed: number;
    readonly step: string;
  };
  readonly result: {
    readonly context: string;
    readonly server: string;
    readonly nodes: number;
    readonly report: FleetReport;
    readonly clusterProblems: readonly string[];
    readonly pods: { readonly created: number; readonly deleted: number; readonly notDeleted: readonly string[] };
    readonly digestBytes: readonly [number, number];
    /** Snapshots stored by round 3 (when asked for): the fleet view links these nodes to their trace. */
    readonly dumps: readonly { readonly node: string; readonly snapshotId: string | null; readonly problem: string | null }[];
  } | null;
  /** The run stopped before any node was asked (no kubeconfig, nodes not listable, no node selected). */
  readonly error: { readonly code: string; readonly message: string } | null;
}
