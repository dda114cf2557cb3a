/**
 * A small JSON reader that remembers where each object and array came from, so nodes read from
 * `nft -j` output get spans like nodes read from text. It never throws: on a syntax error it
 * stops, closes what is open (a truncated dump keeps every complete entry) and reports where.
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface JsonDoc {
  readonly value: Json | undefined;
  /** Start and end offsets of every object and array. */
  readonly where: Map<object, readonly [number, number]>;
  /** Objects and arrays cut off by a syntax error (a truncated dump): they are not complete. */
  readonly incomplete: ReadonlySet<object>;
  readonly error?: { readonly offset: number; readonly message: string };
  /** Offset of non-space text after the document, if any (iptables-nft `# Warning:` lines). */
  readonly trailingAt?: number;
}

class Stop extends Error {}

const LITERALS: readonly (readonly [string, Json])[] = [['true', true], ['false', false], ['null', null]];

export function readJson(src: string): JsonDoc {
  const where = new Map<object, readonly [number, number]>();
  /** Containers opened and not yet closed; after an error these are the incomplete ones. */
  const stack: object[] = [];
  let pos = 0;
  let error: { offset: number; message: string } | undefined;

  const fail = (message: string): never => {
    error ??= { offset: pos, message };
    throw new Stop(message);
  };
  const ws = (): void => {
    for (let c = src.charCodeAt(pos); c === 32 || c === 9 || c === 10 || c === 13; c = src.charCodeAt(++pos));
  };

  let depth = 0;
  type Attach = (v: Json) => void;
  /** Containers are attached to their parent as soon as they open, so a cut keeps them. */
  function value(attach: Attach): void {
    ws();
    if (depth > 256) fail('nesting deeper than 256 levels');
    const c = src[pos];
    if (c === '{') return object(attach);
    if (c === '[') return array(attach);
    if (c === '"') return attach(string());
    for (const [word, v] of LITERALS) {
      if (src.startsWith(word, pos)) {
        pos += word.length;
        return attach(v);
      }
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return attach(number());
    fail(c === undefined ? 'expected a value, found the end of the input' : `expected a value, found '${c}'`);
  }

  function open<T extends object>(o: T, attach: Attach): T {
    where.set(o, [pos, src.length]);
    stack.push(o);
    attach(o as Json);
    pos++;
    depth++;
    return o;
  }

  function object(attach: Attach): void {
    const start = pos;
    const out = open<{ [k: string]: Json }>({}, attach);
    ws();
    if (src[pos] === '}') return close(out, start);
    for (;;) {
      ws();
      if (src[pos] !== '"') fail("expected '\"' to start a key");
      const k = string();
      ws();
      if (src[pos] !== ':') fail("expected ':' after a key");
      pos++;
      value((v) => {
        out[k] = v;
      });
      ws();
      if (src[pos] === ',') pos++;
      else if (src[pos] === '}') return close(out, start);
      else fail("expected ',' or '}' in an object");
    }
  }

  function array(attach: Attach): void {
    const start = pos;
    const out = open<Json[]>([], attach);
    ws();
    if (src[pos] === ']') return close(out, start);
    for (;;) {
      value((v) => out.push(v));
      ws();
      if (src[pos] === ',') pos++;
      else if (src[pos] === ']') return close(out, start);
      else fail("expected ',' or ']' in an array");
    }
  }

  function close(o: object, start: number): void {
    pos++;
    depth--;
    where.set(o, [start, pos]);
    stack.pop();
  }

  function string(): string {
    const start = pos++;
    let escaped = false;
    for (; pos < src.length; pos++) {
      const c = src.charCodeAt(pos);
      if (c === 92) {
        escaped = true;
        pos++;
      } else if (c === 34) {
        pos++;
        const body = src.slice(start + 1, pos - 1);
        if (!escaped) return body;
        try {
          return JSON.parse(src.slice(start, pos)) as string;
        } catch {
          return fail('bad escape in a string');
        }
      }
    }
    return fail('expected \'"\' to end a string');
  }

  function number(): number {
    const start = pos;
    if (src[pos] === '-') pos++;
    for (let c = src.charCodeAt(pos); (c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45; c = src.charCodeAt(++pos));
    const n = Number(src.slice(start, pos));
    return Number.isFinite(n) ? n : fail('bad number');
  }

  let root: Json | undefined;
  try {
    value((v) => {
      root = v;
    });
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
  const incomplete: ReadonlySet<object> = new Set(stack);
  if (error) return { value: root, where, incomplete, error };
  ws();
  return pos < src.length ? { value: root, where, incomplete, trailingAt: pos } : { value: root, where, incomplete };
}

/** Offsets → 1-based line and column, by binary search over line starts. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(src: string) {
    for (let i = src.indexOf('\n'); i >= 0; i = src.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  at(offset: number): { line: number; col: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - this.starts[lo]! + 1 };
  }
}
