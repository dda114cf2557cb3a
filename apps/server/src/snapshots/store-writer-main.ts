import { parentPort } from 'node:worker_threads';
import { createFileSnapshotStore, isSnapshotError, type SnapshotStore } from '@svcpath/collector';
import { documentOfSnapshot } from './snapshot-document';
import type { Snapshot } from './snapshot';
import { receivedFiles } from './shared-text';
import type { StoreWriteReply, StoreWriteRequest } from './store-writer';

/** The store writer's worker: builds a snapshot's document and writes it, one message at a time. */
const stores = new Map<string, SnapshotStore>();

async function handle(req: StoreWriteRequest): Promise<StoreWriteReply> {
  try {
    const store = stores.get(req.dir) ?? stores.set(req.dir, createFileSnapshotStore(req.dir)).get(req.dir)!;
    const doc = documentOfSnapshot({ ...req.snapshot, files: receivedFiles(req.snapshot.files) } as Snapshot);
    await store.put(doc);
    // The texts stay behind: the server has them already, and copying 40 MB back costs its event loop.
    return { id: req.id, ok: true, doc: { ...doc, files: doc.files.map((f) => ({ ...f, text: '' })) } };
  } catch (e) {
    if (isSnapshotError(e)) return { id: req.id, ok: false, error: { code: e.code, message: e.message, info: e.info } };
    console.error('svcpath store writer:', e);
    return { id: req.id, ok: false, error: null };
  }
}

parentPort!.on('message', (req: StoreWriteRequest) => {
  void handle(req).then((reply) => parentPort!.postMessage(reply));
});
