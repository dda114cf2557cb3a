// Turns the split log into the same `files` and per-command problems the SSH collector returns,
// judged by the same rules (`problemsOf`), with the same text-fallback handling. Pure.
import { remoteCommandLine } from '../node/node-commands.js';
import type { NodeCommand, NodeCommandId } from '../node/node-commands.js';
import { problemsOf } from '../node/node-dump-problems.js';
import type { NodeDumpProblem } from '../node/node-dump-problems.js';
import type { CommandLimits, NodeCommandOutput } from '../node/run-node-command.js';
import type { LoggedCommand } from './pod-dump-log.js';

export interface PodDumpResults {
  readonly files: Partial<Record<NodeCommandId, NodeCommandOutput>>;
  readonly problems: NodeDumpProblem[];
}

function outputOf(logged: LoggedCommand, stoppedBecause: string): NodeCommandOutput {
  const exit = logged.exit;
  return {
    command: remoteCommandLine(logged.id, false),
    stdout: logged.stdout.text,
    stderr: logged.stderr.text,
    exitCode: exit === undefined || exit.timedOut ? null : exit.code,
    truncated:
      Buffer.byteLength(logged.stdout.text) < logged.stdout.bytes ||
      Buffer.byteLength(logged.stderr.text) < logged.stderr.bytes,
    timedOut: exit?.timedOut ?? false,
    durationMs: exit?.durationMs ?? 0,
    ...(exit === undefined ? { channelError: stoppedBecause } : {}),
  };
}

/**
 * Files and problems for the `selected` commands from the `logged` sections. A command without a
 * section is `skipped` (the Pod stopped before it); one without an end line gets `channelError`
 * = `stoppedBecause`.
 */
export function podDumpResults(
  selected: readonly NodeCommand[],
  logged: readonly LoggedCommand[],
  limits: CommandLimits,
  stoppedBecause: string,
): PodDumpResults {
  const files: Partial<Record<NodeCommandId, NodeCommandOutput>> = {};
  const byId = new Map(logged.map((entry) => [entry.id, entry]));
  const judged = (id: NodeCommandId): NodeDumpProblem[] | undefined => {
    const entry = byId.get(id);
    if (entry === undefined) return undefined;
    const out = outputOf(entry, stoppedBecause);
    files[id] = out;
    return problemsOf(id, out, limits);
  };
  const problems: NodeDumpProblem[] = [];
  for (const command of selected) {
    const own = judged(command.id);
    if (own === undefined) {
      problems.push({
        kind: 'skipped',
        commandId: command.id,
        message: `${command.id}: not run, the dump Pod stopped before it`,
      });
      continue;
    }
    const fallback = command.fallback;
    const fallbackRan =
      fallback !== undefined && !selected.some((c) => c.id === fallback) && byId.has(fallback);
    const fallbackOwn = fallbackRan ? judged(fallback) : undefined;
    if (fallback !== undefined && fallbackOwn !== undefined && fallbackOwn.length === 0 && own.length > 0) {
      // The fallback covered it: the primary's failure no longer makes the dump partial.
      problems.push({
        kind: 'fallback-used',
        commandId: command.id,
        fallbackId: fallback,
        message: `${command.id} failed; used ${fallback} instead`,
      });
    } else {
      problems.push(...own, ...(fallbackOwn ?? []));
    }
  }
  return { files, problems };
}
