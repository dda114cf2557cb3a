// The server's JSON response shapes that the web app reads, in one place for both sides (the
// server builds them, the web app types its queries with them).

/** A snapshot without its dump text and cluster objects, as lists show it. */
export interface SnapshotMeta {
  readonly id: string;
  readonly collection: string;
  readonly node: string;
  readonly takenAt: string;
  readonly nodeIPs: readonly string[];
  readonly files: readonly { readonly name: string; readonly bytes: number }[];
  readonly hasClusterState: boolean;
  /** Part of a collection loaded at start (the demo): cannot be deleted. */
  readonly readOnly: boolean;
}

/** What parsing a snapshot's dumps found: formats, problems, sizes. */
export interface LoadSummary {
  readonly formats: readonly { file: string; format: string }[];
  readonly diagnostics: readonly { code: string; severity: string; message: string; file: string; line: number }[];
  readonly diagnosticCount: number;
  readonly chainCount: number;
  readonly ruleCount: number;
  readonly serviceCount: number;
  readonly assumptions: readonly string[];
  readonly parseMs: number;
}

/** `GET /api/snapshots/:id`. */
export interface SnapshotDetail {
  readonly snapshot: SnapshotMeta;
  readonly load: LoadSummary;
}
