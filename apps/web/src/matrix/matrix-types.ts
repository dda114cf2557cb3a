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

export interface MatrixRow {
  readonly outcome: string;
  readonly service: string | null;
  readonly shares: Readonly<Record<string, number>>;
  readonly same: boolean;
  readonly goneEndpoint?: true;
}

export interface MatrixNodeSummary {
  readonly node: string;
  readonly src: string | null;
  readonly delivered: number;
  readonly toGoneEndpoints: number;
  readonly dropped: number;
  readonly rejected: number;
  readonly untranslated: number;
  readonly unknown: number;
}

export interface FlowMatrix {
  readonly packet: { readonly src: string | null; readonly dst: string; readonly dport: number; readonly proto: 'tcp' | 'udp' | 'sctp' };
  readonly nodes: readonly MatrixNodeSummary[];
  readonly rows: readonly MatrixRow[];
  readonly differs: boolean;
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
