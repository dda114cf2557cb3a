import type { Expr, Family, RelOp, Stmt } from './ast';
import { parseExpr, parseSetLike, parseVerdictValue } from './expr-parser';
import { parseNatArgs } from './nat-parser';
import { isBitmaskExpr } from './selectors';
import type { TokenStream } from './token-stream';
import { isVerdictWord, parseInteger, parseTime } from './values';

type StmtBody = Stmt extends infer S ? (S extends Stmt ? Omit<S, 'raw' | 'span'> : never) : never;

const REL_OPS: Readonly<Record<string, RelOp>> = {
  '==': '==', eq: '==', '!=': '!=', ne: '!=', '<': '<', lt: '<', '>': '>', gt: '>', '<=': '<=', le: '<=', '>=': '>=', ge: '>=',
};

/** Default reject per family: the kernel answers ICMP port unreachable (nft(8) REJECT STATEMENT). */
function defaultRejectType(family: Family): 'icmp' | 'icmpv6' | 'icmpx' {
  if (family === 'ip') return 'icmp';
  if (family === 'ip6') return 'icmpv6';
  return 'icmpx';
}

/**
 * Parses the statements of one rule. What cannot be read is kept as one `unparsed` statement
 * running to the end of the rule (a trailing `comment "…"` is still taken), with a diagnostic
 * naming what was expected.
 */
export function parseStatements(ts: TokenStream, family: Family): { statements: Stmt[]; comment?: string } {
  const statements: Stmt[] = [];
  let comment: string | undefined;
  while (!ts.atEnd) {
    if (ts.word() === 'comment' && ts.peek(1)?.type === 'string') {
      comment = ts.peek(1)!.text;
      ts.i += 2;
      continue;
    }
    const from = ts.i;
    const body = parseStatement(ts, family);
    if (body) {
      // Adding the two fields in place (rather than spreading) keeps this hot loop cheap.
      const stmt = body as StmtBody & { raw: string; span: Stmt['span'] };
      stmt.raw = ts.rawFrom(from);
      stmt.span = ts.spanFrom(from);
      statements.push(stmt as Stmt);
      if (body.kind === 'xt') ts.sink.add('NFT_XT_EXPRESSION', xtMessage(body.name), ts.spanFrom(from));
      continue;
    }
    ts.i = from;
    const t = ts.peek()!;
    ts.sink.add('NFT_UNKNOWN_STATEMENT', unknownMessage(t.text), ts.here());
    statements.push(unparsedToEnd(ts, from));
  }
  return comment === undefined ? { statements } : { statements, comment };
}

function unknownMessage(tok: string): string {
  return `expected a match (such as 'ip daddr 10.0.0.1') or a statement (counter, accept, drop, jump, goto, dnat, snat, masquerade, meta mark set, …), found '${tok}'; kept as unparsed`;
}

export function xtMessage(name: string): string {
  return `iptables-nft extension '${name}' cannot be decoded by nft; its effect is unknown (kept as an xt statement)`;
}

function unparsedToEnd(ts: TokenStream, from: number): Stmt {
  let end = ts.toks.length;
  const last = ts.toks[end - 1];
  const beforeLast = ts.toks[end - 2];
  if (last?.type === 'string' && beforeLast?.type === 'word' && beforeLast.text === 'comment' && end - 2 > from) end -= 2;
  ts.i = end;
  return { kind: 'unparsed', raw: ts.rawFrom(from), span: ts.spanFrom(from) };
}

function parseStatement(ts: TokenStream, family: Family): StmtBody | null {
  const w = ts.word();
  if (w === undefined) return null;
  if (isVerdictWord(w)) {
    const v = parseVerdictValue(ts);
    return v && v.kind === 'verdict' ? { kind: 'verdict', verdict: v.verdict } : null;
  }
  switch (w) {
    case 'counter':
      return parseCounter(ts);
    case 'reject':
      return parseReject(ts, family);
    case 'dnat':
    case 'snat':
    case 'masquerade':
    case 'redirect':
      return parseNatArgs(ts);
    case 'notrack':
      ts.next();
      return { kind: 'notrack' };
    case 'log':
      return parseLog(ts);
    case 'limit':
      return parseLimit(ts);
    case 'xt':
      return parseXt(ts);
    case 'add':
    case 'update':
    case 'delete':
      if (ts.word(1)?.startsWith('@')) return parseSetUpdate(ts, w);
      return null;
    default:
      return parseMatchLike(ts);
  }
}

function parseCounter(ts: TokenStream): StmtBody {
  ts.next();
  const out: { kind: 'counter'; packets?: number; bytes?: number; name?: string } = { kind: 'counter' };
  if (ts.word() === 'name' && ts.peek(1)) {
    out.name = ts.peek(1)!.text;
    ts.i += 2;
  }
  for (let k = ts.word(); k === 'packets' || k === 'bytes'; k = ts.word()) {
    const n = parseInteger(ts.word(1) ?? '');
    if (n === null) break;
    out[k] = n;
    ts.i += 2;
  }
  return out;
}

