import type { Readable } from 'node:stream';
import { DomainError } from '../errors';

/** Dumps are big (kube-proxy's rules for 10,000 Services are ~40 MB); bodies past this are refused. */
export const DUMP_LIMIT_BYTES = 64 * 1024 * 1024;

export interface ReadDumpOptions {
  readonly limit?: number;
  /** Called after each chunk with the bytes received so far. */
  readonly onBytes?: (received: number) => void;
}

/**
 * Reads a request body as UTF-8 text chunk by chunk, so no step holds the event loop for longer
 * than one chunk takes to decode (a 40 MB body decoded at once blocks for ~100 ms). Refuses bodies
 * over the limit and bytes that are not UTF-8; a client that goes away mid-body is CANCELLED.
 */
export async function readDump(body: Readable, o: ReadDumpOptions = {}): Promise<string> {
  const limit = o.limit ?? DUMP_LIMIT_BYTES;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parts: string[] = [];
  let received = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > limit) throw new DomainError('PAYLOAD_TOO_LARGE', `the dump is over ${limit / 1024 / 1024} MB`, { limit });
      parts.push(decoder.decode(chunk, { stream: true }));
      o.onBytes?.(received);
    }
    parts.push(decoder.decode());
  } catch (e) {
    if (e instanceof DomainError) throw e;
    if (e instanceof TypeError) throw new DomainError('INVALID_REQUEST', `the dump is not UTF-8 text (byte ${received} or before)`, null);
    throw new DomainError('CANCELLED', 'the upload stopped before the whole dump arrived', { received });
  }
  const text = parts.join('');
  if (text.length === 0) throw new DomainError('INVALID_REQUEST', 'empty dump', null);
  return text;
}
