// collectLiveFleet: the live fleet answer for one kube context. Reads the cluster state once
// (Services, EndpointSlices, Nodes — as `collect` does), picks the nodes (all, or a label
// selector), runs one short-lived digest Pod per node through `collectFleet` (bounded concurrency,
// per-node timeouts, cancellation, every Pod deleted), then a second, smaller round only for the
// nodes whose bucket hashes differ, asking for the detail of just those buckets — and feeds it
// all to @svcpath/fleet's aggregator, the same code `svcpath fleet --digests` runs. A node that
// gave no digest is a `no-digest` problem in the report, with the reason.
import { setMaxListeners } from 'node:events';
import { CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import type { Snapshot } from '@svcpath/api-contract';
import { clusterStateOfSnapshot } from '@svcpath/diagnostics';
import { fleetAggregator, fleetExpectation, type FleetExpectation, type FleetReport, type NodeDigest, type NodeProblem } from '@svcpath/fleet';
import { timeoutOptions } from '../cluster/api-resources.js';
import type { ClusterProblem } from '../cluster/cluster-problem.js';
import { loadKubeconfig, selectContext, type KubeconfigLoadOptions } from '../cluster/kubeconfig-loader.js';
import { DEFAULT_PAGE_SIZE } from '../cluster/list-all-pages.js';
import { readClusterState, type ClusterState } from '../cluster/read-cluster-state.js';
import { DEFAULT_START_TIMEOUT_MS } from '../node-pod/collect-node-dumps-via-pod.js';
import { collectFleet, DEFAULT_FLEET_CONCURRENCY, type FleetNodeOutcome, type FleetProgress } from '../node-pod/collect-fleet.js';
import { collectFleetDumps, type FleetDump } from './collect-fleet-dumps.js';
import { collectNodeDigest, type NodeDigestPodOptions } from './collect-node-digest.js';
import { DEFAULT_DIGEST_IMAGE, DEFAULT_DIGEST_NAMESPACE } from './node-digest-pod.js';
import { parseNodeSelector } from './node-selector.js';

export const DEFAULT_DIGEST_NODE_TIMEOUT_MS = 3 * 60_000;

export type LiveFleetProgress =
  | { readonly kind: 'cluster-read'; readonly nodes: number; readonly selected: number; readonly servicePorts: number }
  | { readonly kind: 'round'; readonly round: 1 | 2 | 3; readonly nodes: number }
  | (FleetProgress & { readonly round: 1 | 2 | 3 })
  | { readonly kind: 'pod-not-deleted'; readonly pod: string; readonly message: string };

export interface LiveFleetOptions extends KubeconfigLoadOptions {
  /** kubeconfig context; default the current-context. */
  readonly context?: string;
  /** Node label selector (`kubectl get nodes -l`), equality-based terms. Default: every node. */
  readonly selector?: string;
  /** Where the digest Pods run; default svcpath-nodes (deploy/base). */
  readonly namespace?: string;
  /** The svcpath image the Pods run `svcpath node-digest` from. */
  readonly image?: string;
  /** Pods at a time; default 20. */
  readonly concurrency?: number;
  /** Per node and round, from creating its Pod to having its digest. Default 3 minutes. */
  readonly nodeTimeoutMs?: number;
  /**
   * Until a Pod's container runs (scheduling, image pull); default two thirds of the node timeout,
   * at most 2 minutes, so a Pod that never starts is reported as such rather than as a timeout.
   */
  readonly startTimeoutMs?: number;
  readonly pollIntervalMs?: number;
  readonly requestTimeoutMs?: number;
  /**
   * Round 3, optional: full dumps as snapshots (a dump Pod per node, as `collect --via-pod`) of the
   * nodes that disagree or of all, each handed to `store`. Costs a dump (megabytes) per node.
   */
  readonly dumps?: {
    readonly which: 'disagreeing' | 'all';
    readonly store: (snapshot: Snapshot) => Promise<string>;
    /** The dump Pod's image (default the Pod collector's, netshoot). */
    readonly image?: string;
  };
  /** Cancels: no new Pod is created, every created one is deleted before this returns. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: LiveFleetProgress) => void;
}

export interface LiveFleetResult {
  readonly report: FleetReport;
  readonly context: string;
  /** API server URL, without credentials. */
  readonly server: string;
  /** Nodes selected for collection, in the order they were collected. */
  readonly nodes: readonly string[];
  /** Problems reading the cluster state (a resource that could not be listed, …). */
  readonly clusterProblems: readonly ClusterProblem[];
  readonly pods: { readonly created: number; readonly deleted: number; readonly notDeleted: readonly string[] };
  /** Bytes of digest JSON received, per round. */
  readonly digestBytes: readonly [number, number];
  readonly cancelled: boolean;
  /** Round 3's snapshots, when `dumps` was asked for: one per node tried. */
  readonly dumps: readonly FleetDump[];
}

/** Errors that stop a live fleet run before any Pod exists: no kubeconfig, no cluster, no nodes. */
export class LiveFleetError extends Error {}

function connect(o: LiveFleetOptions) {
  const kc = selectContext(loadKubeconfig(o), o.context);
  return { kc, core: kc.makeApiClient(CoreV1Api), discovery: kc.makeApiClient(DiscoveryV1Api), server: (kc.getCurrentCluster()?.server ?? '').replace(/\/\/[^/@]*@/, '//') };
}

async function readState(o: LiveFleetOptions, c: ReturnType<typeof connect>) {
  const timeoutMs = o.requestTimeoutMs ?? 30_000;
  const { state, problems } = await readClusterState(c.kc, { core: c.core, discovery: c.discovery }, { contextName: c.kc.getCurrentContext(), pageSize: DEFAULT_PAGE_SIZE, timeoutMs, options: timeoutOptions(timeoutMs) });
  const nodesFailed = problems.find((p) => p.resource === 'nodes' || p.resource === undefined);
  if (state.nodes.length === 0 && nodesFailed) throw new LiveFleetError(`cannot list the cluster's nodes: ${nodesFailed.message}`);
  return { state, problems };
}

function selectNodes(state: ClusterState, selector: string | undefined): string[] {
  const match = selector === undefined ? () => true : parseNodeSelector(selector);
  if (typeof match === 'string') throw new LiveFleetError(match);
  const names = state.nodes.filter((n) => match(n.metadata.labels)).map((n) => n.metadata.name);
  if (names.length === 0) throw new LiveFleetError(selector === undefined ? 'the cluster lists no nodes' : `no node matches --selector ${selector} (of ${state.nodes.length})`);
  return names.sort();
}

function problemOf(o: Exclude<FleetNodeOutcome<unknown>, { kind: 'collected' }>): NodeProblem {
  const reason =
    o.kind === 'failed' ? o.reason : o.kind === 'timeout' ? `no digest within ${Math.round(o.timeoutMs / 1000)} s (the node timeout); its Pod was deleted` : 'not started: the run was cancelled';
  return { kind: 'no-digest', node: o.node, reason };
}

/** The first round's report, to learn which nodes' buckets differ and need their detail. */
function undetailedOf(expectation: FleetExpectation, digests: ReadonlyMap<string, NodeDigest>): Map<string, readonly number[]> {
  const agg = fleetAggregator(expectation);
  for (const d of digests.values()) agg.add(d);
  return new Map(agg.report().undetailed.map((u) => [u.node, u.buckets]));
}

/** Collects every selected node's digest through Pods and aggregates them. See the file header. */
export async function collectLiveFleet(o: LiveFleetOptions = {}): Promise<LiveFleetResult> {
  let c: ReturnType<typeof connect>;
  try {
    c = connect(o);
  } catch (e) {
    throw new LiveFleetError(e instanceof Error ? e.message : String(e));
  }
  const cluster = await readState(o, c);
  const { state, problems } = cluster;
  // The fleet compares Services and endpoints only: kube-proxy's ConfigMap is read but not needed.
  const clusterProblems = problems.filter((p) => p.resource !== 'configmaps');
  const nodes = selectNodes(state, o.selector);
  const expectation = fleetExpectation(clusterStateOfSnapshot(state));
  o.onProgress?.({ kind: 'cluster-read', nodes: state.nodes.length, selected: nodes.length, servicePorts: expectation.servicePorts });

  const nodeTimeoutMs = o.nodeTimeoutMs ?? DEFAULT_DIGEST_NODE_TIMEOUT_MS;
  const concurrency = o.concurrency ?? DEFAULT_FLEET_CONCURRENCY;
  // Each running node listens to the caller's signal: not a leak, so no warning at 11.
  if (o.signal) setMaxListeners(concurrency + 10, o.signal);
  const pods = { created: 0, deleted: 0, notDeleted: [] as string[] };
  const podOptions: NodeDigestPodOptions = {
    core: c.core,
    server: c.server,
    namespace: o.namespace ?? DEFAULT_DIGEST_NAMESPACE,
    image: o.image ?? DEFAULT_DIGEST_IMAGE,
    startTimeoutMs: o.startTimeoutMs ?? Math.min(DEFAULT_START_TIMEOUT_MS, Math.round((nodeTimeoutMs * 2) / 3)),
    runTimeoutMs: nodeTimeoutMs,
    pollIntervalMs: o.pollIntervalMs ?? 1_000,
    requestTimeoutMs: o.requestTimeoutMs ?? 30_000,
    onPod: (e) => {
      if (e.kind === 'created') pods.created++;
      else if (e.kind === 'deleted') pods.deleted++;
      else {
        pods.notDeleted.push(e.pod);
        o.onProgress?.({ kind: 'pod-not-deleted', pod: e.pod, message: e.message ?? '' });
      }
    },
  };
  const bytes: [number, number] = [0, 0];
  const round = async (r: 1 | 2, which: readonly string[], detail: (node: string) => readonly number[] | undefined) => {
    o.onProgress?.({ kind: 'round', round: r, nodes: which.length });
    return collectFleet({
      nodes: which,
      concurrency,
      nodeTimeoutMs,
      ...(o.signal ? { signal: o.signal } : {}),
      onProgress: (e) => o.onProgress?.({ ...e, round: r }),
      collectNode: async (node, signal) => {
        const d = await collectNodeDigest(podOptions, node, signal, detail(node));
        bytes[r === 1 ? 0 : 1] += JSON.stringify(d).length;
        return d;
      },
    });
  };

  const first = await round(1, nodes, () => undefined);
  const digests = new Map<string, NodeDigest>();
  const failed: NodeProblem[] = [];
  for (const x of first.outcomes) {
    if (x.kind === 'collected') digests.set(x.node, x.result);
    else failed.push(problemOf(x));
  }
  const undetailed = undetailedOf(expectation, digests);
  if (undetailed.size > 0 && !o.signal?.aborted) {
    // A node whose second Pod fails keeps its first digest: the report lists it as not detailed.
    const second = await round(2, [...undetailed.keys()], (node) => undetailed.get(node));
    for (const x of second.outcomes) if (x.kind === 'collected') digests.set(x.node, x.result);
  }
  const agg = fleetAggregator(expectation);
  for (const node of nodes) {
    const d = digests.get(node);
    if (d) agg.add(d);
  }
  for (const p of failed) agg.problem(p);
  const report = agg.report();
  let dumps: FleetDump[] = [];
  if (o.dumps && !o.signal?.aborted) {
    const which = o.dumps.which === 'all' ? nodes : [...new Set([...report.nodes.map((n) => n.node), ...report.undetailed.map((u) => u.node)])].sort();
    if (which.length > 0) {
      o.onProgress?.({ kind: 'round', round: 3, nodes: which.length });
      const context = c.kc.getCurrentContext();
      dumps = await collectFleetDumps({
        nodes: which,
        kc: c.kc,
        ...(o.context ? { context: o.context } : {}),
        ...(o.kubeconfigPath ? { kubeconfigPath: o.kubeconfigPath } : {}),
        ...(o.env ? { env: o.env } : {}),
        cluster,
        collection: `fleet-${context}-${new Date().toISOString().replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-')}`.replace(/[^A-Za-z0-9._-]/g, '-'),
        namespace: podOptions.namespace,
        ...(o.dumps.image ? { image: o.dumps.image } : {}),
        concurrency,
        nodeTimeoutMs,
        startTimeoutMs: podOptions.startTimeoutMs,
        pollIntervalMs: podOptions.pollIntervalMs,
        ...(o.signal ? { signal: o.signal } : {}),
        onProgress: (e) => o.onProgress?.({ ...e, round: 3 }),
        store: o.dumps.store,
      });
    }
  }
  return {
    report,
    context: c.kc.getCurrentContext(),
    server: c.server,
    nodes,
    clusterProblems,
    pods,
    digestBytes: bytes,
    cancelled: o.signal?.aborted ?? false,
    dumps,
  };
}
