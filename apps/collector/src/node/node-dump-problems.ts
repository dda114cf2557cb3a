// Partial failure is data: what went wrong with individual commands, as a list the caller can show
// next to whatever was collected. `kind` is the stable code.
import type { NodeCommandId } from './node-commands.js';
import type { CommandLimits, NodeCommandOutput } from './run-node-command.js';

export type NodeDumpProblem =
  /** The tool is not installed (shell exit 127 / "command not found"): normal for the other dataplane. */
  | {
      readonly kind: 'tool-missing';
      readonly commandId: NodeCommandId;
      readonly tool: string;
      readonly message: string;
    }
  /** Exited non-zero (no permission, module not loaded, …); stdout/stderr are still in `files`. */
  | {
      readonly kind: 'command-failed';
      readonly commandId: NodeCommandId;
      readonly exitCode: number;
      readonly message: string;
    }
  /** Hit the time limit; the output up to then is kept. */
  | {
      readonly kind: 'command-timeout';
      readonly commandId: NodeCommandId;
      readonly timeoutMs: number;
      readonly message: string;
    }
  /** Hit the size limit; the first `maxBytes` are kept. */
  | {
      readonly kind: 'output-truncated';
      readonly commandId: NodeCommandId;
      readonly maxBytes: number;
      readonly message: string;
    }
  /** No channel, or the connection dropped: the command produced nothing or only part. */
  | { readonly kind: 'channel-failed'; readonly commandId: NodeCommandId; readonly message: string }
  /** Not run because the connection was already gone. */
  | { readonly kind: 'skipped'; readonly commandId: NodeCommandId; readonly message: string }
  /** The primary command failed and its text fallback succeeded instead. */
  | {
      readonly kind: 'fallback-used';
      readonly commandId: NodeCommandId;
      readonly fallbackId: NodeCommandId;
      readonly message: string;
    };

/** Problems that still leave the dump complete; every other kind makes the result `partial`. */
const INFORMATIONAL: ReadonlySet<NodeDumpProblem['kind']> = new Set(['tool-missing', 'fallback-used']);

export function isPartial(problems: readonly NodeDumpProblem[]): boolean {
  return problems.some((p) => !INFORMATIONAL.has(p.kind));
}

// bash: "bash: line 1: ipvsadm: command not found"; dash: "sh: 1: ipvsadm: not found";
// sudo: "sudo: ipvsadm: command not found".
const NOT_FOUND = /([^\s:]+): (?:command )?not found\s*$/m;

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 300) ?? '';
}

/** The problems one command's output shows, none when it ran cleanly. */
export function problemsOf(
  commandId: NodeCommandId,
  out: NodeCommandOutput,
  limits: CommandLimits,
): NodeDumpProblem[] {
  const problems: NodeDumpProblem[] = [];
  if (out.timedOut) {
    problems.push({
      kind: 'command-timeout',
      commandId,
      timeoutMs: limits.timeoutMs,
      message: `${commandId}: no result within ${limits.timeoutMs} ms; kept ${Buffer.byteLength(out.stdout)} bytes of output`,
    });
  }
  if (out.truncated) {
    problems.push({
      kind: 'output-truncated',
      commandId,
      maxBytes: limits.maxBytes,
      message: `${commandId}: output exceeded ${limits.maxBytes} bytes; kept the first ${limits.maxBytes}`,
    });
  }
  if (out.channelError !== undefined && !out.timedOut) {
    problems.push({ kind: 'channel-failed', commandId, message: `${commandId}: ${out.channelError}` });
  }
  const notFound = NOT_FOUND.exec(out.stderr);
  if (out.exitCode === 127 || (notFound !== null && out.stdout.trim() === '')) {
    const tool = notFound?.[1] ?? out.command.split(' ')[0] ?? commandId;
    problems.push({
      kind: 'tool-missing',
      commandId,
      tool,
      message: `${commandId}: ${tool} is not installed on the node (${firstLine(out.stderr) || `exit ${out.exitCode}`})`,
    });
  } else if (out.exitCode !== null && out.exitCode !== 0) {
    problems.push({
      kind: 'command-failed',
      commandId,
      exitCode: out.exitCode,
      message: `${commandId}: exit ${out.exitCode}: ${firstLine(out.stderr)}`,
    });
  }
  return problems;
}
