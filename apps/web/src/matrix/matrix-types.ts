import type { FlowMatrix } from '@svcpath/diagnostics';

export type { FlowMatrix, MatrixNodeSummary, MatrixRow } from '@svcpath/diagnostics';

/** GET /api/snapshots/:id/matrix (apps/server/src/routes/matrix-routes.ts), as the web app reads it. */
export interface MatrixFinding {
  readonly code: string;
  readonly severity: 'critical' | 'warning' | 'info';
  readonly title: string;
  readonly explanation: string;
  readonly nextStep: string;
  readonly service?: string;
  /** Absent when the nodes could not be ranked (two nodes, no cluster state). */
  readonly node?: string;
  readonly help: string;
}

export interface MatrixResult {
  readonly collection: string;
  readonly nodes: readonly string[];
  readonly judgedBy: 'cluster-state' | 'majority';
  readonly findings: readonly MatrixFinding[];
  readonly matrix: FlowMatrix | null;
}

/** The packet the form asks for: `src` "node" means each node itself. */
export interface MatrixPacket {
  readonly src: string;
  readonly dst: string;
  readonly dport: number;
  readonly proto: 'tcp' | 'udp' | 'sctp';
}
