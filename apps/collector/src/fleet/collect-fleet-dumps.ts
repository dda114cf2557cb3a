// The optional third round of a live fleet run: full dumps, as snapshots, of the nodes that
// disagree (or of every node) — what tracing on such a node needs. Each node gets a dump Pod
// (collectSnapshotViaPod, the Pod `svcpath collect --via-pod` uses) in the fleet's namespace, with
// the same bounded fan-out as the digests. The cluster state is the one the fleet run already read,
// not read again per node. Each snapshot is handed to `store` as it arrives.
import type { Snapshot } from '@svcpath/api-contract';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterSource } from '../cluster/cluster-source.js';
import { summarizeContexts, type KubeconfigLoadOptions } from '../cluster/kubeconfig-loader.js';
import type { ClusterStateResult } from '../cluster/read-cluster-state.js';
import { collectFleet, type FleetNodeOutcome, type FleetProgress } from '../node-pod/collect-fleet.js';
import { collectSnapshotViaPod } from '../node-pod/collect-snapshot-via-pod.js';

export interface FleetDumpRequest extends KubeconfigLoadOptions {
  readonly nodes: readonly string[];
  readonly kc: KubeConfig;
  readonly context?: string;
  readonly cluster: ClusterStateResult;
  /** The collection the snapshots join (one fleet run, one incident). */
  readonly collection: string;
  readonly namespace: string;
  /** The dump Pod's image; default the Pod collector's (netshoot). */
  readonly image?: string;
  readonly concurrency: number;
  readonly nodeTimeoutMs: number;
  readonly startTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (e: FleetProgress) => void;
  /** Keeps a snapshot (the CLI's store, the server's); returns its id. */
  readonly store: (snapshot: Snapshot) => Promise<string>;
}

export interface FleetDump {
  readonly node: string;
  readonly snapshotId: string | null;
  /** Why no snapshot (or what it lacks), in words. */
  readonly problem: string | null;
}

/** A ClusterSource that answers with the state the fleet run read: one read for every snapshot. */
function readOnce(kc: KubeConfig, cluster: ClusterStateResult): ClusterSource {
  const unused = () => {
    throw new Error('not used by a fleet dump');
  };
  return { listContexts: async () => summarizeContexts(kc), readClusterState: async () => cluster, watch: unused, watchServices: unused };
}

function problemOf(o: Exclude<FleetNodeOutcome<unknown>, { kind: 'collected' }>): string {
  return o.kind === 'failed' ? o.reason : o.kind === 'timeout' ? `no dump within ${Math.round(o.timeoutMs / 1000)} s` : 'not started: the run was cancelled';
}

/** One snapshot per node through dump Pods; never throws for a node's failure. */
export async function collectFleetDumps(r: FleetDumpRequest): Promise<FleetDump[]> {
  const clusterSource = readOnce(r.kc, r.cluster);
  const run = await collectFleet({
    nodes: r.nodes,
    concurrency: r.concurrency,
    nodeTimeoutMs: r.nodeTimeoutMs,
    ...(r.signal ? { signal: r.signal } : {}),
    ...(r.onProgress ? { onProgress: r.onProgress } : {}),
    collectNode: async (node) => {
      const { snapshot, problems } = await collectSnapshotViaPod({
        node,
        ...(r.context === undefined ? {} : { context: r.context }),
        collection: r.collection,
        clusterSource,
        pod: {
          allowHostNetworkPod: true,
          namespace: r.namespace,
          ...(r.image ? { image: r.image } : {}),
          ...(r.kubeconfigPath ? { kubeconfigPath: r.kubeconfigPath } : {}),
          ...(r.env ? { env: r.env } : {}),
          startTimeoutMs: r.startTimeoutMs,
          pollIntervalMs: r.pollIntervalMs,
        },
      });
      const nodeProblem = problems.find((p) => p.source === 'node');
      if (snapshot.files.length === 0) throw new Error(nodeProblem ? `${nodeProblem.code}: ${nodeProblem.message}` : 'no dump came back');
      return { id: await r.store(snapshot), partial: nodeProblem ? `${problems.filter((p) => p.source === 'node').length} dump problems, e.g. ${nodeProblem.message}` : null };
    },
  });
  return run.outcomes.map((o) => (o.kind === 'collected' ? { node: o.node, snapshotId: o.result.id, problem: o.result.partial } : { node: o.node, snapshotId: null, problem: problemOf(o) }));
}
