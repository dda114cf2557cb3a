// collectNodeDumpsViaPod: for nodes without SSH (managed clusters). Creates a short-lived Pod on the
// node — host network, NET_ADMIN/NET_RAW, nothing else (see node-dump-pod.ts) — whose container
// runs the selected catalogue commands (pod-dump-script.ts), waits for it, reads its log, splits
// the log back into per-command results and deletes the Pod, always. Opt-in only.
//
// Only what stops anything from being collected throws (`PodCollectError`: not opted in, invalid
// options, kubeconfig, creating the Pod refused); once the Pod exists, everything is data.
import { randomBytes } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
import { timeoutOptions } from '../cluster/api-resources.js';
import { ClusterSourceError } from '../cluster/cluster-source-error.js';
import { httpStatusOf } from '../cluster/cluster-problem.js';
import { loadKubeconfig, selectContext } from '../cluster/kubeconfig-loader.js';
import type { Env } from '../cluster/kubeconfig-loader.js';
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS } from '../node/collect-node-dumps.js';
import { isPartial } from '../node/node-dump-problems.js';
import { selectNodeCommands } from '../node/node-commands.js';
import type { NodeCommand, NodeCommandId } from '../node/node-commands.js';
import type { NodeDumpResult } from '../node/collect-node-dumps.js';
import { CONTAINER_NAME, MANAGED_BY_LABEL, nodeDumpPod } from './node-dump-pod.js';
import { PodCollectError, apiFailure, podCreateError, rbacAdvice } from './pod-collect-error.js';
import { parsePodDumpLog } from './pod-dump-log.js';
import type { PodDumpProblem, PodProblem } from './pod-dump-problems.js';
import { podProblemMakesPartial } from './pod-dump-problems.js';
import { podDumpResults } from './pod-dump-results.js';
import { podDumpScript } from './pod-dump-script.js';
import { waitForPod } from './wait-for-pod.js';
import type { PodPhase, PodWaitOutcome } from './wait-for-pod.js';

/**
 * Default image: nicolaka/netshoot, pinned. Alpine-based, and it has every tool of the catalogue
 * (iptables with both backends, nft, ipset, ipvsadm, conntrack, iproute2, coreutils `timeout`).
 * Replace it (`image`, `--pod-image`) with a mirror or a smaller image of your own.
 */
export const DEFAULT_POD_IMAGE = 'docker.io/nicolaka/netshoot:v0.13';
/** kube-system is privileged (Pod Security) in most clusters, and the usual home of node agents. */
export const DEFAULT_POD_NAMESPACE = 'kube-system';
/** Scheduling and pulling the image on a fresh node. */
export const DEFAULT_START_TIMEOUT_MS = 2 * 60_000;
const RUN_SLACK_MS = 15_000;
/** The log is read into memory whole; beyond this it is cut (and reported incomplete). */
export const MAX_LOG_BYTES = 256 * 1024 * 1024;

export type PodDumpProgress =
  | { readonly kind: 'pod-created'; readonly pod: string }
  | { readonly kind: 'pod-phase'; readonly pod: string; readonly phase: PodPhase }
  | { readonly kind: 'pod-deleted'; readonly pod: string };

export interface CollectNodeDumpsViaPodOptions {
  /** The Kubernetes node name; the Pod is pinned to it with `spec.nodeName`. */
  readonly node: string;
  /** The opt-in: this creates a host-network Pod with NET_ADMIN/NET_RAW on the node. */
  readonly allowHostNetworkPod: true;
  /** Like `kubectl --kubeconfig`; default $KUBECONFIG, ~/.kube/config, in-cluster. */
  readonly kubeconfigPath?: string;
  /** kubeconfig context; default the current-context. */
  readonly context?: string;
  /** Environment for kubeconfig lookup (tests); default process.env. */
  readonly env?: Env;
  readonly image?: string;
  readonly namespace?: string;
  /** Catalogue ids to run (default: the default set). Ids only — never command text. */
  readonly commands?: readonly NodeCommandId[];
  readonly exclude?: readonly NodeCommandId[];
  /** Per-command time limit, as over SSH. Default 5 minutes. */
  readonly timeoutMs?: number;
  /** Per-command, per-stream output limit, as over SSH. Default 64 MiB. */
  readonly maxBytes?: number;
  /** Until the container runs (scheduling, image pull). Default 2 minutes. */
  readonly startTimeoutMs?: number;
  /** Per API request. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Between status polls. Default 1 s. */
  readonly pollIntervalMs?: number;
  readonly onProgress?: (event: PodDumpProgress) => void;
}

