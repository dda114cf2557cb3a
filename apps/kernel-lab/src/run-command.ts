import { spawn } from 'node:child_process';

/** A command exited non-zero (or could not start). Carries what it printed, for test failures. */
export class CommandFailedError extends Error {
  readonly kind = 'command-failed';
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`${command} failed (exit ${exitCode ?? 'signal'}): ${stderr.trim() || '(no stderr)'}`);
    this.name = 'CommandFailedError';
  }
}

/** What a finished command printed. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
}

/**
 * Runs `cmd args…` to completion, feeding `input` on stdin. Resolves with its output on exit 0 and
 * rejects with a {@link CommandFailedError} otherwise. No shell is involved.
 */
export function runCommand(cmd: string, args: readonly string[], input = ''): Promise<CommandOutput> {
  const command = [cmd, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => reject(new CommandFailedError(command, null, err.message)));
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new CommandFailedError(command, code, stderr));
    });
    // A command that exits before reading all of stdin (a parse error on line 1) closes the pipe.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** Runs a command inside the network namespace `ns` (`ip netns exec ns cmd args…`). */
export function runInNamespace(
  ns: string,
  cmd: string,
  args: readonly string[],
  input = '',
): Promise<CommandOutput> {
  return runCommand('ip', ['netns', 'exec', ns, cmd, ...args], input);
}
