import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  createFileSnapshotStore,
  defaultSnapshotStoreDir,
  encodeCollection,
  formatSnapshotProblem,
  isSnapshotError,
  readImportSource,
  unknownWithoutClusterState,
  type SnapshotStore,
} from '@svcpath/collector';
import type { Snapshot } from '@svcpath/api-contract';
import { redactSnapshots } from '@svcpath/redact';
import { CliError, type Io } from './io';

const HELP = `Usage: svcpath snapshots [list] [--store DIR]
       svcpath snapshots show ID [--store DIR]
       svcpath snapshots export ID FILE [--gzip] [--redact] [--store DIR]
       svcpath snapshots import PATH [--node NAME] [--collection NAME] [--node-ip IP] [--store DIR]
       svcpath snapshots delete ID [--store DIR]

Lists and moves the snapshots "svcpath collect" saved (one node's dumps, node IPs and, when it
could be read, the cluster state).

  export ID FILE   write a whole collection (ID = a collection name) or one snapshot (ID =
                   collection~node) to one JSON file; gzip with --gzip or a FILE ending in .gz;
                   --redact replaces names and addresses with consistent pseudonyms (ns-1,
                   svc-3, node-1, a prefix-preserving address map) that trace the same way
  import PATH      read an exported file, a folder of plain dumps (iptables-save.txt, nft.txt,
                   ipvsadm.txt, ipset.txt, addrs.txt, cluster-state.json, …) or one pasted dump
  --store DIR      where snapshots are kept (default $SVCPATH_STORE, else ~/.svcpath/snapshots)`;

/** The store the user chose, resolved against the working directory. */
export function openStore(dir: string | undefined, io: Io): SnapshotStore {
  return createFileSnapshotStore(dir === undefined ? defaultSnapshotStoreDir() : resolve(io.cwd, dir));
}

/** Runs `body`, turning the store's typed errors into messages with exit code 1. */
export async function withSnapshotErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (isSnapshotError(error)) throw new CliError(error.message, 1);
    throw error;
  }
}

const pad = (s: string, n: number) => s.padEnd(n);

async function list(store: SnapshotStore, io: Io): Promise<number> {
  const { snapshots, problems } = await store.list();
  for (const p of problems) io.stderr.write(`svcpath snapshots: skipped ${p.file}: ${p.message}\n`);
  if (snapshots.length === 0) {
    io.stdout.write(`no snapshots in ${store.location}\n`);
    return 0;
  }
  const width = Math.max(2, ...snapshots.map((s) => s.id.length));
  io.stdout.write(`${pad('ID', width)}  ${pad('TAKEN', 20)}  ${pad('MODE', 8)}  FILES  CLUSTER  PROBLEMS  NODE IPS\n`);
  for (const s of snapshots)
    io.stdout.write(`${pad(s.id, width)}  ${pad(s.takenAt.replace(/\.\d+Z$/, 'Z'), 20)}  ${pad(s.mode, 8)}  ${pad(String(s.files), 5)}  ${pad(s.hasClusterState ? 'yes' : 'no', 7)}  ${pad(String(s.problems), 8)}  ${s.nodeIPs.join(',')}\n`);
  return 0;
}

function describeSnapshot(s: Snapshot): string {
  const lines = [
    `${s.id}: node ${s.node} of collection ${s.collection}, taken ${s.takenAt}`,
    `  cluster: ${s.cluster ?? '-'}  context: ${s.context ?? '-'}  mode: ${s.mode}`,
    `  node IPs: ${s.nodeIPs.join(', ') || '(none)'}`,
  ];
  if (s.source) lines.push(`  source: ${s.source}`);
  for (const [tool, version] of Object.entries(s.toolVersions)) lines.push(`  ${tool}: ${version}`);
  lines.push('files:');
  for (const f of s.files)
    lines.push(`  ${pad(f.name, 28)} ${pad(f.kind, 13)} ${String(Buffer.byteLength(f.text)).padStart(9)} bytes${f.truncated ? '  TRUNCATED' : ''}${f.partial ? '  PARTIAL' : ''}`);
  const cs = s.clusterState;
  if (cs) {
    const endpoints = cs.endpoints.kind === 'EndpointSlices' ? `${cs.endpoints.slices.length} EndpointSlices` : cs.endpoints.kind === 'Endpoints' ? `${cs.endpoints.endpoints.length} Endpoints` : 'no endpoints';
    lines.push(`cluster state: ${cs.services.length} Services, ${endpoints}, ${cs.pods.length} Pods, ${cs.nodes.length} Nodes (${cs.server})`);
  }
  if (s.problems.length > 0) lines.push('problems:', ...s.problems.map((p) => `  ${formatSnapshotProblem(p)}`));
  const unknown = unknownWithoutClusterState(s);
  if (unknown.length > 0) lines.push(cs ? 'the cluster state is incomplete, so svcpath cannot tell:' : 'without cluster state, svcpath cannot tell:', ...unknown.map((u) => `  - ${u}`));
  return `${lines.join('\n')}\n`;
}