/** The same shape as `collectNodeDumps`' result; `node` names the Pod, `problems` adds Pod problems. */
export interface PodNodeDumpResult {
  readonly node: {
    readonly name: string;
    readonly namespace: string;
    readonly pod: string;
    readonly image: string;
  };
  readonly files: NodeDumpResult['files'];
  readonly problems: readonly PodDumpProblem[];
  /** True when some dump is missing or incomplete; a Pod left behind alone does not make it partial. */
  readonly partial: boolean;
}

const positiveInt = z.number().int().positive();
const dnsSubdomain = z
  .string()
  .max(253)
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'must be a DNS subdomain (a node name)',
  );
// Validates what may come from a CLI flag or an HTTP body; functions (onProgress) pass unchecked.
const optionsSchema = z.looseObject({
  node: dnsSubdomain,
  kubeconfigPath: z.string().min(1).optional(),
  context: z.string().min(1).optional(),
  image: z
    .string()
    .regex(/^[^\s]{1,512}$/, 'must be an image reference without spaces')
    .optional(),
  namespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a namespace name (DNS label)')
    .optional(),
  timeoutMs: positiveInt.optional(),
  maxBytes: positiveInt.optional(),
  startTimeoutMs: positiveInt.optional(),
  requestTimeoutMs: positiveInt.optional(),
  pollIntervalMs: positiveInt.optional(),
});

function prepare(options: CollectNodeDumpsViaPodOptions): NodeCommand[] {
  if (options.allowHostNetworkPod !== true) {
    throw new PodCollectError({
      code: 'not-opted-in',
      message:
        'collecting through a Pod creates a host-network Pod with NET_ADMIN/NET_RAW on the node; ' +
        'it runs only when asked for explicitly (allowHostNetworkPod: true, svcpath collect --via-pod)',
    });
  }
  // Ids first, so a command string smuggled in as an id gets the specific error.
  const selected = selectNodeCommands(options.commands, options.exclude);
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new PodCollectError({
      code: 'invalid-options',
      message: `Invalid Pod collection options: ${issues.join('; ')}`,
      issues,
    });
  }
  return selected;
}

function connect(options: CollectNodeDumpsViaPodOptions): {
  kc: KubeConfig;
  core: CoreV1Api;
  server: string;
} {
  try {
    const all = loadKubeconfig({
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.kubeconfigPath === undefined ? {} : { kubeconfigPath: options.kubeconfigPath }),
    });
    const kc = selectContext(all, options.context);
    return { kc, core: kc.makeApiClient(CoreV1Api), server: kc.getCurrentCluster()?.server ?? '' };
  } catch (error) {
    if (!(error instanceof ClusterSourceError)) throw error;
    throw new PodCollectError({ code: 'kubeconfig', message: error.message }, { cause: error });
  }
}

/** `svcpath-dump-<node>-<random>`: unique, and recognisable in `kubectl get pods`. */
function podName(node: string): string {
  const readable = node.replaceAll('.', '-').slice(0, 30).replace(/-+$/, '');
  return `svcpath-dump-${readable}-${randomBytes(4).toString('hex')}`;
}

export interface Running {
  readonly core: CoreV1Api;
  readonly server: string;
  readonly namespace: string;
  readonly name: string;
  readonly requestTimeoutMs: number;
}

