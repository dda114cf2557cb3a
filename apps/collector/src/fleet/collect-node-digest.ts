// One node's digest through a short-lived Pod: create it (pinned to the node), wait for it, read
// its log (the digest, a few kilobytes), delete it — in a `finally`, on failure, timeout and
// cancel alike. Throws an Error whose message says why no digest came back; `collectFleet` turns
// that into the node's `failed` outcome, so one node's failure never stops the fleet.
import { randomBytes } from 'node:crypto';
import type { CoreV1Api } from '@kubernetes/client-node';
import { parseNodeDigest, type NodeDigest } from '@svcpath/fleet';
import { timeoutOptions } from '../cluster/api-resources.js';
import { httpStatusOf } from '../cluster/cluster-problem.js';
import { deletePod, type Running } from '../node-pod/collect-node-dumps-via-pod.js';
import { apiFailure, podCreateError, rbacAdvice } from '../node-pod/pod-collect-error.js';
import { waitForPod, type PodWaitOutcome } from '../node-pod/wait-for-pod.js';
import { DIGEST_CONTAINER, nodeDigestPod } from './node-digest-pod.js';

/** A digest with detail of every bucket is ~100 bytes per Service port; 32 MiB is far above it. */
const LOG_LIMIT_BYTES = 32 << 20;

export interface NodeDigestPodOptions {
  readonly core: CoreV1Api;
  /** API server URL, for messages (never credentials). */
  readonly server: string;
  readonly namespace: string;
  readonly image: string;
  /** Until the container runs (scheduling, image pull). */
  readonly startTimeoutMs: number;
  /** From running until it ends. */
  readonly runTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly requestTimeoutMs: number;
  /** Called once the Pod exists and once it is deleted (or could not be). */
  readonly onPod?: (event: { kind: 'created' | 'deleted' | 'not-deleted'; pod: string; message?: string }) => void;
}

function podName(node: string): string {
  const readable = node.replaceAll('.', '-').slice(0, 30).replace(/-+$/, '');
  return `svcpath-digest-${readable}-${randomBytes(4).toString('hex')}`;
}

function whyNot(outcome: Exclude<PodWaitOutcome, { kind: 'succeeded' }>, ref: string): string {
  switch (outcome.kind) {
    case 'failed':
      return `the digest Pod ${ref} failed: ${outcome.reason}: ${outcome.message}`;
    case 'start-timeout':
      return `the digest Pod ${ref} did not start within ${outcome.timeoutMs} ms (last seen: ${outcome.waiting})`;
    case 'timeout':
      return `the digest Pod ${ref} did not finish within ${outcome.timeoutMs} ms of starting`;
    default: {
      const never: never = outcome;
      return never;
    }
  }
}

/** The digest is the log's last JSON line (anything the runtime printed before it is ignored). */
export function digestOfLog(log: string, node: string, ref: string): NodeDigest {
  const line = log.split('\n').reverse().find((l) => l.startsWith('{'));
  if (line === undefined) throw new Error(`the log of the digest Pod ${ref} holds no digest (${log.trim().slice(0, 200) || 'empty'})`);
  const d = parseNodeDigest(line, `the log of the digest Pod ${ref}`);
  if (typeof d === 'string') throw new Error(d);
  if (d.node !== node) throw new Error(`the digest Pod ${ref} answered for node "${d.node}", not "${node}"`);
  return d;
}

async function readLog(pod: Running): Promise<string> {
  const ref = `${pod.namespace}/${pod.name}`;
  try {
    return await pod.core.readNamespacedPodLog(
      { name: pod.name, namespace: pod.namespace, container: DIGEST_CONTAINER, limitBytes: LOG_LIMIT_BYTES },
      timeoutOptions(pod.requestTimeoutMs),
    );
  } catch (error) {
    const why = httpStatusOf(error)?.status === 403 ? rbacAdvice(pod.namespace, 'get', 'pods/log') : apiFailure(error, pod.server);
    throw new Error(`cannot read the log of the digest Pod ${ref}: ${why}`, { cause: error });
  }
}

const aborted = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => {
    const fail = () => reject(new Error('cancelled'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });

/** One node's digest (with `detail` buckets, if any); the Pod is gone when this settles. */
export async function collectNodeDigest(o: NodeDigestPodOptions, node: string, signal: AbortSignal, detail?: readonly number[]): Promise<NodeDigest> {
  if (signal.aborted) throw new Error('cancelled');
  const manifest = nodeDigestPod({
    name: podName(node),
    namespace: o.namespace,
    node,
    image: o.image,
    ...(detail ? { detail } : {}),
    activeDeadlineSeconds: Math.ceil((o.startTimeoutMs + o.runTimeoutMs) / 1000) + 60,
  });
  let name: string;
  try {
    const created = await o.core.createNamespacedPod({ namespace: o.namespace, body: manifest }, timeoutOptions(o.requestTimeoutMs));
    name = created.metadata?.name ?? String((manifest['metadata'] as { name: string }).name);
  } catch (error) {
    // The request may have created the Pod before the answer was lost; its deadline stops it.
    throw podCreateError(error, o.namespace, o.server);
  }
  const pod: Running = { core: o.core, server: o.server, namespace: o.namespace, name, requestTimeoutMs: o.requestTimeoutMs };
  const ref = `${o.namespace}/${name}`;
  o.onPod?.({ kind: 'created', pod: ref });
  try {
    const outcome = await Promise.race([
      waitForPod({ ...pod, startTimeoutMs: o.startTimeoutMs, runTimeoutMs: o.runTimeoutMs, pollIntervalMs: o.pollIntervalMs }),
      aborted(signal),
    ]);
    if (outcome.kind !== 'succeeded') throw new Error(whyNot(outcome, ref));
    return digestOfLog(await Promise.race([readLog(pod), aborted(signal)]), node, ref);
  } finally {
    const problem = await deletePod(pod);
    o.onPod?.(problem ? { kind: 'not-deleted', pod: ref, message: problem.message } : { kind: 'deleted', pod: ref });
  }
}
