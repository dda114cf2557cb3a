import { parseCidr } from '@svcpath/netaddr';
import type { BinOp, Expr, SetElement, SetLike, Span, Value } from './ast';
import type { DiagnosticSink } from './diagnostics';
import type { Json } from './json-reader';
import { isVerdictWord, valueOf } from './values';

/** What JSON conversion needs: the reporting sink and a way to get a node's span and text. */
export interface JsonContext {
  readonly sink: DiagnosticSink;
  spanOf(node: Json, fallback: Span): Span;
  rawOf(node: Json): string;
}

export type JsonObject = { [k: string]: Json };

export function isObject(j: Json | undefined): j is JsonObject {
  return typeof j === 'object' && j !== null && !Array.isArray(j);
}

/** The single key of an nft JSON object such as `{"payload": {…}}`. */
export function soleKey(o: JsonObject): string | undefined {
  let key: string | undefined;
  for (const k in o) {
    if (key !== undefined) return undefined;
    key = k;
  }
  return key;
}

export function str(j: Json | undefined): string | undefined {
  return typeof j === 'string' ? j : undefined;
}

export function num(j: Json | undefined): number | undefined {
  return typeof j === 'number' ? j : undefined;
}

const JSON_BINOPS: ReadonlySet<string> = new Set(['&', '|', '^', '<<', '>>']);

/** Converts an nft JSON expression (libnftables-json(5)) into the AST expression. */
export function jsonExpr(j: Json, cx: JsonContext, span: Span): Expr {
  if (typeof j === 'string') return j.startsWith('@') ? { kind: 'setref', name: j.slice(1), raw: j } : valueOf(j);
  if (typeof j === 'number') return { kind: 'number', value: j, raw: String(j) };
  if (typeof j === 'boolean') return { kind: 'symbol', name: String(j), raw: String(j) };
  if (Array.isArray(j)) return { kind: 'list', items: j.map((x) => jsonValue(x, cx, span)), raw: cx.rawOf(j) };
  if (j === null) return unknownExpr(j, cx, span);
  const k = soleKey(j);
  const v = k === undefined ? undefined : j[k];
  const raw = cx.rawOf(j);
  if (k === undefined) return unknownExpr(j, cx, span);
  if (isVerdictWord(k)) return verdictValue(k, v, raw);
  if (JSON_BINOPS.has(k) && Array.isArray(v) && v.length === 2) {
    return { kind: 'binop', op: k as BinOp, left: jsonExpr(v[0]!, cx, span), right: jsonExpr(v[1]!, cx, span), raw };
  }
  if (!isObject(v)) return listLike(k, v ?? null, cx, span, raw) ?? unknownExpr(j, cx, span);
  return objectExpr(k, v, cx, span, raw) ?? unknownExpr(j, cx, span);
}

function objectExpr(k: string, v: JsonObject, cx: JsonContext, span: Span, raw: string): Expr | null {
  switch (k) {
    case 'payload':
      return str(v.protocol) && str(v.field) ? { kind: 'payload', protocol: v.protocol as string, field: v.field as string, raw } : null;
    case 'meta':
      return str(v.key) ? { kind: 'meta', key: v.key as string, raw } : null;
    case 'ct':
      return ctExpr(v, raw);
    case 'fib': {
      const flags = typeof v.flags === 'string' ? [v.flags] : Array.isArray(v.flags) ? v.flags.filter((x): x is string => typeof x === 'string') : [];
      return str(v.result) ? { kind: 'fib', flags, result: v.result as string, raw } : null;
    }
    case 'numgen': {
      const mode = v.mode === 'inc' ? 'inc' : 'random';
      const mod = num(v.mod);
      return mod === undefined ? null : { kind: 'numgen', mode, mod, offset: num(v.offset) ?? 0, raw };
    }
    case 'prefix': {
      const cidr = parseCidr(`${str(v.addr) ?? ''}/${num(v.len) ?? ''}`);
      return cidr ? { kind: 'prefix', cidr, raw: `${str(v.addr)}/${num(v.len)}` } : null;
    }
    case 'map':
      return mapExpr(v, cx, span, raw);
    default:
      return null;
  }
}

