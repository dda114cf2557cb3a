import type { Family, ParseOptions, ParseResult, Span } from './ast';
import { DiagnosticSink } from './diagnostics';
import { type JsonContext, type JsonObject, isObject, jsonElements, num, soleKey, str } from './json-expr';
import { type Json, LineIndex, readJson } from './json-reader';
import { jsonStmt } from './json-stmt';
import { RulesetBuilder, type TableDraft } from './ruleset-builder';
import { isFamily } from './values';

/**
 * Parses `nft -j list ruleset` output (libnftables-json(5)) into the same AST as
 * {@link parseNftText}. `{"add": {…}}` command objects are read as the object they add.
 * Never throws; a truncated document keeps every complete entry.
 */
export function parseNftJson(text: string, options: ParseOptions): ParseResult {
  const sink = new DiagnosticSink();
  const builder = new RulesetBuilder(sink);
  const lines = new LineIndex(text);
  const doc = readJson(text);
  const spanAt = (start: number, end: number): Span => {
    const a = lines.at(start);
    const b = lines.at(Math.max(start, end - 1));
    return { file: options.file, line: a.line, col: a.col, endLine: b.line, endCol: b.col + 1 };
  };
  const top = spanAt(0, 1);
  const cx: JsonContext = {
    sink,
    spanOf: (node, fallback) => {
      const w = typeof node === 'object' && node !== null ? doc.where.get(node) : undefined;
      return w ? spanAt(w[0], w[1]) : fallback;
    },
    rawOf: (node) => {
      const w = typeof node === 'object' && node !== null ? doc.where.get(node) : undefined;
      return w ? text.slice(w[0], w[1]) : node === null ? 'null' : String(node);
    },
  };
  if (doc.error) sink.add('NFT_JSON_SYNTAX', `${doc.error.message}; entries before this point are kept`, spanAt(doc.error.offset, doc.error.offset + 1));
  if (doc.trailingAt !== undefined) sink.add('NFT_JSON_TRAILING_TEXT', 'expected the end of the input after the JSON document; the extra text was ignored', spanAt(doc.trailingAt, text.length));
  try {
    const list = isObject(doc.value) ? doc.value.nftables : undefined;
    if (!Array.isArray(list)) {
      if (!doc.error) sink.add('NFT_JSON_BAD_SHAPE', 'expected {"nftables": [ … ]} as printed by nft -j', top);
    } else for (const entry of list) if (!isCut(entry, doc.incomplete)) readEntry(entry, cx, builder, top);
  } catch (e) {
    sink.add('NFT_INTERNAL', `parser failure (please report): ${e instanceof Error ? e.message : String(e)}`, top);
  }
  return { ruleset: builder.finish(), diagnostics: sink.list };
}

function readEntry(entry: Json, cx: JsonContext, b: RulesetBuilder, top: Span): void {
  const span = cx.spanOf(entry, top);
  const k = isObject(entry) ? soleKey(entry) : undefined;
  const v = k !== undefined && isObject(entry) ? entry[k] : undefined;
  if (k === 'metainfo') return;
  if ((k === 'add' || k === 'create' || k === 'insert') && isObject(v)) return readEntry(v, cx, b, top);
  if (!isObject(v) || k === undefined) {
    cx.sink.add('NFT_JSON_BAD_SHAPE', `expected an object such as {"table": {…}}, found ${cx.rawOf(entry).slice(0, 80)}`, span);
    return;
  }
  if (k === 'table') return readTable(v, cx, b, span);
  if (k === 'chain') return readChain(v, cx, b, span);
  if (k === 'rule') return readRule(v, cx, b, span);
  if (k === 'set' || k === 'map' || k === 'element') return readSet(k, v, cx, b, span);
  b.unparsed.push({ kind: 'unparsed', raw: cx.rawOf(entry), span });
  cx.sink.add('NFT_JSON_UNSUPPORTED_OBJECT', `'${k}' objects are not modelled; kept as unparsed`, span);
}

