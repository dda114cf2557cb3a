import { parentPort } from 'node:worker_threads';
import { createFileSnapshotStore, isSnapshotError, type SnapshotStore } from '@svcpath/collector';
import { documentOfSnapshot } from './snapshot-document';
import type { Snapshot } from './snapshot';
import { traceableFiles, type Snapshot as SnapshotDocument } from '@svcpath/api-contract';
import { receivedFiles, SHARE_FROM_CHARS, sharedFromText } from './shared-text';
import type { StoreRead, StoreWriteReply, StoreWriteRequest } from './store-writer';

/** The store writer's worker: builds a snapshot's document and writes it, or reads the whole store back (see StoreRead), one message at a time. */
const stores = new Map<string, SnapshotStore>();

async function handle(req: StoreWriteRequest): Promise<StoreWriteReply> {
  try {
    const store = stores.get(req.dir) ?? stores.set(req.dir, createFileSnapshotStore(req.dir)).get(req.dir)!;
    if (req.kind === 'read') return { id: req.id, ok: true, read: await readAll(store) };
    const doc = documentOfSnapshot({ ...req.snapshot, files: receivedFiles(req.snapshot.files) } as Snapshot);
    await store.put(doc);
    // The texts stay behind: the server has them already, and copying 40 MB back costs its event loop.
    return { id: req.id, ok: true, written: { doc: { ...doc, files: doc.files.map((f) => ({ ...f, text: '' })) }, traceable: traceableIndices(doc) } };
  } catch (e) {
    if (isSnapshotError(e)) return { id: req.id, ok: false, error: { code: e.code, message: e.message, info: e.info } };
    console.error('svcpath store writer:', e);
    return { id: req.id, ok: false, error: null };
  }
}

/** Every snapshot of the store, long texts as shared bytes (see StoreRead); unreadable files become problems. */
async function readAll(store: SnapshotStore): Promise<StoreRead> {
  const { snapshots, problems } = await store.all();
  const out = snapshots.map((doc) => {
    const traceable = traceableIndices(doc);
    const shared = doc.files.map((f) => (f.text.length >= SHARE_FROM_CHARS ? sharedFromText(f.text) : null));
    return { doc: { ...doc, files: doc.files.map((f, i) => (shared[i] ? { ...f, text: '' } : f)) }, shared, traceable };
  });
  return { snapshots: out, problems };
}

/** Which of a document's files to trace, by place (api-contract's traceableFiles). */
function traceableIndices(doc: SnapshotDocument): number[] {
  return traceableFiles(doc).map((p) => doc.files.findIndex((f) => f.name === p.name && f.text === p.text));
}

parentPort!.on('message', (req: StoreWriteRequest) => {
  void handle(req).then((reply) => parentPort!.postMessage(reply));
});
