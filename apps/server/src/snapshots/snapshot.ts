import { traceableFiles, type Snapshot as SnapshotDocument, type SnapshotClusterState, type SnapshotMeta } from '@svcpath/api-contract';
import type { DumpText } from './shared-text';

export type { SnapshotMeta };

/** One node's dumps at one moment: what svcpath traces and draws. */
export interface Snapshot {
  /** URL-safe and stable: `collection~node` for loaded folders. */
  readonly id: string;
  readonly collection: string;
  readonly node: string;
  /** ISO 8601. */
  readonly takenAt: string;
  /** The node's own addresses (addrtype LOCAL, NodePorts, traces from the node). */
  readonly nodeIPs: readonly string[];
  /** The dumps to trace (one view per dataplane, see api-contract's traceableFiles). */
  readonly files: readonly DumpText[];
  /** The cluster as the API server had it when the snapshot was taken; null or absent when not read. */
  readonly clusterState?: SnapshotClusterState | null;
  /** The whole stored document (every dump, problems, tool versions), when the snapshot came from one: what a store writes. */
  readonly document?: SnapshotDocument;
  /** Loaded from a read-only collection (the demo): cannot be deleted. */
  readonly readOnly?: boolean;
}


const fileBytes = new WeakMap<object, number>();

/**
 * A dump file's size in bytes: its shared bytes' length, or its text's UTF-8 length counted once per
 * file (every list of snapshots asks; counting a 40 MB text reads it whole).
 */
export function bytesOf(f: DumpText): number {
  if (f.shared) return f.shared.length;
  let n = fileBytes.get(f);
  if (n === undefined) fileBytes.set(f, (n = Buffer.byteLength(f.text)));
  return n;
}

export function metaOf(s: Snapshot): SnapshotMeta {
  return {
    id: s.id,
    collection: s.collection,
    node: s.node,
    takenAt: s.takenAt,
    nodeIPs: s.nodeIPs,
    files: s.files.map((f) => ({ name: f.name, bytes: bytesOf(f) })),
    hasClusterState: !!s.clusterState,
    readOnly: s.readOnly === true,
  };
}

/**
 * The server's view of a stored document: its traceable dumps, cluster state and metadata. `files`:
 * the traceable dumps when the caller picked them already (the store worker, see store-writer.ts).
 */
export function snapshotOfDocument(doc: SnapshotDocument, o: { readonly readOnly?: boolean; readonly files?: readonly DumpText[] } = {}): Snapshot {
  return {
    id: doc.id,
    collection: doc.collection,
    node: doc.node,
    takenAt: doc.takenAt,
    nodeIPs: doc.nodeIPs,
    files: o.files ?? traceableFiles(doc),
    clusterState: doc.clusterState,
    document: doc,
    ...(o.readOnly ? { readOnly: true } : {}),
  };
}

/** Where snapshots live: in memory (the demo, tests), the on-disk store, or both (layered-snapshot-source.ts). */
export interface SnapshotSource {
  list(): Promise<SnapshotMeta[]>;
  get(id: string): Promise<Snapshot | null>;
  put(snapshot: Snapshot): Promise<void>;
  /** False when there was no such snapshot. */
  delete(id: string): Promise<boolean>;
}

/** `collection~node`, reduced to URL-safe characters. */
export function snapshotId(collection: string, node: string): string {
  const safe = (s: string) => s.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
  return `${safe(collection)}~${safe(node)}`;
}
