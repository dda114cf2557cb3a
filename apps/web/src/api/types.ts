import type { FindingsResponse, FlowInput, LoadSummary, SnapshotDetail, SnapshotMeta } from '@svcpath/api-contract';
import type { CounterDeltaReport } from '@svcpath/counters';
import type { Graph, NamespaceOverview, NamespaceSummary, ServiceInfo, ServiceRow } from '@svcpath/graph';
import type { TraceResult } from '@svcpath/tracer';

// The server's response shapes (apps/server). Those @svcpath/api-contract holds come from there;
// the rest are the packages' own result types as the server sends them.

export type { Graph, LoadSummary, NamespaceOverview, NamespaceSummary, ServiceInfo, ServiceRow, SnapshotDetail, SnapshotMeta, TraceResult };

/** `GET /api/snapshots/:id/namespaces/:ns/services`. */
export interface NamespaceServicesResult {
  readonly namespace: string;
  readonly services: readonly ServiceRow[];
}

export interface ServicesResult {
  readonly total: number;
  readonly services: readonly ServiceInfo[];
}

/** A traced packet: `POST /api/snapshots/:id/trace`'s body. */
export type Flow = FlowInput;

/** `GET /api/snapshots/:id/findings`. */
export type FindingsResult = FindingsResponse;

/** `GET /api/snapshots/:id/counters?since=…`: the rule counters that moved between two snapshots of one node. */
export interface CountersResult extends CounterDeltaReport {
  readonly node: string;
  readonly since: { readonly id: string; readonly takenAt: string };
  readonly until: { readonly id: string; readonly takenAt: string };
  /** Time between the two snapshots; null when a timestamp is unreadable. */
  readonly seconds: number | null;
}

/** `POST /api/collections`' body. */
export interface CollectionRequest {
  readonly node: string;
  readonly context?: string;
  readonly collection?: string;
  readonly ssh?: { readonly host: string; readonly user?: string; readonly port?: number };
  readonly skipCluster?: boolean;
  /** A host key fingerprint (`SHA256:…`) the user checked and trusts for this collection. */
  readonly acceptFingerprint?: string;
}

/** `GET /api/jobs/:id` (apps/server/src/jobs/collection-job.ts). */
export interface CollectionJob {
  readonly id: string;
  readonly state: 'running' | 'succeeded' | 'failed';
  readonly node: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly progress: { readonly done: number; readonly total: number; readonly step: string; readonly log: readonly string[] };
  readonly problems: readonly { readonly source: string; readonly subject: string; readonly code: string; readonly message: string }[];
  readonly result: { readonly snapshotId: string; readonly files: number; readonly hasClusterState: boolean } | null;
  readonly error: { readonly code: string; readonly message: string } | null;
}

/** A Pod or node that can send a traced packet (GET /api/snapshots/:id/sources). */
export interface TraceSource {
  readonly kind: 'pod' | 'node';
  readonly name: string;
  readonly ip: string;
  readonly node: string | null;
  readonly hostNetwork: boolean;
}
