// collectSnapshotViaPod: `collectSnapshot`, with the node's dumps taken by a dump Pod instead of
// SSH. The cluster part is `collectSnapshot` itself (run without an SSH target); the node part is
// `collectNodeDumpsViaPod`; both run at the same time and are assembled by `buildSnapshot`, so a
// snapshot collected this way is the same document as one collected over SSH.
import type { SnapshotProblem } from '@svcpath/api-contract';
import { isNodeCollectError } from '../node/node-collect-error.js';
import type { NodeDumpResult } from '../node/collect-node-dumps.js';
import { buildSnapshot } from '../snapshots/build-snapshot.js';
import { collectSnapshot, filesFromNodeDumps } from '../snapshots/collect-snapshot.js';
import type { CollectSnapshotOptions, CollectSnapshotResult } from '../snapshots/collect-snapshot.js';
import {
  collectNodeDumpsViaPod,
  DEFAULT_POD_IMAGE,
  DEFAULT_POD_NAMESPACE,
} from './collect-node-dumps-via-pod.js';
import type { CollectNodeDumpsViaPodOptions, PodNodeDumpResult } from './collect-node-dumps-via-pod.js';
import { isPodCollectError } from './pod-collect-error.js';

/** The Pod-specific options; node, context, commands and limits come from the snapshot options. */
export type DumpPodOptions = Omit<
  CollectNodeDumpsViaPodOptions,
  'node' | 'context' | 'commands' | 'exclude' | 'timeoutMs' | 'maxBytes'
>;

export interface CollectSnapshotViaPodOptions extends Omit<
  CollectSnapshotOptions,
  'ssh' | 'hostKeyPolicy' | 'sudo' | 'onProgress'
> {
  readonly pod: DumpPodOptions;
}

/** `filesFromNodeDumps` reads only `files`; the SSH connection fields it is typed with do not apply. */
function asFilesOnly(result: PodNodeDumpResult): NodeDumpResult {
  return {
    node: { host: result.node.name, port: 0, user: '', via: [] },
    files: result.files,
    problems: [],
    partial: result.partial,
  };
}

async function readNodeViaPod(o: CollectSnapshotViaPodOptions) {
  const problem = (code: string, message: string): SnapshotProblem => ({
    source: 'node',
    subject: o.node,
    code,
    message,
  });
  try {
    const result = await collectNodeDumpsViaPod({
      ...o.pod,
      node: o.node,
      ...(o.context === undefined ? {} : { context: o.context }),
      ...(o.commands === undefined ? {} : { commands: o.commands }),
      ...(o.exclude === undefined ? {} : { exclude: o.exclude }),
      ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
      ...(o.maxBytes === undefined ? {} : { maxBytes: o.maxBytes }),
    });
    return {
      files: filesFromNodeDumps(asFilesOnly(result)),
      problems: result.problems.map((p) => problem(p.kind, p.message)),
      source: `collected by svcpath through the dump Pod ${result.node.namespace}/${result.node.pod} (image ${result.node.image}), deleted after`,
    };
  } catch (error) {
    if (!isPodCollectError(error) && !isNodeCollectError(error)) throw error;
    const where = `${o.pod.namespace ?? DEFAULT_POD_NAMESPACE}, image ${o.pod.image ?? DEFAULT_POD_IMAGE}`;
    return {
      files: [],
      problems: [problem(error.code, error.message)],
      source: `svcpath could not create a dump Pod (namespace ${where}); cluster state only`,
    };
  }
}

/** Collects one node's snapshot, its dumps through a dump Pod. Failures are problems, as in `collectSnapshot`. */
export async function collectSnapshotViaPod(o: CollectSnapshotViaPodOptions): Promise<CollectSnapshotResult> {
  const { pod: _pod, ...clusterOptions } = o;
  const [clusterOnly, nodePart] = await Promise.all([collectSnapshot(clusterOptions), readNodeViaPod(o)]);
  // Without an SSH target collectSnapshot reports the node as not collected; the Pod collected it.
  const clusterProblems = clusterOnly.problems.filter(
    (p) => !(p.source === 'node' && p.code === 'not-collected'),
  );
  const problems = [...clusterProblems, ...nodePart.problems];
  const s = clusterOnly.snapshot;
  const snapshot = buildSnapshot({
    collection: s.collection,
    node: s.node,
    takenAt: s.takenAt,
    cluster: s.cluster,
    context: s.context,
    files: nodePart.files,
    clusterState: s.clusterState,
    problems,
    source: nodePart.source,
  });
  return { snapshot, problems };
}
