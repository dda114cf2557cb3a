/**
 * collectSnapshot: reads the cluster (readClusterState) and the node (collectNodeDumps over SSH) at
 * the same time and returns one snapshot plus the problems met. Partial failure is data: a cluster
 * that cannot be read, or a node that cannot be reached, becomes a problem
 * (`node:worker-2 connect-timeout: …`) and the rest is still returned.
 */
import type { SnapshotClusterState, SnapshotFile, SnapshotProblem, Snapshot } from '@svcpath/api-contract';
import { safeSnapshotName } from '@svcpath/api-contract';
import { ClusterSourceError, createKubeClusterSource } from '../cluster/index.js';
import type { ClusterSource } from '../cluster/index.js';
import { collectNodeDumps, isNodeCollectError } from '../node/index.js';
import type { CollectNodeDumpsOptions, HostKeyPolicy, NodeCommandId, NodeDumpResult, SshTarget } from '../node/index.js';
import { buildSnapshot } from './build-snapshot.js';
import { clusterStateDoc } from './cluster-state-doc.js';
import { dumpKindOfCommand } from './dump-kind.js';

export interface CollectSnapshotOptions {
  /** The Kubernetes node name (its Node object, and the snapshot's name). */
  readonly node: string;
  /** kubeconfig context; default the current-context. */
  readonly context?: string;
  readonly namespaces?: readonly string[];
  /** Default `<context>-<YYYYMMDD-HHMMSS>`: one incident's nodes share it. */
  readonly collection?: string;
  /** Where to SSH to; without it only the cluster state is collected. */
  readonly ssh?: SshTarget;
  readonly hostKeyPolicy?: HostKeyPolicy;
  readonly sudo?: boolean;
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  readonly commands?: readonly NodeCommandId[];
  readonly exclude?: readonly NodeCommandId[];
  /** Default: the real client-node adapter over kubeconfig. */
  readonly clusterSource?: ClusterSource;
  /** Leave the cluster out (a node-only collection). */
  readonly skipCluster?: boolean;
  readonly now?: () => Date;
  readonly onProgress?: CollectNodeDumpsOptions['onProgress'];
}

export interface CollectSnapshotResult {
  readonly snapshot: Snapshot;
  readonly problems: readonly SnapshotProblem[];
}

/** `.json` for the JSON dumps, `.txt` for the rest: the names users see and export. */
function fileName(id: NodeCommandId): string {
  return id.endsWith('-json') ? `${id.slice(0, -'-json'.length)}.json` : `${id}.txt`;
}

/** Each command that printed something (or exited 0) becomes a file; its problems go alongside. */
export function filesFromNodeDumps(result: NodeDumpResult): SnapshotFile[] {
  const files: SnapshotFile[] = [];
  for (const [id, out] of Object.entries(result.files) as [NodeCommandId, NonNullable<NodeDumpResult['files'][NodeCommandId]>][]) {
    if (out.exitCode !== 0 && out.stdout === '') continue;
    files.push({
      name: fileName(id),
      text: out.stdout,
      kind: dumpKindOfCommand(id),
      commandId: id,
      truncated: out.truncated,
      partial: out.timedOut || out.channelError !== undefined || out.exitCode !== 0,
    });
  }
  return files;
}

interface ClusterPart {
  readonly state: SnapshotClusterState | null;
  readonly cluster: string | null;
  readonly context: string | null;
  readonly problems: SnapshotProblem[];
}

async function readCluster(o: CollectSnapshotOptions): Promise<ClusterPart> {
  const source = o.clusterSource ?? createKubeClusterSource();
  const subject = o.context ?? 'current-context';
  try {
    const contexts = await source.listContexts();
    const chosen = contexts.find((c) => (o.context === undefined ? c.current : c.name === o.context));
    const { state, problems } = await source.readClusterState({
      ...(o.context === undefined ? {} : { context: o.context }),
      ...(o.namespaces === undefined ? {} : { namespaces: o.namespaces }),
    });
    return {
      state: clusterStateDoc(state),
      cluster: chosen?.cluster ?? null,
      context: state.context,
      problems: problems.map((p) => ({ source: 'cluster', subject: state.context, code: p.code, message: p.message })),
    };
  } catch (error) {
    if (!(error instanceof ClusterSourceError)) throw error;
    return { state: null, cluster: null, context: o.context ?? null, problems: [{ source: 'cluster', subject, code: error.code, message: error.message }] };
  }
}

async function readNode(o: CollectSnapshotOptions): Promise<{ files: SnapshotFile[]; problems: SnapshotProblem[] }> {
  const node = (code: string, message: string): SnapshotProblem => ({ source: 'node', subject: o.node, code, message });
  if (o.ssh === undefined)
    return { files: [], problems: [node('not-collected', 'no SSH target given: only the cluster state was collected, so there are no rules to trace')] };
  try {
    const result = await collectNodeDumps({
      target: o.ssh,
      hostKeyPolicy: o.hostKeyPolicy ?? {},
      ...(o.commands === undefined ? {} : { commands: o.commands }),
      ...(o.exclude === undefined ? {} : { exclude: o.exclude }),
      ...(o.sudo === undefined ? {} : { sudo: o.sudo }),
      ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
      ...(o.maxBytes === undefined ? {} : { maxBytes: o.maxBytes }),
      ...(o.onProgress === undefined ? {} : { onProgress: o.onProgress }),
    });
    return { files: filesFromNodeDumps(result), problems: result.problems.map((p) => node(p.kind, p.message)) };
  } catch (error) {
    if (!isNodeCollectError(error)) throw error;
    return { files: [], problems: [node(error.code, error.message)] };
  }
}

function compactTime(iso: string): string {
  return iso.replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-');
}

/** Collects one node's snapshot. Throws only for programming errors; failures are problems. */
export async function collectSnapshot(o: CollectSnapshotOptions): Promise<CollectSnapshotResult> {
  const takenAt = (o.now ?? (() => new Date()))().toISOString();
  const skipped: ClusterPart = { state: null, cluster: null, context: null, problems: [] };
  const [cluster, nodePart] = await Promise.all([o.skipCluster ? skipped : readCluster(o), readNode(o)]);
  const problems = [...cluster.problems, ...nodePart.problems];
  const collection = o.collection ?? safeSnapshotName(`${cluster.context ?? 'node'}-${compactTime(takenAt)}`);
  const snapshot = buildSnapshot({
    collection,
    node: o.node,
    takenAt,
    cluster: cluster.cluster,
    context: cluster.context,
    files: nodePart.files,
    clusterState: cluster.state,
    problems,
    source: o.ssh ? `collected by svcpath over SSH from ${o.ssh.user ? `${o.ssh.user}@` : ''}${o.ssh.host}` : 'collected by svcpath from the API server only',
  });
  return { snapshot, problems };
}