function waitProblem(outcome: PodWaitOutcome, ref: string): PodProblem | undefined {
  switch (outcome.kind) {
    case 'succeeded':
      return undefined;
    case 'failed':
      return {
        kind: 'pod-failed',
        pod: ref,
        reason: outcome.reason,
        message: `the dump Pod ${ref} failed: ${outcome.reason}: ${outcome.message}`,
      };
    case 'start-timeout':
      return {
        kind: 'pod-start-timeout',
        pod: ref,
        timeoutMs: outcome.timeoutMs,
        message: `the dump Pod ${ref} did not start within ${outcome.timeoutMs} ms (last seen: ${outcome.waiting})`,
      };
    case 'timeout':
      return {
        kind: 'pod-timeout',
        pod: ref,
        timeoutMs: outcome.timeoutMs,
        message: `the dump Pod ${ref} did not finish within ${outcome.timeoutMs} ms of starting; kept what its log holds`,
      };
    default: {
      const never: never = outcome;
      return never;
    }
  }
}

async function readLog(pod: Running, limitBytes: number): Promise<{ log: string } | { problem: PodProblem }> {
  const ref = `${pod.namespace}/${pod.name}`;
  try {
    const log = await pod.core.readNamespacedPodLog(
      { name: pod.name, namespace: pod.namespace, container: CONTAINER_NAME, limitBytes },
      timeoutOptions(Math.max(pod.requestTimeoutMs, 120_000)),
    );
    return { log };
  } catch (error) {
    const why =
      httpStatusOf(error)?.status === 403
        ? rbacAdvice(pod.namespace, 'get', 'pods/log')
        : apiFailure(error, pod.server);
    return {
      problem: {
        kind: 'log-unreadable',
        pod: ref,
        message: `cannot read the log of the dump Pod ${ref}: ${why}`,
      },
    };
  }
}

/** Deletes the Pod; a failure (other than it being gone already) is a problem that names it. */
export async function deletePod(pod: Running): Promise<PodProblem | undefined> {
  const ref = `${pod.namespace}/${pod.name}`;
  try {
    // A 1 s grace period: the kubelet still stops the container, unlike a forced 0.
    await pod.core.deleteNamespacedPod(
      { name: pod.name, namespace: pod.namespace, gracePeriodSeconds: 1 },
      timeoutOptions(pod.requestTimeoutMs),
    );
    return undefined;
  } catch (error) {
    const status = httpStatusOf(error)?.status;
    if (status === 404) return undefined;
    const why = status === 403 ? rbacAdvice(pod.namespace, 'delete', 'pods') : apiFailure(error, pod.server);
    const label = Object.entries(MANAGED_BY_LABEL)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    return {
      kind: 'pod-not-deleted',
      pod: ref,
      message:
        `the dump Pod ${ref} could not be deleted (${why}); delete it with: kubectl delete pod -n ${pod.namespace} ${pod.name} ` +
        `(its activeDeadlineSeconds stops it running; all leftovers: kubectl delete pods -n ${pod.namespace} -l ${label})`,
    };
  }
}

interface Limits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

/** What came out of the Pod: its log (undefined when never read) and what went wrong with it. */
interface PodRun {
  readonly log: string | undefined;
  readonly succeeded: boolean;
  readonly problems: PodProblem[];
}

/** Waits for the Pod, reads its log, and deletes it — in a `finally`, whatever happened before. */
async function runPod(
  pod: Running,
  options: CollectNodeDumpsViaPodOptions,
  timing: { startTimeoutMs: number; runTimeoutMs: number },
  logLimitBytes: number,
): Promise<PodRun> {
  const ref = `${pod.namespace}/${pod.name}`;
  const problems: PodProblem[] = [];
  let log: string | undefined;
  let succeeded: boolean;
  try {
    const outcome = await waitForPod({
      ...pod,
      ...timing,
      pollIntervalMs: options.pollIntervalMs ?? 1_000,
      onPhase: (phase) => options.onProgress?.({ kind: 'pod-phase', pod: ref, phase }),
    });
    succeeded = outcome.kind === 'succeeded';
    const problem = waitProblem(outcome, ref);
    if (problem) problems.push(problem);
    // A container that never started has no log; one that timed out or failed may have a part.
    if (
      outcome.kind === 'succeeded' ||
      outcome.kind === 'timeout' ||
      (outcome.kind === 'failed' && outcome.started)
    ) {
      const read = await readLog(pod, logLimitBytes);
      if ('log' in read) log = read.log;
      else problems.push(read.problem);
    }
  } finally {
    const notDeleted = await deletePod(pod);
    if (notDeleted) problems.push(notDeleted);
    else options.onProgress?.({ kind: 'pod-deleted', pod: ref });
  }
  return { log, succeeded, problems };
}