function listLike(k: string, v: Json, cx: JsonContext, span: Span, raw: string): Expr | null {
  if (!Array.isArray(v)) return null;
  if (k === 'concat') return { kind: 'concat', parts: v.map((x) => jsonExpr(x, cx, span)), raw };
  if (k === 'range' && v.length === 2) return { kind: 'range', from: jsonValue(v[0]!, cx, span), to: jsonValue(v[1]!, cx, span), raw };
  if (k === 'set') return { kind: 'set', elements: jsonElements(v, cx, span), raw };
  return null;
}

function ctExpr(v: JsonObject, raw: string): Expr | null {
  const key = str(v.key);
  if (!key) return null;
  const fam = str(v.family);
  const full = fam ? `${fam} ${key}` : key;
  const dir = v.dir === 'original' || v.dir === 'reply' ? v.dir : undefined;
  return dir ? { kind: 'ct', key: full, dir, raw } : { kind: 'ct', key: full, raw };
}

function mapExpr(v: JsonObject, cx: JsonContext, span: Span, raw: string): Expr | null {
  if (v.key === undefined || v.data === undefined) return null;
  const data = setLike(v.data, cx, span);
  return data ? { kind: 'map', key: jsonExpr(v.key, cx, span), data, raw } : null;
}

/** `"@name"` or `{"set": […]}` — the data of a map or vmap lookup. */
export function setLike(j: Json, cx: JsonContext, span: Span): SetLike | null {
  const e = jsonExpr(j, cx, span);
  return e.kind === 'set' || e.kind === 'setref' ? e : null;
}

function verdictValue(code: string, v: Json | undefined, raw: string): Expr {
  const c = code as Extract<Value, { kind: 'verdict' }>['verdict']['code'];
  if ((c === 'jump' || c === 'goto') && isObject(v) && str(v.target)) return { kind: 'verdict', verdict: { code: c, chain: v.target as string }, raw };
  return { kind: 'verdict', verdict: { code: c }, raw };
}

/** A constant (element keys, range ends): anything else is kept as an unparsed symbol. */
function jsonValue(j: Json, cx: JsonContext, span: Span): Value {
  const e = jsonExpr(j, cx, span);
  switch (e.kind) {
    case 'ip':
    case 'prefix':
    case 'range':
    case 'number':
    case 'symbol':
    case 'list':
    case 'verdict':
      return e;
    default:
      return { kind: 'symbol', name: e.raw, raw: e.raw };
  }
}

/** Elements of `"elem": […]` or `{"set": […]}`: `key`, `[key, data]` or `{"elem": {"val", "comment"}}`. */
export function jsonElements(items: readonly Json[], cx: JsonContext, span: Span): SetElement[] {
  return items.map((item) => {
    const elSpan = cx.spanOf(item, span);
    const raw = cx.rawOf(item);
    if (Array.isArray(item) && item.length === 2) {
      const key = elementKey(item[0]!, cx, elSpan);
      return { ...key, data: jsonExpr(item[1]!, cx, elSpan), raw, span: elSpan };
    }
    return { ...elementKey(item, cx, elSpan), raw, span: elSpan };
  });
}

function elementKey(j: Json, cx: JsonContext, span: Span): { key: Expr; comment?: string; timeout?: number } {
  if (isObject(j) && isObject(j.elem)) {
    const e = j.elem;
    const out: { key: Expr; comment?: string; timeout?: number } = { key: jsonExpr(e.val ?? null, cx, span) };
    if (str(e.comment) !== undefined) out.comment = e.comment as string;
    if (num(e.timeout) !== undefined) out.timeout = e.timeout as number;
    return out;
  }
  return { key: jsonExpr(j, cx, span) };
}

function unknownExpr(j: Json, cx: JsonContext, span: Span): Expr {
  const raw = cx.rawOf(j);
  cx.sink.add('NFT_UNKNOWN_STATEMENT', `expected an nft JSON expression (payload, meta, ct, fib, numgen, concat, prefix, range, set, map, a constant), found ${raw.slice(0, 80)}; kept as unparsed`, cx.spanOf(j, span));
  return { kind: 'unparsed', raw };
}
