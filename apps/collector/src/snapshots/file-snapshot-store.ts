/**
 * The on-disk snapshot store: one JSON file per snapshot, `<dir>/<collection>~<node>.json`, in the
 * format of @svcpath/api-contract's `Snapshot`. Writes are atomic (atomic-write.ts), so the store
 * never loses what it holds: a failed write leaves the previous file as it was. A file that cannot
 * be read (corrupted, hand-edited, from a newer svcpath) is reported by `list` and skipped.
 */
import { mkdir, readFile, readdir, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { formatSnapshotDocument } from '@svcpath/api-contract';
import type { Snapshot } from '@svcpath/api-contract';
import { isTempFile, writeFileAtomic } from './atomic-write.js';
import { decodeSnapshotDocument } from './snapshot-codec.js';
import { SnapshotError, isSnapshotError } from './snapshot-error.js';
import { summarize } from './snapshot-store.js';
import type { SnapshotStore, SnapshotSummary, StoreProblem } from './snapshot-store.js';
import { validateSnapshot } from './validate-snapshot.js';

const ID = /^[a-z0-9][a-z0-9._-]*~[a-z0-9][a-z0-9._-]*$/;

/** `$SVCPATH_STORE`, else `~/.svcpath/snapshots`. */
export function defaultSnapshotStoreDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env['SVCPATH_STORE'] || join(homedir(), '.svcpath', 'snapshots');
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

export function createFileSnapshotStore(dir: string): SnapshotStore {
  const fileOf = (id: string): string => {
    if (!ID.test(id))
      throw new SnapshotError('NOT_FOUND', `"${id}" is not a snapshot id (collection~node); "svcpath snapshots list" shows them`);
    return join(dir, `${id}.json`);
  };

  const read = async (file: string, id: string): Promise<Snapshot> => {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT')
        throw new SnapshotError('NOT_FOUND', `no snapshot "${id}" in ${dir}; "svcpath snapshots list" shows what there is`, { file });
      throw new SnapshotError('UNREADABLE', `cannot read ${file}: ${errnoCode(error) ?? String(error)}`, { file });
    }
    const doc = decodeSnapshotDocument(bytes, file);
    if (doc.kind !== 'snapshot' || doc.snapshot.id !== id)
      throw new SnapshotError('INVALID', `${file}: holds ${doc.kind === 'snapshot' ? `snapshot "${doc.snapshot.id}"` : 'a collection'}, not snapshot "${id}"`, { file, field: 'id' });
    return doc.snapshot;
  };

  const names = async (): Promise<string[]> => {
    try {
      return (await readdir(dir)).filter((n) => n.endsWith('.json') && !isTempFile(n)).sort();
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return [];
      throw new SnapshotError('UNREADABLE', `cannot read the snapshot store ${dir}: ${errnoCode(error) ?? String(error)}`, { file: dir });
    }
  };

  const readAll = async (): Promise<{ snapshots: Snapshot[]; problems: StoreProblem[] }> => {
    const snapshots: Snapshot[] = [];
    const problems: StoreProblem[] = [];
    for (const name of await names()) {
      const file = join(dir, name);
      try {
        snapshots.push(await read(file, name.slice(0, -'.json'.length)));
      } catch (error) {
        if (!isSnapshotError(error)) throw error;
        problems.push({ file, code: error.code, message: error.message });
      }
    }
    snapshots.sort((a, b) => a.collection.localeCompare(b.collection) || a.node.localeCompare(b.node));
    return { snapshots, problems };
  };

  return {
    location: dir,

    async list(): Promise<{ snapshots: SnapshotSummary[]; problems: StoreProblem[] }> {
      const { snapshots, problems } = await readAll();
      return { snapshots: snapshots.map(summarize), problems };
    },

    all: readAll,

    async get(id) {
      return read(fileOf(id), id);
    },

    async put(input) {
      const snapshot = validateSnapshot(input, `snapshot ${input.id}`);
      const file = fileOf(snapshot.id);
      const replaced = (await names()).includes(`${snapshot.id}.json`);
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await writeFileAtomic(file, Buffer.from(formatSnapshotDocument(snapshot), 'utf8'));
      } catch (error) {
        throw new SnapshotError('WRITE_FAILED', `cannot write ${file}: ${errnoCode(error) ?? String(error)}; the store is unchanged`, { file }, { cause: error });
      }
      return { file, replaced };
    },

    async delete(id) {
      try {
        await unlink(fileOf(id));
        return true;
      } catch (error) {
        if (errnoCode(error) === 'ENOENT' || isSnapshotError(error)) return false;
        throw new SnapshotError('WRITE_FAILED', `cannot delete snapshot "${id}": ${errnoCode(error) ?? String(error)}`, { file: join(dir, `${id}.json`) });
      }
    },

    async collection(name) {
      const { snapshots } = await readAll();
      const found = snapshots.filter((s) => s.collection === name);
      if (found.length === 0) throw new SnapshotError('NOT_FOUND', `no collection "${name}" in ${dir}`);
      return found;
    },
  };
}
