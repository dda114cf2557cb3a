// Splits the dump Pod's log (the output of pod-dump-script.ts) back into one result per command.
// Pure: text in, plain objects out. A log cut short (the Pod killed, the log size limit) still
// yields every command it holds; the one cut in the middle is marked unfinished.
import { isNodeCommandId } from '../node/node-commands.js';
import type { NodeCommandId } from '../node/node-commands.js';
import { LOG_HEADER } from './pod-dump-script.js';

/** One stream of one command as the script printed it. */
export interface LoggedStream {
  readonly text: string;
  /** The stream's full size in bytes; more than the text holds when the script cut it at $M. */
  readonly bytes: number;
  /** The stream's end delimiter was seen. */
  readonly complete: boolean;
}

/** One command's section of the log. `exit` is absent when the log ends inside the section. */
export interface LoggedCommand {
  readonly id: NodeCommandId;
  readonly stdout: LoggedStream;
  readonly stderr: LoggedStream;
  readonly exit?: { readonly code: number; readonly durationMs: number; readonly timedOut: boolean };
}

export type PodDumpLog =
  /** The header line is missing: not our script's output (or its start was lost). */
  | { readonly kind: 'unrecognised'; readonly firstLine: string }
  | {
      readonly kind: 'parsed';
      readonly commands: readonly LoggedCommand[];
      /** The script's final `done` line was seen. */
      readonly finished: boolean;
    };

const EMPTY: LoggedStream = { text: '', bytes: 0, complete: false };

/** Reads one stream starting at `at` (just after its header line); returns it and where it ends. */
function readStream(
  log: string,
  at: number,
  endMarker: string,
  bytes: number,
): { stream: LoggedStream; next: number } {
  const end = log.indexOf(endMarker, at);
  if (end === -1) return { stream: { text: log.slice(at), bytes, complete: false }, next: log.length };
  // The script prints a newline before the end marker, so the text is exactly the stream's bytes.
  return { stream: { text: log.slice(at, end), bytes, complete: true }, next: end + endMarker.length };
}

/** Splits a dump Pod's log into per-command sections. Never throws. */
export function parsePodDumpLog(log: string): PodDumpLog {
  const header = new RegExp(`^${LOG_HEADER} ([0-9a-f-]{36})\\n`).exec(log);
  if (header === null) return { kind: 'unrecognised', firstLine: log.split('\n', 1)[0]?.slice(0, 200) ?? '' };
  const nonce = header[1] ?? '';
  const line = new RegExp(
    `^${nonce} (?:(begin) ([a-z0-9-]+)|(stdout|stderr) ([a-z0-9-]+) (\\d+)|(end) ([a-z0-9-]+) exit=(\\d+) ms=(-?\\d+) timeout=([01])|(done))$`,
    'gm',
  );
  const commands: LoggedCommand[] = [];
  let current: { id: NodeCommandId; stdout: LoggedStream; stderr: LoggedStream } | undefined;
  let finished = false;
  line.lastIndex = header[0].length;
  for (let m = line.exec(log); m !== null; m = line.exec(log)) {
    if (m[1] === 'begin' && isNodeCommandId(m[2])) {
      if (current) commands.push(current);
      current = { id: m[2], stdout: EMPTY, stderr: EMPTY };
    } else if (m[3] !== undefined && current && m[4] === current.id) {
      const stream = m[3] === 'stdout' ? 'stdout' : 'stderr';
      const marker = `\n${nonce} end-${stream} ${current.id}\n`;
      const read = readStream(log, m.index + m[0].length + 1, marker, Number(m[5]));
      current[stream] = read.stream;
      line.lastIndex = read.next;
    } else if (m[6] === 'end' && current && m[7] === current.id) {
      const exit = { code: Number(m[8]), durationMs: Math.max(0, Number(m[9])), timedOut: m[10] === '1' };
      commands.push({ ...current, exit });
      current = undefined;
    } else if (m[11] === 'done') {
      finished = true;
    }
  }
  if (current) commands.push(current);
  return { kind: 'parsed', commands, finished };
}
