import type { BinOp, Expr, SetElement, SetLike, Value } from './ast';
import { BARE_META_KEYS, CT_KEYS, FIB_FLAGS, FIB_RESULTS, META_KEYS, PAYLOAD_FIELDS } from './selectors';
import type { TokenStream } from './token-stream';
import { isVerdictWord, parseInteger, parseTime, valueOf } from './values';

/**
 * Where an expression appears: `lhs` only takes selectors (`ip daddr`), `rhs` only constants
 * (`tcp`, `10.0.0.0/8`, `{ … }`, `@set`), `any` takes either (the value of `meta mark set …`).
 * The split is what lets `meta l4proto tcp` read `tcp` as a constant but `tcp dport` as a header.
 */
export type ExprMode = 'lhs' | 'rhs' | 'any';

const BINOPS: Readonly<Record<string, BinOp>> = {
  '&': '&', '|': '|', '^': '^', '<<': '<<', '>>': '>>', and: '&', or: '|', xor: '^', lshift: '<<', rshift: '>>',
};

/** Reads an expression with concatenations (` . `) and a trailing `map` lookup; null if none. */
export function parseExpr(ts: TokenStream, mode: ExprMode): Expr | null {
  const from = ts.i;
  const first = parseBinop(ts, mode);
  if (!first) return null;
  let e: Expr = first;
  if (ts.word() === '.') {
    const parts: Expr[] = [first];
    while (ts.eat('.')) {
      const p = parseBinop(ts, mode);
      if (!p) return null;
      parts.push(p);
    }
    e = { kind: 'concat', parts, raw: ts.rawFrom(from) };
  }
  if (mode !== 'rhs' && ts.word() === 'map') {
    ts.next();
    const data = parseSetLike(ts);
    if (!data) return null;
    e = { kind: 'map', key: e, data, raw: ts.rawFrom(from) };
  }
  return e;
}

function parseBinop(ts: TokenStream, mode: ExprMode): Expr | null {
  const from = ts.i;
  let left = parsePrimary(ts, mode);
  if (!left) return null;
  for (let op = BINOPS[ts.word() ?? '']; op !== undefined; op = BINOPS[ts.word() ?? '']) {
    ts.next();
    const right = parsePrimary(ts, 'any');
    if (!right) return null;
    left = { kind: 'binop', op, left, right, raw: ts.rawFrom(from) };
  }
  return left;
}

function parsePrimary(ts: TokenStream, mode: ExprMode): Expr | null {
  const t = ts.peek();
  if (!t) return null;
  if (t.type === 'lbrace') return mode === 'lhs' ? null : parseAnonSet(ts);
  if (t.type === 'string') {
    if (mode === 'lhs') return null;
    ts.next();
    return { kind: 'symbol', name: t.text, raw: ts.src.slice(t.start, t.end) };
  }
  if (t.type !== 'word') return null;
  if (mode !== 'rhs') {
    const sel = parseSelector(ts);
    if (sel || mode === 'lhs') return sel;
  }
  return parseConstant(ts);
}

/** A constant word: `@set`, an address, a number, a symbol, or a flag list `a,b`. */
function parseConstant(ts: TokenStream): Expr | null {
  const t = ts.peek();
  if (!t || t.type !== 'word' || RESERVED.has(t.text)) return null;
  ts.next();
  if (t.text.charCodeAt(0) === 64 /* @ */) return { kind: 'setref', name: t.text.slice(1), raw: t.text };
  const v = valueOf(t.text);
  if (!isListComma(ts)) return v;
  const items: Value[] = [v];
  const from = ts.i - 1;
  while (isListComma(ts)) {
    ts.next();
    const w = ts.next()!;
    items.push(valueOf(w.text));
  }
  return { kind: 'list', items, raw: ts.rawFrom(from) };
}

/** `a,b` with no spaces is a flag list; `a, b` inside braces separates set elements. */
function isListComma(ts: TokenStream): boolean {
  const c = ts.peek();
  const w = ts.peek(1);
  return c?.type === 'comma' && !c.spaceBefore && w?.type === 'word' && !w.spaceBefore;
}

const RESERVED: ReadonlySet<string> = new Set(['.', ':', '==', '!=', '<', '>', '<=', '>=', '/', '&', '|', '^', 'map', 'vmap', 'set']);

function parseSelector(ts: TokenStream): Expr | null {
  const from = ts.i;
  const w = ts.word()!;
  const fields = PAYLOAD_FIELDS[w];
  const second = ts.word(1);
  if (fields && second !== undefined && fields.has(second)) {
    ts.i += 2;
    return { kind: 'payload', protocol: w, field: second, raw: ts.rawFrom(from) };
  }
  if (w === 'meta' && second !== undefined && META_KEYS.has(second)) {
    ts.i += 2;
    return { kind: 'meta', key: second, raw: ts.rawFrom(from) };
  }
  if (BARE_META_KEYS.has(w)) {
    ts.i += 1;
    return { kind: 'meta', key: w, raw: w };
  }
  if (w === 'ct') return parseCt(ts);
  if (w === 'fib') return parseFib(ts);
  if (w === 'numgen') return parseNumgen(ts);
  return null;
}

function parseCt(ts: TokenStream): Expr | null {
  const from = ts.i;
  ts.next();
  let dir: 'original' | 'reply' | undefined;
  const d = ts.word();
  if (d === 'original' || d === 'reply') {
    dir = d;
    ts.next();
  }
  let key = ts.word();
  if (key === undefined || !CT_KEYS.has(key)) {
    ts.i = from;
    return null;
  }
  ts.next();
  if (key === 'ip' || key === 'ip6') key = `${key} ${ts.next()?.text ?? ''}`;
  return dir ? { kind: 'ct', key, dir, raw: ts.rawFrom(from) } : { kind: 'ct', key, raw: ts.rawFrom(from) };
}