async function exportTo(store: SnapshotStore, id: string, file: string, gzip: boolean, io: Io, redact = false): Promise<number> {
  const stored = id.includes('~') ? [await store.get(id)] : await store.collection(id);
  // A random seed: the redacted file cannot be lined up with another export of the same cluster.
  const snapshots = redact ? redactSnapshots(stored, { seed: randomUUID() }).snapshots : stored;
  const bytes = encodeCollection(snapshots[0]!.collection, snapshots, { gzip: gzip || file.endsWith('.gz'), exportedAt: new Date().toISOString() });
  const target = resolve(io.cwd, file);
  await writeFile(target, bytes).catch((e: NodeJS.ErrnoException) => {
    throw new CliError(`cannot write ${file}: ${e.code ?? String(e)}`, 1);
  });
  io.stdout.write(`exported ${snapshots.length} snapshot(s) of collection ${snapshots[0]!.collection} to ${target} (${bytes.length} bytes)\n`);
  return 0;
}

async function importFrom(store: SnapshotStore, path: string, v: { node?: string; collection?: string; 'node-ip'?: string[] }, io: Io): Promise<number> {
  const nodeIPs = (v['node-ip'] ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const { kind, snapshots } = await readImportSource(resolve(io.cwd, path), {
    ...(v.node === undefined ? {} : { node: v.node }),
    ...(v.collection === undefined ? {} : { collection: v.collection }),
    nodeIPs,
  });
  for (const s of snapshots) {
    const { replaced } = await store.put(s);
    io.stdout.write(`${replaced ? 'replaced' : 'imported'} ${s.id} (${s.files.length} files, mode ${s.mode}) from ${kind} ${path}\n`);
    for (const p of s.problems) io.stderr.write(`svcpath snapshots: ${formatSnapshotProblem(p)}\n`);
    if (kind === 'folder' || kind === 'dump') {
      const unknown = unknownWithoutClusterState(s);
      if (unknown.length > 0) io.stderr.write(`note: without cluster state, svcpath cannot tell:\n${unknown.map((u) => `  - ${u}\n`).join('')}`);
    }
  }
  return 0;
}

export async function snapshotsCommand(args: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        store: { type: 'string' },
        gzip: { type: 'boolean' },
        redact: { type: 'boolean' },
        node: { type: 'string' },
        collection: { type: 'string' },
        'node-ip': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n\n${HELP}`, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const [sub = 'list', ...rest] = positionals;
  const want = (n: number, usage: string) => {
    if (rest.length !== n) throw new CliError(`usage: svcpath snapshots ${usage}\n\n${HELP}`, 2);
  };
  const store = openStore(values.store, io);
  return withSnapshotErrors(async () => {
    switch (sub) {
      case 'list':
        want(0, 'list');
        return list(store, io);
      case 'show':
        want(1, 'show ID');
        io.stdout.write(describeSnapshot(await store.get(rest[0]!)));
        return 0;
      case 'export':
        want(2, 'export ID FILE');
        return exportTo(store, rest[0]!, rest[1]!, values.gzip === true, io, values.redact === true);
      case 'import':
        want(1, 'import PATH');
        return importFrom(store, rest[0]!, values, io);
      case 'delete':
        want(1, 'delete ID');
        if (!(await store.delete(rest[0]!))) throw new CliError(`no snapshot "${rest[0]}" in ${store.location}`, 1);
        io.stdout.write(`deleted ${rest[0]}\n`);
        return 0;
      default:
        throw new CliError(`unknown subcommand "${sub}"\n\n${HELP}`, 2);
    }
  });
}
