import type { SnapshotProblem } from './snapshot';

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

/** A possible source of a traced packet, as the trace form offers it (`GET /api/snapshots/:id/sources`). */
export interface TraceSource {
  readonly kind: 'pod' | 'node';
  /** `ns/name` for a Pod, the node name for a node. */
  readonly name: string;
  readonly ip: string;
  /** The node a Pod runs on. */
  readonly node: string | null;
  readonly hostNetwork: boolean;
}

/**
 * `GET /api/snapshots/:id/counters?since=…`: which two saves of one node's rules are compared, with
 * the counters that moved between them (@svcpath/counters' CounterDeltaReport) beside.
 */
export interface CountersWindow {
  readonly node: string;
  readonly since: { readonly id: string; readonly takenAt: string };
  readonly until: { readonly id: string; readonly takenAt: string };
  /** Time between the two snapshots; null when a timestamp is unreadable. */
  readonly seconds: number | null;
}

/**
 * `POST /api/collections`' body as the web app sends it: the server's schema (apps/server's
 * CollectionBody) accepts more (an SSH key, a jump host), which a type test holds it to.
 */
export interface CollectionRequest {
  readonly node: string;
  readonly context?: string;
  readonly collection?: string;
  readonly ssh?: { readonly host: string; readonly user?: string; readonly port?: number };
  readonly skipCluster?: boolean;
  /** A host key fingerprint (`SHA256:…`) the user checked and trusts for this collection. */
  readonly acceptFingerprint?: string;
}

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
