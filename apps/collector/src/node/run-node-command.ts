// Runs ONE catalogue command over an open SSH connection, with a time limit and an output size
// limit. This is the only place in the collector that calls ssh2's exec, and it takes a catalogue
// id, never a command string (see node-commands.ts for the security model).
import type { Client, ClientChannel } from 'ssh2';
import { remoteCommandLine } from './node-commands.js';
import type { NodeCommandId } from './node-commands.js';

/** What one command produced. Output cut short by a limit is kept and flagged, never dropped. */
export interface NodeCommandOutput {
  /** The exact line run on the node (a catalogue constant, maybe behind `sudo -n `). */
  readonly command: string;
  readonly stdout: string;
  readonly stderr: string;
  /** null when the command did not exit normally: killed, timed out, channel or connection lost. */
  readonly exitCode: number | null;
  readonly exitSignal?: string;
  /** stdout or stderr reached `maxBytes`; what came before the limit is kept. */
  readonly truncated: boolean;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** Why the command could not run or finish at all (channel refused, connection lost). */
  readonly channelError?: string;
}

export interface CommandLimits {
  readonly timeoutMs: number;
  /** Per stream (stdout and stderr separately). */
  readonly maxBytes: number;
}

/** After asking the channel to close, how long to wait for sshd's confirmation. */
const CLOSE_GRACE_MS = 3_000;

/** Collects chunks up to a byte limit; `push` returns false once the limit is hit. */
class BoundedBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  overflowed = false;
  constructor(private readonly limit: number) {}

  push(chunk: Buffer): boolean {
    if (this.overflowed) return false;
    const room = this.limit - this.size;
    if (chunk.length > room) {
      this.chunks.push(chunk.subarray(0, room));
      this.size = this.limit;
      this.overflowed = true;
      return false;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    return true;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * Runs catalogue command `id` on `client`. Never rejects: failures are in the returned output.
 * On timeout or overflow it sends SIGKILL (sshd honours this only for non-root sessions) and
 * closes the channel, so the remote tool dies of SIGPIPE at its next write.
 */
export function runNodeCommand(
  client: Client,
  id: NodeCommandId,
  sudo: boolean,
  limits: CommandLimits,
): Promise<NodeCommandOutput> {
  const command = remoteCommandLine(id, sudo);
  const started = performance.now();
  const stdout = new BoundedBuffer(limits.maxBytes);
  const stderr = new BoundedBuffer(limits.maxBytes);
  return new Promise((resolve) => {
    let channel: ClientChannel | undefined;
    let exitCode: number | null = null;
    let exitSignal: string | undefined;
    let timedOut = false;
    let stopping = false;
    let done = false;
    let graceTimer: NodeJS.Timeout | undefined;

    const finish = (channelError?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      client.removeListener('close', onConnectionClose);
      const truncated = stdout.overflowed || stderr.overflowed;
      const durationMs = Math.round(performance.now() - started);
      resolve({
        command,
        stdout: stdout.text(),
        stderr: stderr.text(),
        exitCode,
        exitSignal,
        truncated,
        timedOut,
        durationMs,
        channelError,
      });
    };
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      if (channel === undefined) return finish('no channel opened before the time limit');
      try {
        channel.signal('KILL');
      } catch {
        // Best effort only; closing the channel below is what actually ends the transfer.
      }
      channel.close();
      graceTimer = setTimeout(() => finish(), CLOSE_GRACE_MS);
    };
    const onConnectionClose = (): void => finish('SSH connection closed while the command ran');
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, limits.timeoutMs);
    client.once('close', onConnectionClose);

    try {
      client.exec(command, (error, opened) => {
        if (error) return finish(`cannot open a channel: ${error.message}`);
        if (done) {
          opened.close(); // the time limit passed while sshd was opening the channel
          return;
        }
        channel = opened;
        opened.on('data', (chunk: Buffer) => {
          if (!stdout.push(chunk)) stop();
        });
        opened.stderr.on('data', (chunk: Buffer) => {
          if (!stderr.push(chunk)) stop();
        });
        opened.on('exit', (code: number | null, signal?: string) => {
          exitCode = code;
          exitSignal = signal ?? undefined;
        });
        opened.on('close', () => finish());
      });
    } catch (error) {
      finish(`cannot run the command: ${String(error)}`);
    }
  });
}
