import type { Readable } from 'node:stream';
import { DomainError } from '../errors';
import type { SharedBytes } from './shared-text';

/** Dumps are big (kube-proxy's rules for 10,000 Services are ~40 MB); bodies past this are refused. */
export const DUMP_LIMIT_BYTES = 64 * 1024 * 1024;

/** The longest a body is read without letting other requests in. */
const YIELD_MS = 8;
/**
 * The text is decoded in pieces of at least this many bytes. A piece this big is allocated where
 * the garbage collector never copies it; decoding each 64 KB chunk as it came made ~600 young
 * strings that it copied, in pauses of ~50 ms while the body arrived (measured here).
 */
const PIECE_BYTES = 1024 * 1024;

export interface ReadDumpOptions {
  readonly limit?: number;
  /** Called after each chunk with the bytes received so far. */
  readonly onBytes?: (received: number) => void;
  /** How many bytes the client said it sends (announced, or Content-Length): room is made once. */
  readonly expected?: number;
}

/** A dump read from a request: its text, and its bytes shared with the workers (see shared-text.ts). */
export interface ReadDumpResult {
  readonly text: string;
  readonly shared: SharedBytes;
}

/**
 * Reads a request body chunk by chunk, so no step holds the event loop for longer than one chunk
 * takes: each chunk is copied into memory the workers share, and the text is decoded from there a
 * piece at a time (see PIECE_BYTES), checked to be UTF-8 and appended: no 40 MB join, and no
 * 40 MB decode at once (~200 ms here). Refuses bodies over the limit and bytes that are not UTF-8;
 * a client that goes away mid-body is CANCELLED.
 */
export async function readDump(body: Readable, o: ReadDumpOptions = {}): Promise<ReadDumpResult> {
  const limit = o.limit ?? DUMP_LIMIT_BYTES;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let text = '';
  let bytes: SharedBytes = new Uint8Array(new SharedArrayBuffer(Math.min(limit, Math.max(o.expected ?? 0, 64 * 1024))));
  let received = 0;
  let decoded = 0;
  let since = performance.now();
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      // Chunks already buffered come one after another without a turn of the event loop between
      // them: hand it a turn every few milliseconds, so other requests are answered meanwhile.
      if (performance.now() - since > YIELD_MS) {
        await new Promise((r) => setImmediate(r));
        since = performance.now();
      }
      if (received + chunk.length > limit) throw new DomainError('PAYLOAD_TOO_LARGE', `the dump is over ${limit / 1024 / 1024} MB`, { limit });
      if (received + chunk.length > bytes.length) bytes = grown(bytes, Math.min(limit, Math.max(bytes.length * 2, received + chunk.length)));
      bytes.set(chunk, received);
      received += chunk.length;
      if (received - decoded >= PIECE_BYTES) {
        text += decoder.decode(bytes.subarray(decoded, received), { stream: true });
        decoded = received;
      }
      o.onBytes?.(received);
    }
    text += decoder.decode(bytes.subarray(decoded, received));
  } catch (e) {
    if (e instanceof DomainError) throw e;
    if (e instanceof TypeError) throw new DomainError('INVALID_REQUEST', `the dump is not UTF-8 text (byte ${received} or before)`, null);
    throw new DomainError('CANCELLED', 'the upload stopped before the whole dump arrived', { received });
  }
  if (text.length === 0) throw new DomainError('INVALID_REQUEST', 'empty dump', null);
  return { text, shared: bytes.subarray(0, received) };
}

function grown(bytes: SharedBytes, size: number): SharedBytes {
  const out = new Uint8Array(new SharedArrayBuffer(size));
  out.set(bytes);
  return out;
}
