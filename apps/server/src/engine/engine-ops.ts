import type { FlowInput, LoadSummary, SnapshotClusterState } from '@svcpath/api-contract';

export type { LoadSummary };
import type { Diagnosis, DiagnoseClusterState, FlowMatrix, MatrixPacket } from '@svcpath/diagnostics';
import type { TimelineStep } from '@svcpath/diff';
import type { CounterDeltaReport } from '@svcpath/counters';
import type { Graph, NamespaceOverview, ServiceInfo, ServiceRow } from '@svcpath/graph';
import type { Layout } from '@svcpath/layout';
import type { TraceResult } from '@svcpath/tracer';
import type { DumpText } from '../snapshots/shared-text';

/** What the ruleset engine can be asked about one snapshot. */
export type EngineOp =
  | { readonly kind: 'load' }
  | { readonly kind: 'services'; readonly query: string; readonly limit: number }
  | { readonly kind: 'overview'; readonly namespace?: string | undefined; readonly maxNodes?: number | undefined }
  /** Counts per namespace: the aggregated overview of a big node. */
  | { readonly kind: 'namespaces' }
  /** One namespace's Services as list rows. */
  | { readonly kind: 'namespace-services'; readonly namespace: string }
  | { readonly kind: 'service-graph'; readonly service: string }
  /** One Service (`ns/name`) by its id, as the search lists it: what a page that opens it knows of it. */
  | { readonly kind: 'service'; readonly service: string }
  | { readonly kind: 'trace'; readonly flow: FlowInput; readonly nodeIPs: readonly string[] }
  | {
      readonly kind: 'findings';
      readonly nodeName: string;
      readonly nodeIPs: readonly string[];
      readonly clusterState: SnapshotClusterState | null;
      /** `ns/name`: focus the doctor on this Service (and trace to it). */
      readonly service?: string | undefined;
      /** A traced packet's source (address or Pod `ns/name`) and destination (`IP:PORT`): trace that one instead. */
      readonly from?: string | undefined;
      readonly to?: string | undefined;
      readonly proto?: 'tcp' | 'udp' | 'sctp' | undefined;
      /** The node's conntrack table when the snapshot has one (stale-entry check). */
      readonly conntrack?: { readonly file: string; readonly text: string } | undefined;
    }
  | {
      /** Where packets went between `since` (the earlier snapshot of the same node) and this one. */
      readonly kind: 'counters';
      /** Its files may be left out when the engine has it parsed already (see worker-engine.ts). */
      readonly since: SnapshotRef;
    }
  | {
      /**
       * What changed between snapshots of one node: this one, then each of `others` in order (one
       * other: a diff; more: a timeline). Run here, not in a route: a big node takes seconds.
       */
      readonly kind: 'diff';
      readonly nodeIPs: readonly string[];
      readonly others: readonly NodeSnapshotRef[];
    }
  | {
      /** A collection's nodes side by side (this snapshot is one of them); with a packet, traced on each. */
      readonly kind: 'matrix';
      readonly nodeName: string;
      readonly nodeIPs: readonly string[];
      readonly others: readonly NodeSnapshotRef[];
      readonly clusterState: DiagnoseClusterState | null;
      readonly packet: MatrixPacket | null;
    };

/** Another snapshot an op reads, with the node it was taken on. */
export type NodeSnapshotRef = SnapshotRef & { readonly nodeName: string; readonly nodeIPs: readonly string[] };

/** The other snapshots an op reads besides its own (they are loaded first, so they cannot evict it). */
export function otherSnapshotsOf(op: EngineOp): readonly SnapshotRef[] {
  return op.kind === 'counters' ? [op.since] : op.kind === 'diff' || op.kind === 'matrix' ? op.others : [];
}

/** The op as first sent: the other snapshots it reads go by id and version only. */
export function withoutFiles(op: EngineOp): EngineOp {
  const bare = <T extends SnapshotRef>({ files: _files, ...ref }: T) => ref;
  if (op.kind === 'counters') return { ...op, since: bare(op.since) };
  if (op.kind === 'diff' || op.kind === 'matrix') return { ...op, others: op.others.map(bare) };
  return op;
}

/** A snapshot named by id and version, with its files when they must be sent. */
export type SnapshotRef = Omit<EngineSnapshot, 'files'> & { readonly files?: EngineSnapshot['files'] };

/** Each op's result type. */
export interface EngineResults {
  load: LoadSummary;
  services: { total: number; services: ServiceInfo[] };
  /** Laid out (`layout`) when small enough: see engine-worker-main.ts. */
  overview: Graph & { readonly layout?: Layout };
  namespaces: NamespaceOverview;
  'namespace-services': ServiceRow[];
  'service-graph': Graph & { readonly layout?: Layout };
  service: ServiceInfo;
  trace: TraceResult;
  findings: Diagnosis;
  counters: CounterDeltaReport;
  diff: TimelineStep[];
  matrix: { readonly findings: Diagnosis['findings']; readonly matrix: FlowMatrix | null };
}

export type ResultOf<K extends EngineOp['kind']> = EngineResults[K];

/** A snapshot the engine can parse: the id and version key its cache. */
export interface EngineSnapshot {
  readonly id: string;
  readonly version: string;
  /** Texts, or bytes shared with the worker (an import's: see snapshots/shared-text.ts). */
  readonly files: readonly DumpText[];
}

/** Answers questions about snapshots' rulesets, parsing and caching them as needed. */
export interface RulesetEngine {
  /** `signal`: the asker has gone; an engine may then skip an op it has not started. */
  run<K extends EngineOp['kind']>(snapshot: EngineSnapshot, op: Extract<EngineOp, { kind: K }>, o?: { readonly signal?: AbortSignal }): Promise<ResultOf<K>>;
  evict(snapshotId: string): void;
  close(): Promise<void>;
}
