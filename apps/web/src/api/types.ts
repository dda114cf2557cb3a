import type { CollectionJobView, CollectionRequest, CountersWindow, FindingsResponse, FlowInput, LoadSummary, SnapshotDetail, SnapshotMeta, TraceSource } from '@svcpath/api-contract';
import type { CounterDeltaReport } from '@svcpath/counters';
import type { Graph, NamespaceOverview, NamespaceSummary, ServiceInfo, ServiceRow } from '@svcpath/graph';
import type { TraceResult } from '@svcpath/tracer';

// The server's response shapes (apps/server). Those @svcpath/api-contract holds come from there;
// the rest are the packages' own result types as the server sends them.

export type { CollectionRequest, Graph, LoadSummary, NamespaceOverview, NamespaceSummary, ServiceInfo, ServiceRow, SnapshotDetail, SnapshotMeta, TraceResult, TraceSource };

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
export type CountersResult = CountersWindow & CounterDeltaReport;

/** `GET /api/jobs/:id`. */
export type CollectionJob = CollectionJobView;
