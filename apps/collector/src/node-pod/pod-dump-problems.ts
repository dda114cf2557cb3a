// Partial failure is data: what went wrong with the dump Pod itself, next to the per-command
// problems the SSH collector reports too (`NodeDumpProblem`). `kind` is the stable code.
import type { NodeDumpProblem } from '../node/node-dump-problems.js';

interface PodRef {
  /** `namespace/name` of the Pod. */
  readonly pod: string;
  readonly message: string;
}

export type PodProblem =
  /** The Pod could not be deleted; it stays until someone deletes it (its deadline stops it running). */
  | ({ readonly kind: 'pod-not-deleted' } & PodRef)
  /** Not started in time: not scheduled, image not pulled, or the node is gone. */
  | ({ readonly kind: 'pod-start-timeout'; readonly timeoutMs: number } & PodRef)
  /** Started but did not finish within the time allowed for all its commands. */
  | ({ readonly kind: 'pod-timeout'; readonly timeoutMs: number } & PodRef)
  /** The Pod failed (image pull error, OOM, deadline, evicted …); `reason` is the kubelet's. */
  | ({ readonly kind: 'pod-failed'; readonly reason: string } & PodRef)
  /** The log could not be read (RBAC on pods/log, the API server, the kubelet). */
  | ({ readonly kind: 'log-unreadable' } & PodRef)
  /** The log is not the script's, or ends early: some commands are missing or cut short. */
  | ({ readonly kind: 'log-incomplete' } & PodRef);

export type PodDumpProblem = NodeDumpProblem | PodProblem;

const POD_KINDS: ReadonlySet<string> = new Set<PodProblem['kind']>([
  'pod-not-deleted',
  'pod-start-timeout',
  'pod-timeout',
  'pod-failed',
  'log-unreadable',
  'log-incomplete',
]);

export function isPodProblem(problem: PodDumpProblem): problem is PodProblem {
  return POD_KINDS.has(problem.kind);
}

/** A leftover Pod does not make the dumps partial; every other Pod problem does. */
export function podProblemMakesPartial(problem: PodProblem): boolean {
  return problem.kind !== 'pod-not-deleted';
}