/**
 * Collects the selected dumps from one node through a short-lived Pod on it. Throws
 * `PodCollectError` (or `NodeCollectError` `unknown-command-id`) only before the Pod exists.
 */
export async function collectNodeDumpsViaPod(
  options: CollectNodeDumpsViaPodOptions,
): Promise<PodNodeDumpResult> {
  const selected = prepare(options);
  const { core, server } = connect(options);
  const namespace = options.namespace ?? DEFAULT_POD_NAMESPACE;
  const image = options.image ?? DEFAULT_POD_IMAGE;
  const limits: Limits = {
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
  };
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  // Every command, and its fallback, may use its full time limit.
  const runTimeoutMs = selected.length * 2 * limits.timeoutMs + RUN_SLACK_MS;
  const ids = selected.map((c) => c.id);
  const generatedName = podName(options.node);
  const manifest = nodeDumpPod({
    name: generatedName,
    namespace,
    node: options.node,
    image,
    script: podDumpScript(ids),
    commandIds: ids,
    timeoutSeconds: Math.max(1, Math.ceil(limits.timeoutMs / 1000)),
    maxBytes: limits.maxBytes,
    activeDeadlineSeconds: Math.ceil((startTimeoutMs + runTimeoutMs) / 1000) + 60,
  });
  let name: string;
  try {
    const created = await core.createNamespacedPod(
      { namespace, body: manifest },
      timeoutOptions(requestTimeoutMs),
    );
    name = created.metadata?.name ?? generatedName;
  } catch (error) {
    throw podCreateError(error, namespace, server);
  }
  options.onProgress?.({ kind: 'pod-created', pod: `${namespace}/${name}` });
  const run = await runPod(
    { core, server, namespace, name, requestTimeoutMs },
    options,
    { startTimeoutMs, runTimeoutMs },
    Math.min(MAX_LOG_BYTES, selected.length * 2 * (2 * limits.maxBytes + 4096) + 4096),
  );
  return assemble({ name: options.node, namespace, pod: name, image }, selected, run, limits);
}

function assemble(
  node: PodNodeDumpResult['node'],
  selected: readonly NodeCommand[],
  run: PodRun,
  limits: Limits,
): PodNodeDumpResult {
  const ref = `${node.namespace}/${node.pod}`;
  const parsed = parsePodDumpLog(run.log ?? '');
  const logged = parsed.kind === 'parsed' ? parsed.commands : [];
  const stopped = run.problems.find(podProblemMakesPartial)?.message ?? 'the log ends inside this command';
  const { files, problems } = podDumpResults(selected, logged, limits, stopped);
  const podProblems = [...run.problems];
  // After a failure or timeout the log is expected to stop early; after success it must be whole.
  if (run.succeeded && run.log !== undefined && (parsed.kind === 'unrecognised' || !parsed.finished)) {
    const what =
      parsed.kind === 'unrecognised'
        ? `does not start with the script's header (first line: ${JSON.stringify(parsed.firstLine)})`
        : 'ends before the script finished';
    podProblems.push({
      kind: 'log-incomplete',
      pod: ref,
      message: `the log of the dump Pod ${ref} ${what}: cut at the read limit (${MAX_LOG_BYTES} bytes at most) or by the kubelet's log rotation (containerLogMaxSize, 10 MiB by default); select fewer commands, exclude conntrack or lower maxBytes`,
    });
  }
  const all: PodDumpProblem[] = [...podProblems, ...problems];
  const partial = isPartial(problems) || podProblems.some(podProblemMakesPartial);
  return { node, files, problems: all, partial };
}