function parseFib(ts: TokenStream): Expr | null {
  const from = ts.i;
  ts.next();
  const flags: string[] = [];
  const first = ts.word();
  if (first === undefined || !FIB_FLAGS.has(first)) return reset(ts, from);
  flags.push(first);
  ts.next();
  while (ts.word() === '.' && FIB_FLAGS.has(ts.word(1) ?? '')) {
    flags.push(ts.word(1)!);
    ts.i += 2;
  }
  const result = ts.word();
  if (result === undefined || !FIB_RESULTS.has(result)) return reset(ts, from);
  ts.next();
  return { kind: 'fib', flags, result, raw: ts.rawFrom(from) };
}

function parseNumgen(ts: TokenStream): Expr | null {
  const from = ts.i;
  ts.next();
  const mode = ts.word();
  if ((mode !== 'random' && mode !== 'inc') || ts.word(1) !== 'mod') return reset(ts, from);
  ts.i += 2;
  const mod = parseInteger(ts.word() ?? '');
  if (mod === null) return reset(ts, from);
  ts.next();
  let offset = 0;
  if (ts.word() === 'offset') {
    const o = parseInteger(ts.word(1) ?? '');
    if (o === null) return reset(ts, from);
    offset = o;
    ts.i += 2;
  }
  return { kind: 'numgen', mode, mod, offset, raw: ts.rawFrom(from) };
}

function reset(ts: TokenStream, to: number): null {
  ts.i = to;
  return null;
}

/** `@name` or an anonymous `{ … }`; null if neither is next. */
export function parseSetLike(ts: TokenStream): SetLike | null {
  const t = ts.peek();
  if (t?.type === 'word' && t.text.startsWith('@')) {
    ts.next();
    return { kind: 'setref', name: t.text.slice(1), raw: t.text };
  }
  if (t?.type === 'lbrace') return parseAnonSet(ts);
  return null;
}

/** `{ e1, e2 }`; null (cursor unchanged) if the braces do not close. */
export function parseAnonSet(ts: TokenStream): Extract<Expr, { kind: 'set' }> | null {
  const from = ts.i;
  ts.next();
  const elements = parseElements(ts);
  if (!elements) return reset(ts, from);
  return { kind: 'set', elements, raw: ts.rawFrom(from) };
}

/**
 * Reads set elements after `{` up to and including `}`: `key [comment "…"] [timeout T] [: data]`.
 * Returns null when the closing brace is missing; a bad element is reported and skipped.
 */
export function parseElements(ts: TokenStream): SetElement[] | null {
  const out: SetElement[] = [];
  for (;;) {
    const t = ts.peek();
    if (!t) return null;
    if (t.type === 'rbrace') {
      ts.next();
      return out;
    }
    if (t.type === 'comma') {
      ts.next();
      continue;
    }
    const el = parseElement(ts);
    if (el) out.push(el);
    else {
      ts.sink.add('NFT_BAD_SET', `expected a set element (address, prefix, range, number or symbol), found '${t.text}'`, ts.here());
      skipToElementEnd(ts);
    }
  }
}

function skipToElementEnd(ts: TokenStream): void {
  let depth = 0;
  for (let t = ts.peek(); t; t = ts.peek()) {
    if (depth === 0 && (t.type === 'comma' || t.type === 'rbrace')) return;
    if (t.type === 'lbrace') depth++;
    if (t.type === 'rbrace') depth--;
    ts.next();
  }
}

function parseElement(ts: TokenStream): SetElement | null {
  const from = ts.i;
  const key = parseExpr(ts, 'rhs');
  if (!key) return null;
  const opts: { comment?: string; timeout?: number } = {};
  readElementOptions(ts, opts);
  let data: Expr | undefined;
  if (ts.eat(':')) {
    const d = parseElementData(ts);
    if (!d) return null;
    data = d;
    readElementOptions(ts, opts);
  }
  return { key, ...(data ? { data } : {}), ...opts, raw: ts.rawFrom(from), span: ts.spanFrom(from) };
}

function readElementOptions(ts: TokenStream, opts: { comment?: string; timeout?: number }): void {
  for (;;) {
    const w = ts.word();
    if (w === 'comment' && ts.peek(1)?.type === 'string') {
      opts.comment = ts.peek(1)!.text;
      ts.i += 2;
    } else if (w === 'timeout' || w === 'expires') {
      const secs = parseTime(ts.word(1) ?? '');
      if (w === 'timeout' && secs !== null) opts.timeout = secs;
      ts.i += 2;
    } else if (w === 'counter') {
      ts.next();
      while (ts.word() === 'packets' || ts.word() === 'bytes') ts.i += 2;
    } else return;
  }
}

/** The data side of a map element: a verdict (`goto chain`) or a value (`10.0.0.1 . 80`). */
export function parseElementData(ts: TokenStream): Expr | null {
  const w = ts.word();
  if (w !== undefined && isVerdictWord(w)) return parseVerdictValue(ts);
  return parseExpr(ts, 'rhs');
}

/** `accept`, `drop`, `jump chain`, `goto chain`, … as a value (vmap data). */
export function parseVerdictValue(ts: TokenStream): Expr | null {
  const from = ts.i;
  const code = ts.word();
  if (code === undefined || !isVerdictWord(code)) return null;
  ts.next();
  if (code === 'jump' || code === 'goto') {
    const target = ts.peek();
    if (!target || (target.type !== 'word' && target.type !== 'string')) return reset(ts, from);
    ts.next();
    return { kind: 'verdict', verdict: { code, chain: target.text }, raw: ts.rawFrom(from) };
  }
  return { kind: 'verdict', verdict: { code }, raw: ts.rawFrom(from) };
}
