import type { Disagreement, DriftGroup, FleetReport, NodeProblem, PortDrift } from '@svcpath/fleet';

// The server's fleet run (apps/server/src/jobs/fleet-run.ts), as `GET /api/fleet/runs/latest`
// answers it. The report is @svcpath/fleet's FleetReport, the same one `svcpath fleet` prints.

export type { Disagreement, DriftGroup, FleetReport, NodeProblem, PortDrift };

export interface FleetRunRequest {
  readonly selector?: string;
  readonly concurrency?: number;
  readonly nodeTimeoutSeconds?: number;
  readonly dumps?: 'disagreeing' | 'all';
}

export interface FleetRun {
  readonly id: string;
  readonly state: 'running' | 'succeeded' | 'failed' | 'cancelled';
  readonly request: FleetRunRequest;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly progress: { readonly round: 0 | 1 | 2 | 3; readonly done: number; readonly total: number; readonly failed: number; readonly step: string };
  readonly result: {
    readonly context: string;
    readonly server: string;
    readonly nodes: number;
    readonly report: FleetReport;
    readonly clusterProblems: readonly string[];
    readonly pods: { readonly created: number; readonly deleted: number; readonly notDeleted: readonly string[] };
    readonly digestBytes: readonly [number, number];
    readonly dumps: readonly { readonly node: string; readonly snapshotId: string | null; readonly problem: string | null }[];
  } | null;
  readonly error: { readonly code: string; readonly message: string } | null;
}
