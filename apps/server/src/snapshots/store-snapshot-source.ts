import type { SnapshotStore, StoreProblem } from '@svcpath/collector';
import { isSnapshotError } from '@svcpath/collector';
import { DomainError } from '../errors';
import type { Snapshot as SnapshotDocument } from '@svcpath/api-contract';
import { documentOfSnapshot } from './snapshot-document';
import type { StoreWriter } from './store-writer';
import { metaOf, snapshotOfDocument, type Snapshot, type SnapshotMeta, type SnapshotSource } from './snapshot';
import { withSharedText, type SharedBytes } from './shared-text';

/**
 * Snapshots in the collector's on-disk store (`createFileSnapshotStore`), so imports and collections
 * survive a restart. The store is read once, on first use, and kept in memory like the demo: every
 * analysis request looks its snapshot up, and re-reading a 40 MB JSON file each time would cost more
 * than the analysis. Writes go to disk first, then to memory. Files another process (the CLI) adds
 * while the server runs appear after a restart.
 */
export class StoreSnapshotSource implements SnapshotSource {
  private loaded: Promise<Map<string, Snapshot>> | null = null;
  /** Files the store could not read (corrupted, from a newer svcpath): skipped, reported here. */
  problems: readonly StoreProblem[] = [];

  /** `writer`: builds and writes documents off the event loop (see store-writer.ts); without it, here. */
  constructor(
    private readonly store: SnapshotStore,
    private readonly writer: StoreWriter | null = null,
  ) {}

  private all(): Promise<Map<string, Snapshot>> {
    this.loaded ??= this.writer ? this.readInWorker(this.writer) : this.readHere();
    return this.loaded;
  }

  /**
   * The store read by the writer's worker: parsing a 40 MB document here held the event loop ~1 s
   * on first use after a restart, and posting its text to an engine ~0.4 s more (measured).
   */
  private async readInWorker(writer: StoreWriter): Promise<Map<string, Snapshot>> {
    const read = await writer.readAll();
    const byId = new Map<string, Snapshot>();
    for (const { doc, shared, traceable } of read.snapshots) {
      const document = { ...doc, files: doc.files.map((f, i) => (shared[i] ? withSharedText(f, shared[i]) : f)) };
      byId.set(doc.id, snapshotOfDocument(document, { files: picked(document, traceable) }));
    }
    this.problems = read.problems;
    return byId;
  }

  private async readHere(): Promise<Map<string, Snapshot>> {
    const { snapshots, problems } = await this.store.all();
    this.problems = problems;
    return new Map(snapshots.map((doc) => [doc.id, snapshotOfDocument(doc)]));
  }

  async list(): Promise<SnapshotMeta[]> {
    return [...(await this.all()).values()].map(metaOf);
  }

  async get(id: string): Promise<Snapshot | null> {
    return (await this.all()).get(id) ?? null;
  }

  async put(snapshot: Snapshot): Promise<void> {
    const byId = await this.all();
    let doc: SnapshotDocument;
    let traceable: readonly number[] | null = null;
    try {
      if (this.writer) {
        const written = await this.writer.write(snapshot);
        doc = withTexts(written.doc, snapshot);
        traceable = written.traceable;
      } else {
        doc = documentOfSnapshot(snapshot);
        await this.store.put(doc);
      }
    } catch (e) {
      throw storeError(e, 'write');
    }
    // The worker picked the files to trace: an upload's text is not read here to pick them. Each
    // keeps its shared bytes, so every engine that loads it reads them instead of being posted a
    // 40 MB text (a ~390 ms postMessage, measured right after an import).
    byId.set(doc.id, snapshotOfDocument(doc, traceable ? { files: picked(doc, traceable) } : {}));
  }

  async delete(id: string): Promise<boolean> {
    const byId = await this.all();
    if (!byId.has(id)) return false;
    try {
      await this.store.delete(id);
    } catch (e) {
      throw storeError(e, 'delete');
    }
    return byId.delete(id);
  }
}

/**
 * The writer sends the document back without its file texts: they are the snapshot's own, in order.
 * A file that came as shared bytes (an upload) keeps them, and its text is read only if asked.
 */
function withTexts(doc: SnapshotDocument, s: Snapshot): SnapshotDocument {
  const own: readonly { readonly text: string; readonly shared?: SharedBytes }[] = s.document?.files ?? s.files;
  return {
    ...doc,
    files: doc.files.map((f, i) => {
      const from = own[i];
      if (!from) return f;
      return from.shared ? withSharedText(f, from.shared) : { ...f, text: from.text };
    }),
  };
}

/** The files the worker picked to trace, by place, as the document has them (shared bytes and all). */
function picked(doc: SnapshotDocument, traceable: readonly number[]): SnapshotDocument['files'] {
  return traceable.flatMap((i) => (doc.files[i] ? [doc.files[i]] : []));
}

/** The store's messages name files on the server: logged here, a code and a plain sentence sent. */
function storeError(e: unknown, what: 'write' | 'delete'): unknown {
  if (!isSnapshotError(e)) return e;
  console.error(`svcpath store: ${e.message}`);
  if (e.code === 'INVALID') return new DomainError('INVALID_REQUEST', 'the snapshot does not match the snapshot format', { issues: e.info.issues ?? [] });
  return new DomainError('STORE_FAILED', `could not ${what} the snapshot in the store (${e.code}); nothing was changed`, { code: e.code });
}
