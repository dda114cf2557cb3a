import type { CounterDeltaReport } from '@svcpath/counters';
import type { Finding } from '@svcpath/diagnostics';
import type { Graph, NamespaceOverview, NamespaceSummary, ServiceInfo, ServiceRow } from '@svcpath/graph';
import type { TraceResult } from '@svcpath/tracer';

// The server's response shapes (apps/server). They move to @svcpath/api-contract as zod schemas
// when the contract package grows beyond FlowInput.

export type { Graph, NamespaceOverview, NamespaceSummary, ServiceInfo, ServiceRow, TraceResult };

/** `GET /api/snapshots/:id/namespaces/:ns/services`. */
export interface NamespaceServicesResult {
  readonly namespace: string;
  readonly services: readonly ServiceRow[];
}

export interface SnapshotMeta {
  readonly id: string;
  readonly collection: string;
  readonly node: string;
  readonly takenAt: string;
  readonly nodeIPs: readonly string[];
  readonly files: readonly { name: string; bytes: number }[];
  readonly hasClusterState: boolean;
  /** Part of a collection loaded at start (the demo): cannot be deleted. */
  readonly readOnly: boolean;
}

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

export interface SnapshotDetail {
  readonly snapshot: SnapshotMeta;
  readonly load: LoadSummary;
}

export interface ServicesResult {
  readonly total: number;
  readonly services: readonly ServiceInfo[];
}

export interface Flow {
  readonly src: string;
  readonly dst: string;
  readonly dport: number;
  readonly proto: 'tcp' | 'udp' | 'sctp';
  readonly returningTo?: string;
}

/** `GET /api/snapshots/:id/findings` (apps/server/src/http/findings-response.ts). */
export interface FindingsResult {
  readonly findings: readonly (Finding & { readonly help: string })[];
  readonly focus: string | null;
  readonly notChecked: readonly string[];
}

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
