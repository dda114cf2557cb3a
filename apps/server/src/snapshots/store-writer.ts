import { Worker } from 'node:worker_threads';
import type { Snapshot as SnapshotDocument } from '@svcpath/api-contract';
import { SnapshotError, type StoreProblem } from '@svcpath/collector';
import type { Snapshot } from './snapshot';
import { postableFiles, type SharedBytes } from './shared-text';

export type StoreWriteRequest =
  | { readonly kind: 'write'; readonly id: number; readonly dir: string; readonly snapshot: Omit<Snapshot, 'readOnly'> }
  | { readonly kind: 'read'; readonly id: number; readonly dir: string };
export type StoreWriteReply =
  | { readonly id: number; readonly ok: true; readonly written: StoreWritten }
  | { readonly id: number; readonly ok: true; readonly read: StoreRead }
  | { readonly id: number; readonly ok: false; readonly error: { code: string; message: string; info: unknown } | null };

/**
 * Every snapshot of the store, read by the worker. A long file text comes as shared bytes in
 * `shared` (its text in `doc` left empty), and `traceable` says which of the document's files to
 * trace (api-contract's traceableFiles, picked there): the event loop neither parses the JSON nor
 * receives a copy of the text.
 */
export interface StoreRead {
  readonly snapshots: readonly { readonly doc: SnapshotDocument; readonly shared: readonly (SharedBytes | null)[]; readonly traceable: readonly number[] }[];
  readonly problems: readonly StoreProblem[];
}

/**
 * A snapshot as the worker wrote it: its document with the file texts left empty (the server has
 * them), and which of its files to trace (api-contract's traceableFiles, picked there: the server
 * then reads no upload's text to pick them).
 */
export interface StoreWritten {
  readonly doc: SnapshotDocument;
  readonly traceable: readonly number[];
}

/** Writes snapshots to the store and reads them back. */
export interface StoreWriter {
  write(snapshot: Snapshot): Promise<StoreWritten>;
  /** Reads every snapshot of the store (see StoreRead). */
  readAll(): Promise<StoreRead>;
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

  private ask(req: StoreWriteRequest): Promise<StoreWriteReply> {
    const w = this.start();
    return new Promise<StoreWriteReply>((resolve, reject) => {
      this.pending.set(req.id, { resolve, reject });
      w.postMessage(req);
    });
  }

  async write(snapshot: Snapshot): Promise<StoreWritten> {
    const { readOnly: _readOnly, ...plain } = snapshot;
    const reply = await this.ask({ kind: 'write', id: this.nextId++, dir: this.dir, snapshot: { ...plain, files: postableFiles(plain.files) } });
    if (reply.ok && 'written' in reply) return reply.written;
    throw replyError(reply);
  }

  async readAll(): Promise<StoreRead> {
    const reply = await this.ask({ kind: 'read', id: this.nextId++, dir: this.dir });
    if (reply.ok && 'read' in reply) return reply.read;
    throw replyError(reply);
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

function replyError(reply: StoreWriteReply): Error {
  if (reply.ok || !reply.error) return new Error('the store writer failed');
  return new SnapshotError(reply.error.code as SnapshotError['code'], reply.error.message, reply.error.info as SnapshotError['info']);
}
