import type { CollectSnapshotOptions } from '@svcpath/collector';

export type CollectProgress = Parameters<NonNullable<CollectSnapshotOptions['onProgress']>>[0];

/** One collector progress event as the job's counters and a line a person reads. */
export function describeProgress(e: CollectProgress, before: { readonly done: number; readonly total: number }): { done: number; total: number; step: string } {
  switch (e.kind) {
    case 'command-started':
      return { done: before.done, total: e.total, step: `running ${e.commandId} (${e.index + 1} of ${e.total})` };
    case 'command-finished':
      return { done: before.done + 1, total: before.total, step: `${e.commandId}: ${e.exitCode === 0 ? 'done' : `exit ${e.exitCode ?? 'none'}`}, ${e.bytes} bytes in ${e.durationMs} ms` };
    case 'connecting':
      return { ...before, step: `connecting to ${e.host}:${e.port}${e.hops > 1 ? ` (hop ${e.hop} of ${e.hops})` : ''}` };
    default:
      return { ...before, step: `ssh: ${e.kind.replace(/-/g, ' ')}${'host' in e ? ` ${e.host}` : ''}` };
  }
}
