/**
 * The port through which the CLI (and later the server) keeps snapshots. file-snapshot-store.ts is
 * the on-disk implementation; anything with the same methods can stand in for it.
 */
import type { ProxyMode, Snapshot } from '@svcpath/api-contract';
import type { SnapshotErrorCode } from './snapshot-error.js';

/** A snapshot without its dump text and cluster objects, as lists show it. */
export interface SnapshotSummary {
  readonly id: string;
  readonly collection: string;
  readonly node: string;
  readonly takenAt: string;
  readonly mode: ProxyMode;
  readonly nodeIPs: readonly string[];
  readonly files: number;
  readonly bytes: number;
  readonly problems: number;
  readonly hasClusterState: boolean;
}

/** A stored file that could not be read; the listing goes on without it. */
export interface StoreProblem {
  readonly file: string;
  readonly code: SnapshotErrorCode;
  readonly message: string;
}

export interface SnapshotStore {
  /** Where the store is (a directory), for messages. */
  readonly location: string;
  /** Every readable snapshot, by collection then node; unreadable files become problems. */
  list(): Promise<{ snapshots: SnapshotSummary[]; problems: StoreProblem[] }>;
  /** The same, whole: each file read once (a server holding every snapshot reads them so, not list() then get() each). */
  all(): Promise<{ snapshots: Snapshot[]; problems: StoreProblem[] }>;
  /** Throws SnapshotError NOT_FOUND, INVALID or TOO_NEW. */
  get(id: string): Promise<Snapshot>;
  /** Validates, then writes atomically; replaces a snapshot with the same id. Throws INVALID or WRITE_FAILED. */
  put(snapshot: Snapshot): Promise<{ readonly file: string; readonly replaced: boolean }>;
  /** False when there was no such snapshot. */
  delete(id: string): Promise<boolean>;
  /** The snapshots of one collection, by node. Throws NOT_FOUND when it has none. */
  collection(name: string): Promise<Snapshot[]>;
}

export function summarize(s: Snapshot): SnapshotSummary {
  return {
    id: s.id,
    collection: s.collection,
    node: s.node,
    takenAt: s.takenAt,
    mode: s.mode,
    nodeIPs: s.nodeIPs,
    files: s.files.length,
    bytes: s.files.reduce((n, f) => n + Buffer.byteLength(f.text), 0),
    problems: s.problems.length,
    hasClusterState: s.clusterState !== null,
  };
}
