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
  readonly files: readonly { readonly name: string; readonly text: string }[];
}

/** A snapshot without its dump text, as lists show it. */
export interface SnapshotMeta extends Omit<Snapshot, 'files'> {
  readonly files: readonly { readonly name: string; readonly bytes: number }[];
}

export function metaOf(s: Snapshot): SnapshotMeta {
  return { ...s, files: s.files.map((f) => ({ name: f.name, bytes: Buffer.byteLength(f.text) })) };
}

/** Where snapshots live. The in-memory store is the first; a folder or database store can follow. */
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
