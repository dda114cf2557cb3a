import { DomainError } from '../errors';
import type { Snapshot, SnapshotMeta, SnapshotSource } from './snapshot';

/**
 * Read-only collections (the demo, folders given at start) in front of a writable source (the
 * on-disk store). New snapshots go to the writable one; the read-only ones cannot be deleted.
 */
export class LayeredSnapshotSource implements SnapshotSource {
  constructor(
    private readonly readOnly: SnapshotSource,
    private readonly writable: SnapshotSource,
  ) {}

  async list(): Promise<SnapshotMeta[]> {
    const all = [...(await this.readOnly.list()), ...(await this.writable.list())];
    return all.sort((a, b) => a.collection.localeCompare(b.collection) || a.node.localeCompare(b.node) || b.takenAt.localeCompare(a.takenAt));
  }

  async get(id: string): Promise<Snapshot | null> {
    return (await this.readOnly.get(id)) ?? (await this.writable.get(id));
  }

  async put(snapshot: Snapshot): Promise<void> {
    if (await this.readOnly.get(snapshot.id)) throw readOnlyError(snapshot.id);
    await this.writable.put(snapshot);
  }

  async delete(id: string): Promise<boolean> {
    if (await this.readOnly.get(id)) throw readOnlyError(id);
    return this.writable.delete(id);
  }
}

const readOnlyError = (id: string) => new DomainError('SNAPSHOT_READ_ONLY', `snapshot "${id}" belongs to a read-only collection loaded at start`, { id });
