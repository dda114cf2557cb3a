import { isAscii } from 'node:buffer';

/**
 * A dump's bytes in memory shared with the workers (a Uint8Array over a SharedArrayBuffer): handing
 * it to the engine or the store writer copies nothing, where posting its 40 MB text would hold the
 * event loop for ~120 ms each time (measured here: joining the text ~130 ms, each postMessage of it
 * ~120 ms). Its text is read in the worker that needs it.
 */
export type SharedBytes = Uint8Array;

/** A dump file as the server holds it: its text, and its bytes when they are shared (see SharedBytes). */
export interface DumpText {
  readonly name: string;
  readonly text: string;
  readonly shared?: SharedBytes;
}

/**
 * The text of shared bytes already checked to be UTF-8 (readDump), as its TextDecoder read them (a
 * leading byte-order mark dropped): ASCII ones copied as they are.
 */
export function sharedText(bytes: SharedBytes): string {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const b = Buffer.from(bytes.buffer, bytes.byteOffset + bom, bytes.length - bom);
  return b.toString(isAscii(b) ? 'latin1' : 'utf8');
}

/** Files as they are posted to a worker: shared bytes instead of the text when there are some. */
export function postableFiles(files: readonly DumpText[]): DumpText[] {
  return files.map((f) => (f.shared ? { name: f.name, text: '', shared: f.shared } : { name: f.name, text: f.text }));
}

/** Files as a worker reads them: each one's text, from its shared bytes when they were posted. */
export function receivedFiles(files: readonly DumpText[]): { name: string; text: string }[] {
  return files.map((f) => ({ name: f.name, text: f.shared ? sharedText(f.shared) : f.text }));
}

/** Texts at least this long are kept as shared bytes when read back from the store (see sharedFromText). */
export const SHARE_FROM_CHARS = 1024 * 1024;

/**
 * A text's UTF-8 bytes in shared memory, when sharedText reads them back as the same text (null:
 * it starts with a byte-order mark, which sharedText drops, or holds a lone surrogate).
 */
export function sharedFromText(text: string): SharedBytes | null {
  // isWellFormed: ES2024 (Node 20 has it; the project's lib is ES2023).
  if (text.charCodeAt(0) === 0xfeff || !(text as unknown as { isWellFormed(): boolean }).isWellFormed()) return null;
  const bytes = new Uint8Array(new SharedArrayBuffer(Buffer.byteLength(text)));
  Buffer.from(bytes.buffer).write(text);
  return bytes;
}

/**
 * `fields` with a `text` read from `shared` when first asked for, once (an own, enumerable getter:
 * a copy made with a spread reads it). A stored snapshot's dumps come back from the store worker
 * this way: answering requests reads their bytes, not their text, and a 40 MB text is never
 * rebuilt on the event loop unless something asks for it (an export).
 */
export function withSharedText<T extends object>(fields: T, shared: SharedBytes): T & { readonly text: string; readonly shared: SharedBytes } {
  let text: string | null = null;
  return Object.defineProperties({ ...fields }, {
    text: { enumerable: true, get: () => (text ??= sharedText(shared)) },
    shared: { enumerable: true, value: shared },
  }) as T & { readonly text: string; readonly shared: SharedBytes };
}
