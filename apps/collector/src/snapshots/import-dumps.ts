/**
 * Snapshots from files a person has: a folder of plain dumps (`iptables-save.txt`, `nft.txt`,
 * `ipvsadm.txt`, `ipset.txt`, `addrs.txt`, …, optionally `cluster-state.json` and the older
 * `meta.json`), or one pasted dump. Each file's kind is detected from its text and name; rule dumps
 * are parsed once so that lines svcpath does not understand are reported with file and line.
 */
import type { Snapshot, SnapshotClusterState, SnapshotFile, SnapshotProblem } from '@svcpath/api-contract';
import { SnapshotClusterState as ClusterStateSchema, describeIssues } from '@svcpath/api-contract';
import { loadRuleset } from '@svcpath/ruleset';
import { z } from 'zod';
import { buildSnapshot } from './build-snapshot.js';
import { sanitizeClusterState } from './cluster-state-doc.js';
import { detectDumpKind } from './dump-kind.js';
import { SnapshotError } from './snapshot-error.js';
import { traceableFiles } from '@svcpath/api-contract';

export interface ImportOptions {
  /** Default: meta.json's node, else the folder's name, else `pasted`. */
  readonly node?: string;
  /** Default: meta.json's collection, else `imported`. */
  readonly collection?: string;
  readonly nodeIPs?: readonly string[];
  readonly now?: () => Date;
}

/** A file as read from disk (the adapter in the CLI does the reading). */
export interface PlainFile {
  readonly name: string;
  readonly text: string;
}

const CLUSTER_STATE_FILE = 'cluster-state.json';
const META_FILE = 'meta.json';
const IGNORED = /^(readme(\.\w+)?|\..*)$/i;

/** The older demo-folder metadata: `{ collection?, node, takenAt, nodeIPs }`. */
const LegacyMeta = z.object({
  collection: z.string().min(1).optional(),
  node: z.string().min(1).optional(),
  takenAt: z.iso.datetime().optional(),
  nodeIPs: z.array(z.string()).optional(),
});

function parseJsonFile<T>(file: PlainFile, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(file.text);
  } catch (error) {
    throw new SnapshotError('INVALID', `${file.name}: not valid JSON (${(error as Error).message})`, { file: file.name });
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = describeIssues(parsed.error);
  throw new SnapshotError('INVALID', `${file.name}: ${issues.slice(0, 5).join('; ')}`, { file: file.name, ...(issues[0] ? { field: issues[0].split(':')[0] } : {}), issues });
}

/** Parser diagnostics of the rule dumps, as import problems naming file and line. */
function ruleProblems(files: readonly { name: string; text: string }[]): SnapshotProblem[] {
  const { diagnostics } = loadRuleset(files, { lazy: false });
  return diagnostics
    .filter((d) => d.severity === 'error')
    .slice(0, 20)
    .map((d) => ({ source: 'import', subject: `${d.span.file}:${d.span.line}`, code: d.code, message: d.message }));
}

/** One snapshot from the files of one node. Throws SnapshotError EMPTY when nothing can be traced. */
export function snapshotFromPlainFiles(input: readonly PlainFile[], o: ImportOptions & { readonly defaultNode: string }): Snapshot {
  const byName = new Map(input.map((f) => [f.name, f]));
  const meta = byName.has(META_FILE) ? parseJsonFile(byName.get(META_FILE)!, LegacyMeta) : {};
  const stateFile = byName.get(CLUSTER_STATE_FILE);
  const clusterState: SnapshotClusterState | null = stateFile
    ? sanitizeClusterState(parseJsonFile(stateFile, ClusterStateSchema), stateFile.name, '(cluster state)')
    : null;
  const files: SnapshotFile[] = input
    .filter((f) => f.name !== META_FILE && f.name !== CLUSTER_STATE_FILE && !IGNORED.test(f.name))
    .map((f) => ({ name: f.name, text: f.text, kind: detectDumpKind(f.name, f.text), commandId: null, truncated: false, partial: false }));
  const problems: SnapshotProblem[] = files
    .filter((f) => f.kind === 'unknown')
    .map((f) => ({ source: 'import', subject: f.name, code: 'unknown-kind', message: 'not a dump svcpath knows (iptables-save, nft list ruleset, ipvsadm -Sn, ipset save, ip addr, ip route, sysctls); kept but not traced' }));
  const snapshot = buildSnapshot({
    collection: o.collection ?? meta.collection ?? 'imported',
    node: o.node ?? meta.node ?? o.defaultNode,
    takenAt: meta.takenAt ?? (o.now ?? (() => new Date()))().toISOString(),
    cluster: null,
    context: clusterState?.context ?? null,
    files,
    clusterState,
    problems,
    extraNodeIPs: [...(meta.nodeIPs ?? []), ...(o.nodeIPs ?? [])],
    source: 'imported from files',
  });
  const traced = traceableFiles(snapshot);
  if (traced.length === 0 && clusterState === null) {
    const kinds = files.map((f) => `${f.name} (${f.kind})`).join(', ') || 'no files';
    throw new SnapshotError('EMPTY', `nothing to trace in ${kinds}: expected iptables-save or nft list ruleset output`, {
      ...(files[0] ? { file: files[0].name, line: 1 } : {}),
    });
  }
  return { ...snapshot, problems: [...snapshot.problems, ...ruleProblems(traced)] };
}
