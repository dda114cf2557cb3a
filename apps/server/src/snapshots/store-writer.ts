import { Worker } from 'node:worker_threads';
import type { Snapshot as SnapshotDocument } from '@svcpath/api-contract';
import { SnapshotError } from '@svcpath/collector';
import type { Snapshot } from './snapshot';
import { postableFiles } from './shared-text';

export interface StoreWriteRequest {
  readonly id: number;
  readonly dir: string;
  readonly snapshot: Omit<Snapshot, 'readOnly'>;
}
export type StoreWriteReply =
  | { readonly id: number; readonly ok: true; readonly doc: SnapshotDocument }
  | { readonly id: number; readonly ok: false; readonly error: { code: string; message: string; info: unknown } | null };

/** Writes a snapshot's document to the store; resolves with the document (file texts left empty). */
export interface StoreWriter {
  write(snapshot: Snapshot): Promise<SnapshotDocument>;
  close(): Promise<void>;
}

/**
 * Writes snapshots to the on-disk store in a worker thread. Building a 40 MB dump's document,
 * validating it and serialising it to JSON takes the better part of a second of CPU; on the event
 * loop that would stall every other request (a health check, the list of snapshots) meanwhile.
 */
export class WorkerStoreWriter implements StoreWriter {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, { resolve: (r: StoreWriteReply) => void; reject: (e: Error) => void }>();
  private nextId = 1;

  constructor(private readonly dir: string) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./store-writer-worker.mjs', import.meta.url), { execArgv: [] });
    w.on('message', (reply: StoreWriteReply) => {
      this.pending.get(reply.id)?.resolve(reply);
      this.pending.delete(reply.id);
    });
    w.on('error', (e) => this.failAll(e));
    w.on('exit', () => {
      this.worker = null;
      this.failAll(new Error('store writer exited'));
    });
    w.unref();
    this.worker = w;
    return w;
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  async write(snapshot: Snapshot): Promise<SnapshotDocument> {
    const id = this.nextId++;
    const w = this.start();
    const { readOnly: _readOnly, ...plain } = snapshot;
    const reply = await new Promise<StoreWriteReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, dir: this.dir, snapshot: { ...plain, files: postableFiles(plain.files) } } satisfies StoreWriteRequest);
    });
    if (reply.ok) return reply.doc;
    if (!reply.error) throw new Error('the store writer failed');
    throw new SnapshotError(reply.error.code as SnapshotError['code'], reply.error.message, reply.error.info as SnapshotError['info']);
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