function tableOf(v: JsonObject, cx: JsonContext, b: RulesetBuilder, span: Span, key: 'name' | 'table'): TableDraft | undefined {
  const family = str(v.family);
  const name = str(v[key]);
  if (!isFamily(family) || name === undefined) {
    cx.sink.add('NFT_JSON_BAD_SHAPE', `expected "family" (ip, ip6, inet, arp, bridge, netdev) and "${key}" strings`, span);
    return undefined;
  }
  return b.table(family as Family, name, span, cx.rawOf(v), key === 'name');
}

function readTable(v: JsonObject, cx: JsonContext, b: RulesetBuilder, span: Span): void {
  const t = tableOf(v, cx, b, span, 'name');
  if (!t) return;
  if (num(v.handle) !== undefined) t.handle = v.handle as number;
  if (str(v.comment) !== undefined) t.comment = v.comment as string;
  if (Array.isArray(v.flags)) t.flags = v.flags.filter((x): x is string => typeof x === 'string');
}

function readChain(v: JsonObject, cx: JsonContext, b: RulesetBuilder, span: Span): void {
  const t = tableOf(v, cx, b, span, 'table');
  const name = str(v.name);
  if (!t || name === undefined) return;
  const c = b.chain(t, name, span, cx.rawOf(v), true);
  if (num(v.handle) !== undefined) c.handle = v.handle as number;
  if (str(v.comment) !== undefined) c.comment = v.comment as string;
  const type = str(v.type);
  const hook = str(v.hook);
  if (type !== undefined && hook !== undefined) {
    const prio = num(v.prio) ?? 0;
    const dev = v.dev ?? v.device;
    const devices = typeof dev === 'string' ? [dev] : Array.isArray(dev) ? dev.filter((x): x is string => typeof x === 'string') : [];
    c.base = { type, hook, priority: prio, priorityRaw: String(v.prio ?? ''), policy: v.policy === 'drop' ? 'drop' : 'accept', devices };
  }
}

function readRule(v: JsonObject, cx: JsonContext, b: RulesetBuilder, span: Span): void {
  const t = tableOf(v, cx, b, span, 'table');
  const chainName = str(v.chain);
  if (!t || chainName === undefined) return;
  const chain = t.chains.get(chainName) ?? b.chain(t, chainName, span, cx.rawOf(v), false);
  const exprs = Array.isArray(v.expr) ? v.expr : [];
  if (!Array.isArray(v.expr)) cx.sink.add('NFT_JSON_BAD_SHAPE', 'expected an "expr" array in the rule', span);
  chain.rules.push({
    ...(num(v.handle) !== undefined ? { handle: v.handle as number } : {}),
    span,
    raw: cx.rawOf(v),
    statements: exprs.map((e) => jsonStmt(e, cx, t.family, span)),
    ...(str(v.comment) !== undefined ? { comment: v.comment as string } : {}),
  });
}

function readSet(kind: 'set' | 'map' | 'element', v: JsonObject, cx: JsonContext, b: RulesetBuilder, span: Span): void {
  const t = tableOf(v, cx, b, span, 'table');
  const name = str(v.name);
  if (!t || name === undefined) return;
  const s = kind === 'element' ? (t.sets.get(name) ?? b.set(t, name, false, span, cx.rawOf(v), false)) : b.set(t, name, kind === 'map', span, cx.rawOf(v), true);
  const words = (j: Json | undefined): string[] => (typeof j === 'string' ? [j] : Array.isArray(j) ? j.filter((x): x is string => typeof x === 'string') : []);
  if (kind !== 'element') {
    s.keyType = words(v.type);
    if (v.map !== undefined) s.dataType = words(v.map).join(' . ');
    s.flags = words(v.flags);
    if (num(v.handle) !== undefined) s.handle = v.handle as number;
    if (num(v.timeout) !== undefined) s.timeout = v.timeout as number;
    if (num(v.size) !== undefined) s.size = v.size as number;
    if (str(v.comment) !== undefined) s.comment = v.comment as string;
  }
  if (Array.isArray(v.elem)) for (const e of jsonElements(v.elem, cx, span)) s.elements.push(e);
}

/** An entry cut off by a syntax error is dropped (the NFT_JSON_SYNTAX diagnostic covers it). */
function isCut(entry: Json, incomplete: ReadonlySet<object>): boolean {
  return typeof entry === 'object' && entry !== null && incomplete.has(entry);
}
