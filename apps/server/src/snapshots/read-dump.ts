import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { DomainError } from '../errors';
import type { SharedBytes } from './shared-text';

/** Dumps are big (kube-proxy's rules for 10,000 Services are ~40 MB); bodies past this are refused. */
export const DUMP_LIMIT_BYTES = 64 * 1024 * 1024;

/** The longest a body is read without letting other requests in. */
const YIELD_MS = 8;

export interface ReadDumpOptions {
  readonly limit?: number;
  /** Called after each chunk with the bytes received so far. */
  readonly onBytes?: (received: number) => void;
  /** How many bytes the client said it sends (announced, or Content-Length): room is made once. */
  readonly expected?: number;
}

/** A dump read from a request: its bytes, shared with the workers (see shared-text.ts), checked to be UTF-8. */
export interface ReadDumpResult {
  readonly shared: SharedBytes;
}

/**
 * Reads a request body chunk by chunk, so no step holds the event loop for longer than one chunk
 * takes: each chunk is copied into memory the workers share, and the whole is checked to be UTF-8
 * at the end (~2 ms for 40 MB). No text is made here: the workers read the bytes, and the server's
 * own copy is read from them only if something asks (see withSharedText). Decoding a 40 MB body
 * here cost ~200 ms of the event loop however it was cut (in 64 KB pieces, also ~50 ms pauses of
 * the garbage collector; measured here). Refuses bodies over the limit, bytes that are not UTF-8
 * and empty ones; a client that goes away mid-body is CANCELLED.
 */
export async function readDump(body: Readable, o: ReadDumpOptions = {}): Promise<ReadDumpResult> {
  const limit = o.limit ?? DUMP_LIMIT_BYTES;
  let bytes: SharedBytes = new Uint8Array(new SharedArrayBuffer(Math.min(limit, Math.max(o.expected ?? 0, 64 * 1024))));
  let received = 0;
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
      o.onBytes?.(received);
    }
  } catch (e) {
    if (e instanceof DomainError) throw e;
    throw new DomainError('CANCELLED', 'the upload stopped before the whole dump arrived', { received });
  }
  const shared = bytes.subarray(0, received);
  if (!isUtf8(shared)) throw new DomainError('INVALID_REQUEST', `the dump is not UTF-8 text (byte ${firstBadByte(shared)} or before)`, null);
  const bom = shared[0] === 0xef && shared[1] === 0xbb && shared[2] === 0xbf ? 3 : 0;
  if (received === bom) throw new DomainError('INVALID_REQUEST', 'empty dump', null);
  return { shared };
}

/** Where UTF-8 decoding first fails, to the 64 KB (asked only of bytes that are not UTF-8). */
function firstBadByte(bytes: SharedBytes): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const step = 64 * 1024;
  for (let at = 0; at < bytes.length; at += step) {
    const end = Math.min(bytes.length, at + step);
    try {
      decoder.decode(bytes.slice(at, end), { stream: end < bytes.length });
    } catch {
      return end;
    }
  }
  return bytes.length;
}

function grown(bytes: SharedBytes, size: number): SharedBytes {
  const out = new Uint8Array(new SharedArrayBuffer(size));
  out.set(bytes);
  return out;
}
