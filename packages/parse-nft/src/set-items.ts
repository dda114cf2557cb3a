import type { Expr } from './ast';
import { parseElements, parseExpr } from './expr-parser';
import type { Token } from './lexer';
import type { SetDraft } from './ruleset-builder';
import { datatypeOf } from './selectors';
import type { TokenStream } from './token-stream';
import { rawOf, streamOf, type TextContext, tokSpan } from './text-context';
import { parseInteger, parseTime } from './values';

/**
 * Applies one statement of a set or map body: `type`, `typeof`, `flags`, `timeout`, `size`,
 * `comment`, `policy`, `auto-merge`, `elements = { … }`. Unknown properties are reported.
 */
export function applySetItem(ctx: TextContext, set: SetDraft, toks: readonly Token[]): void {
  const ts = streamOf(ctx, toks);
  const w = ts.word();
  ts.next();
  switch (w) {
    case 'type':
      return readType(ctx, set, toks);
    case 'typeof':
      return readTypeof(ts, set);
    case 'flags':
      set.flags = toks.slice(1).filter((t) => t.type === 'word').map((t) => t.text);
      return;
    case 'timeout': {
      const secs = parseTime(ts.word() ?? '');
      if (secs !== null) set.timeout = secs;
      return;
    }
    case 'size': {
      const n = parseInteger(ts.word() ?? '');
      if (n !== null) set.size = n;
      return;
    }
    case 'comment':
      if (ts.peek()?.type === 'string') set.comment = ts.peek()!.text;
      return;
    case 'elements':
      ts.eat('=');
      return readElements(ctx, set, ts);
    case 'policy':
    case 'auto-merge':
    case 'gc-interval':
    case 'counter':
      return;
    default:
      ctx.sink.add('NFT_BAD_SET', `expected a set property (type, typeof, flags, timeout, size, comment, elements), found '${rawOf(ctx, toks)}'`, tokSpan(ctx, toks[0]!, toks[toks.length - 1]!));
  }
}

/** `type ipv4_addr . inet_proto . inet_service : verdict`. */
function readType(ctx: TextContext, set: SetDraft, toks: readonly Token[]): void {
  const words = toks.slice(1).map((t) => t.text);
  const colon = words.indexOf(':');
  const keyWords = colon < 0 ? words : words.slice(0, colon);
  set.keyType = keyWords.filter((x) => x !== '.');
  if (colon >= 0) set.dataType = words.slice(colon + 1).join(' ');
  if (set.keyType.length === 0) ctx.sink.add('NFT_BAD_SET', "expected a data type after 'type' (such as ipv4_addr)", tokSpan(ctx, toks[0]!));
}

/** `typeof ip daddr . tcp dport [: ip daddr]`: keeps the expressions and derives the types. */
function readTypeof(ts: TokenStream, set: SetDraft): void {
  const key = parseExpr(ts, 'lhs');
  if (!key) {
    ts.sink.add('NFT_BAD_SET', "expected an expression after 'typeof' (such as 'ip saddr')", ts.here());
    return;
  }
  const parts: readonly Expr[] = key.kind === 'concat' ? key.parts : [key];
  set.typeofKey = [...parts];
  set.keyType = parts.map((p) => datatypeOf(p) ?? p.raw);
  if (ts.eat(':')) {
    const data = parseExpr(ts, 'lhs');
    if (data) {
      const dparts: readonly Expr[] = data.kind === 'concat' ? data.parts : [data];
      set.dataType = dparts.map((p) => datatypeOf(p) ?? p.raw).join(' . ');
    }
  }
}

/** Reads `{ e1, e2, … }` from the cursor and appends the elements to `set`. */
export function readElements(ctx: TextContext, set: SetDraft, ts: TokenStream): void {
  const open = ts.peek();
  if (open?.type !== 'lbrace') {
    ctx.sink.add('NFT_BAD_SET', "expected '{' to start the elements", ts.here());
    return;
  }
  ts.next();
  const start = ts.i;
  const els = parseElements(ts);
  if (els) {
    for (const e of els) set.elements.push(e);
    return;
  }
  // The closing brace is missing (already reported by the reader): keep what can be read.
  const partial = streamOf(ctx, [...ts.toks.slice(start), { ...open, type: 'rbrace', text: '}' }]);
  for (const e of parseElements(partial) ?? []) set.elements.push(e);
}
