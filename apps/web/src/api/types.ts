import type { Graph, ServiceInfo } from '@svcpath/graph';
import type { TraceResult } from '@svcpath/tracer';

// The server's response shapes (apps/server). They move to @svcpath/api-contract as zod schemas
// when the contract package grows beyond FlowInput.

export type { Graph, ServiceInfo, TraceResult };

export interface SnapshotMeta {
  readonly id: string;
  readonly collection: string;
  readonly node: string;
  readonly takenAt: string;
  readonly nodeIPs: readonly string[];
  readonly files: readonly { name: string; bytes: number }[];
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