function parseReject(ts: TokenStream, family: Family): StmtBody | null {
  ts.next();
  if (!ts.eat('with')) return { kind: 'reject', type: defaultRejectType(family), code: 'port-unreachable' };
  const type = ts.word();
  if (type === 'tcp' && ts.word(1) === 'reset') {
    ts.i += 2;
    return { kind: 'reject', type: 'tcp reset' };
  }
  if (type !== 'icmp' && type !== 'icmpv6' && type !== 'icmpx') return null;
  ts.next();
  ts.eat('type');
  const code = ts.next();
  if (!code || code.type !== 'word') return null;
  return { kind: 'reject', type, code: code.text };
}

function parseLog(ts: TokenStream): StmtBody {
  ts.next();
  const out: { kind: 'log'; prefix?: string; level?: string; group?: number } = { kind: 'log' };
  for (;;) {
    const k = ts.word();
    const v = ts.peek(1);
    if (!v || (k !== 'prefix' && k !== 'level' && k !== 'group' && k !== 'snaplen' && k !== 'queue-threshold' && k !== 'flags')) break;
    if (k === 'prefix') out.prefix = v.text;
    else if (k === 'level') out.level = v.text;
    else if (k === 'group') out.group = parseInteger(v.text) ?? undefined;
    ts.i += 2;
    while (k === 'flags' && ts.peek()?.type === 'comma') ts.i += 2;
  }
  return out;
}

/** `limit rate [over] N/unit [burst N packets]` and the byte form `N mbytes/second`. */
function parseLimit(ts: TokenStream): StmtBody | null {
  ts.next();
  if (!ts.eat('rate')) return null;
  const over = ts.eat('over');
  const first = ts.next()?.text ?? '';
  let rateText = first;
  let unit = 'packets';
  if (!first.includes('/')) {
    const u = ts.next()?.text ?? '';
    rateText = `${first}/${u.split('/')[1] ?? ''}`;
    unit = u.split('/')[0] ?? '';
  }
  const [r, per] = rateText.split('/');
  const rate = parseInteger(r ?? '');
  if (rate === null || !per) return null;
  let burst = 5;
  if (ts.eat('burst')) {
    burst = parseInteger(ts.next()?.text ?? '') ?? burst;
    if (ts.word() === 'packets' || ts.word()?.endsWith('bytes')) ts.next();
  }
  return { kind: 'limit', rate, per, unit, burst, over };
}

function parseXt(ts: TokenStream): StmtBody | null {
  ts.next();
  const t = ts.word();
  if (t !== 'match' && t !== 'target' && t !== 'watcher') return null;
  ts.next();
  const name = ts.next();
  if (!name) return null;
  return { kind: 'xt', xtType: t, name: name.text };
}

/** `update @set { ip saddr [timeout 3h] }` (kube-proxy's session-affinity sets). */
function parseSetUpdate(ts: TokenStream, op: 'add' | 'update' | 'delete'): StmtBody | null {
  ts.next();
  const set = ts.next()!.text.slice(1);
  if (ts.peek()?.type !== 'lbrace') return null;
  ts.next();
  const elem = parseExpr(ts, 'lhs');
  if (!elem) return null;
  let timeout: number | undefined;
  if (ts.eat('timeout')) timeout = parseTime(ts.next()?.text ?? '') ?? undefined;
  if (ts.peek()?.type !== 'rbrace') return null;
  ts.next();
  return timeout === undefined ? { kind: 'setUpdate', op, set, elem } : { kind: 'setUpdate', op, set, elem, timeout };
}

/** A match (`ip daddr 10.0.0.1`), a write (`meta mark set …`) or a verdict map (`… vmap @m`). */
function parseMatchLike(ts: TokenStream): StmtBody | null {
  const left = parseExpr(ts, 'lhs');
  if (!left) return null;
  const w = ts.word();
  if (w === 'set') {
    ts.next();
    const value = parseExpr(ts, 'any');
    return value ? { kind: 'mangle', target: left, value } : null;
  }
  if (w === 'vmap') {
    ts.next();
    const data = parseSetLike(ts);
    return data ? { kind: 'vmap', key: left, data } : null;
  }
  const explicit = w !== undefined ? REL_OPS[w] : undefined;
  if (explicit) ts.next();
  const parsed = parseExpr(ts, 'rhs');
  if (!parsed) return null;
  const right = singleElementValue(parsed);
  if (ts.word() === '/') {
    ts.next();
    const mask = parseExpr(ts, 'rhs');
    if (!mask) return null;
    const masked: Expr = { kind: 'binop', op: '&', left, right: mask, raw: `${left.raw} & ${mask.raw}` };
    return { kind: 'match', left: masked, op: explicit ?? '==', right };
  }
  return { kind: 'match', left, op: explicit ?? implicitOp(left, right), right };
}

function implicitOp(left: Expr, right: Expr): RelOp {
  if (right.kind === 'set' || right.kind === 'setref') return '==';
  return isBitmaskExpr(left) ? 'in' : '==';
}


/**
 * `ip daddr { 172.30.0.0/16 }` is stored by nft as `ip daddr 172.30.0.0/16` (a one-element
 * anonymous set is folded into the value), so a transaction and the kernel's listing of it give
 * the same match. The raw text still shows the braces.
 */
export function singleElementValue(right: Expr): Expr {
  if (right.kind !== 'set' || right.elements.length !== 1) return right;
  const only = right.elements[0]!;
  return only.data === undefined && only.comment === undefined ? only.key : right;
}
