/**
 * Reads the snapshot store for the commands that only look at snapshots (doctor, compare,
 * counters, replay). Light on purpose: node:fs and @svcpath/api-contract's schema only, so these
 * commands load without @svcpath/collector's Kubernetes client and SSH library. The store's layout
 * (one `<collection>~<node>.json` per snapshot, gzip allowed) is the collector's file store's.
 */
import { readFile, readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readSnapshotDocument, traceableFiles, type Snapshot } from '@svcpath/api-contract';
import { CliError, type Io } from './io';

const ID = /^[a-z0-9][a-z0-9._-]*~[a-z0-9][a-z0-9._-]*$/;
const NAME = /^[a-z0-9][a-z0-9._-]*$/;

/** The store the user chose (`--store DIR`), else $SVCPATH_STORE, else ~/.svcpath/snapshots. */
export function storeDir(dir: string | undefined, io: Io, env: Readonly<Record<string, string | undefined>> = process.env): string {
  return dir !== undefined ? resolve(io.cwd, dir) : env['SVCPATH_STORE'] || join(homedir(), '.svcpath', 'snapshots');
}

async function readDoc(dir: string, id: string): Promise<Snapshot> {
  const file = join(dir, `${id}.json`);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`no snapshot "${id}" in ${dir}; "svcpath snapshots list" shows what there is`, 1);
    throw new CliError(`cannot read ${file}: ${code ?? String(e)}`, 1);
  }
  let json: unknown;
  try {
    json = JSON.parse((bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8'));
  } catch (e) {
    throw new CliError(`${file}: not a readable snapshot (${(e as Error).message.slice(0, 200)})`, 1);
  }
  const doc = readSnapshotDocument(json);
  if (!doc.ok) throw new CliError(`${file}: ${doc.message}${doc.issues.length ? `:\n  ${doc.issues.slice(0, 10).join('\n  ')}` : ''}`, 1);
  if (doc.document.kind !== 'snapshot' || doc.document.snapshot.id !== id) throw new CliError(`${file}: does not hold snapshot "${id}"`, 1);
  return doc.document.snapshot;
}

/** One stored snapshot by id (`collection~node`). */
export async function readSnapshot(id: string, dir: string): Promise<Snapshot> {
  if (!ID.test(id)) throw new CliError(`"${id}" is not a snapshot id (collection~node); "svcpath snapshots list" shows them`, 2);
  return readDoc(dir, id);
}

/** Every snapshot of one collection, by node name; reads only that collection's files. */
export async function readCollection(name: string, dir: string): Promise<Snapshot[]> {
  if (!NAME.test(name)) throw new CliError(`"${name}" is not a collection name; "svcpath snapshots list" shows them`, 2);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `no collection "${name}": the snapshot store ${dir} does not exist` : `cannot read the snapshot store ${dir}: ${code ?? String(e)}`, 1);
  }
  const ids = names.filter((n) => n.startsWith(`${name}~`) && n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length)).filter((id) => ID.test(id));
  if (ids.length === 0) throw new CliError(`no collection "${name}" in ${dir}; "svcpath snapshots list" shows what there is`, 1);
  const snapshots = await Promise.all(ids.sort().map((id) => readDoc(dir, id)));
  return snapshots.sort((a, b) => a.node.localeCompare(b.node));
}

/**
 * `--snapshot` values that may name whole collections: each value is an id (`collection~node`) or
 * a collection name (every node of it).
 */
export async function readSnapshots(values: readonly string[], dir: string): Promise<Snapshot[]> {
  const out: Snapshot[] = [];
  for (const v of values) out.push(...(v.includes('~') ? [await readSnapshot(v, dir)] : await readCollection(v, dir)));
  const seen = new Set<string>();
  return out.filter((s) => !seen.has(s.id) && seen.add(s.id));
}

/** The rules to load from a snapshot (one view per dataplane); an error when there are none. */
export function rulesOf(s: Snapshot, what: string): { name: string; text: string }[] {
  const files = traceableFiles(s);
  if (files.length === 0) throw new CliError(`snapshot ${s.id} holds no iptables or nftables dump to ${what}`, 1);
  return files;
}

/** The first file of a kind, as `{ file, text }`. */
export function fileOfKind(s: Snapshot, kind: Snapshot['files'][number]['kind']): { file: string; text: string } | undefined {
  const f = s.files.find((x) => x.kind === kind && x.text.trim() !== '');
  return f ? { file: `${s.id}/${f.name}`, text: f.text } : undefined;
}
