import { metaOf, type Snapshot, type SnapshotMeta, type SnapshotSource } from './snapshot';

/** Snapshots kept in this process; gone when it stops. */
export class MemorySnapshotSource implements SnapshotSource {
  private readonly byId = new Map<string, Snapshot>();

  async list(): Promise<SnapshotMeta[]> {
    return [...this.byId.values()].map(metaOf).sort((a, b) => a.collection.localeCompare(b.collection) || a.node.localeCompare(b.node) || b.takenAt.localeCompare(a.takenAt));
  }

  async get(id: string): Promise<Snapshot | null> {
    return this.byId.get(id) ?? null;
  }

  async put(snapshot: Snapshot): Promise<void> {
    this.byId.set(snapshot.id, snapshot);
  }

  async delete(id: string): Promise<boolean> {
    return this.byId.delete(id);
  }
}
