// Polls a Pod until it finishes, fails, or runs out of time. Polling, not a watch: one GET a second
// is cheap for a Pod that lives seconds, needs only `get` on pods, and survives a dropped
// connection without resourceVersion bookkeeping.
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { timeoutOptions } from '../cluster/api-resources.js';
import { httpStatusOf } from '../cluster/cluster-problem.js';
import { apiFailure, rbacAdvice } from './pod-collect-error.js';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export type PodWaitOutcome =
  | { readonly kind: 'succeeded' }
  /** `started`: the container ran, so its log may hold something. */
  | { readonly kind: 'failed'; readonly reason: string; readonly message: string; readonly started: boolean }
  | { readonly kind: 'start-timeout'; readonly timeoutMs: number; readonly waiting: string }
  | { readonly kind: 'timeout'; readonly timeoutMs: number };

export interface PodWaitRequest {
  readonly core: CoreV1Api;
  readonly namespace: string;
  readonly name: string;
  readonly server: string;
  /** From creation until the container runs (scheduling, image pull). */
  readonly startTimeoutMs: number;
  /** From the container running until the Pod ends. */
  readonly runTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly onPhase?: (phase: PodPhase) => void;
}

// Waiting reasons that will not fix themselves while we wait (ErrImagePull is retried once first).
const STUCK = new Set([
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
]);

const PHASES: readonly PodPhase[] = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];
function phaseOf(value: string | undefined): PodPhase | undefined {
  return PHASES.find((phase) => phase === value);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function describeWaiting(pod: V1Pod): { reason: string; message: string } | undefined {
  const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
  return waiting?.reason === undefined
    ? undefined
    : { reason: waiting.reason, message: waiting.message ?? '' };
}

function failure(pod: V1Pod): { reason: string; message: string } {
  const terminated = pod.status?.containerStatuses?.[0]?.state?.terminated;
  const reason = pod.status?.reason ?? terminated?.reason ?? 'Failed';
  const exit = terminated === undefined ? '' : ` (container exit ${terminated.exitCode})`;
  return { reason, message: `${pod.status?.message ?? terminated?.message ?? reason}${exit}` };
}

/** Polls until an outcome. Never throws: an unreadable status becomes a `failed` outcome. */
export async function waitForPod(request: PodWaitRequest): Promise<PodWaitOutcome> {
  const { core, namespace, name } = request;
  const created = performance.now();
  let runningSince: number | undefined;
  let lastPhase: PodPhase | undefined;
  let lastWaiting = 'not scheduled yet';
  for (;;) {
    let pod: V1Pod;
    try {
      pod = await core.readNamespacedPod({ name, namespace }, timeoutOptions(request.requestTimeoutMs));
    } catch (error) {
      const status = httpStatusOf(error)?.status;
      if (status === 403 || status === 404) {
        const why = status === 403 ? rbacAdvice(namespace, 'get', 'pods') : 'it was deleted by someone else';
        return {
          kind: 'failed',
          reason: status === 403 ? 'StatusForbidden' : 'PodGone',
          message: `cannot read the Pod's status: ${why}`,
          started: runningSince !== undefined,
        };
      }
      pod = {}; // a transient failure: keep polling until the deadline
      lastWaiting = apiFailure(error, request.server);
    }
    const phase = phaseOf(pod.status?.phase);
    if (phase !== undefined && phase !== lastPhase) {
      lastPhase = phase;
      request.onPhase?.(phase);
    }
    if (phase === 'Succeeded') return { kind: 'succeeded' };
    if (phase === 'Failed') return { kind: 'failed', ...failure(pod), started: true };
    const now = performance.now();
    if (phase === 'Running') runningSince ??= now;
    const waiting = describeWaiting(pod);
    if (waiting !== undefined) {
      lastWaiting = `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
      if (STUCK.has(waiting.reason)) return { kind: 'failed', ...waiting, started: false };
    }
    if (runningSince === undefined && now - created >= request.startTimeoutMs)
      return { kind: 'start-timeout', timeoutMs: request.startTimeoutMs, waiting: lastWaiting };
    if (runningSince !== undefined && now - runningSince >= request.runTimeoutMs)
      return { kind: 'timeout', timeoutMs: request.runTimeoutMs };
    await sleep(request.pollIntervalMs);
  }
}
