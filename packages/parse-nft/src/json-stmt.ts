import type { Expr, Family, RelOp, Span, Stmt } from './ast';
import { type JsonContext, type JsonObject, isObject, jsonExpr, num, setLike, soleKey, str } from './json-expr';
import type { Json } from './json-reader';
import { singleElementValue, xtMessage } from './stmt-parser';
import { isVerdictWord } from './values';

type Body = Stmt extends infer S ? (S extends Stmt ? Omit<S, 'raw' | 'span'> : never) : never;

const REL_OPS: ReadonlySet<string> = new Set(['==', '!=', '<', '>', '<=', '>=', 'in']);

/** Converts one entry of a JSON rule's `expr` array into a statement. */
export function jsonStmt(j: Json, cx: JsonContext, family: Family, ruleSpan: Span): Stmt {
  const span = cx.spanOf(j, ruleSpan);
  const raw = cx.rawOf(j);
  const k = isObject(j) ? soleKey(j) : undefined;
  const body = k !== undefined && isObject(j) ? stmtBody(k, j[k]!, cx, family, span) : null;
  if (body) {
    if (body.kind === 'xt') cx.sink.add('NFT_XT_EXPRESSION', xtMessage(body.name), span);
    return { ...body, raw, span } as Stmt;
  }
  cx.sink.add('NFT_UNKNOWN_STATEMENT', `expected an nft JSON statement (match, counter, verdict, vmap, dnat, snat, masquerade, mangle, reject, log, limit, set, xt), found ${raw.slice(0, 80)}; kept as unparsed`, span);
  return { kind: 'unparsed', raw, span };
}

function stmtBody(k: string, v: Json, cx: JsonContext, family: Family, span: Span): Body | null {
  if (isVerdictWord(k)) {
    const e = jsonExpr({ [k]: v }, cx, span);
    return e.kind === 'verdict' ? { kind: 'verdict', verdict: e.verdict } : null;
  }
  if (k === 'notrack') return { kind: 'notrack' };
  if (k === 'counter') return counter(v);
  if (k === 'reject') return reject(v, family);
  if (k === 'masquerade' || k === 'redirect') return { kind: k, ...natPort(v, cx, span), flags: natFlags(v) };
  if (!isObject(v)) return null;
  switch (k) {
    case 'match':
      return match(v, cx, span);
    case 'vmap': {
      const data = v.data === undefined ? null : setLike(v.data, cx, span);
      return data && v.key !== undefined ? { kind: 'vmap', key: jsonExpr(v.key, cx, span), data } : null;
    }
    case 'mangle':
      return v.key !== undefined && v.value !== undefined ? { kind: 'mangle', target: jsonExpr(v.key, cx, span), value: jsonExpr(v.value, cx, span) } : null;
    case 'dnat':
    case 'snat':
      return nat(k, v, cx, span);
    case 'log':
      return { kind: 'log', ...(str(v.prefix) !== undefined ? { prefix: v.prefix as string } : {}), ...(str(v.level) !== undefined ? { level: v.level as string } : {}), ...(num(v.group) !== undefined ? { group: v.group as number } : {}) };
    case 'limit':
      return num(v.rate) === undefined ? null : { kind: 'limit', rate: v.rate as number, per: str(v.per) ?? 'second', unit: str(v.rate_unit) ?? 'packets', burst: num(v.burst) ?? 5, over: v.inv === true };
    case 'set':
      return setUpdate(v, cx, span);
    case 'xt':
      return (v.type === 'match' || v.type === 'target' || v.type === 'watcher') && str(v.name) ? { kind: 'xt', xtType: v.type, name: v.name as string } : null;
    default:
      return null;
  }
}

function match(v: JsonObject, cx: JsonContext, span: Span): Body | null {
  if (v.left === undefined || v.right === undefined) return null;
  const op = str(v.op) ?? '==';
  if (!REL_OPS.has(op)) return null;
  const right: Expr = singleElementValue(jsonExpr(v.right, cx, span));
  return { kind: 'match', left: jsonExpr(v.left, cx, span), op: op as RelOp, right };
}

function counter(v: Json): Body {
  if (typeof v === 'string') return { kind: 'counter', name: v };
  if (!isObject(v)) return { kind: 'counter' };
  return { kind: 'counter', ...(num(v.packets) !== undefined ? { packets: v.packets as number } : {}), ...(num(v.bytes) !== undefined ? { bytes: v.bytes as number } : {}) };
}

/** Bare `reject` is ICMP port unreachable for the family, as in the text reader. */
function reject(v: Json, family: Family): Body | null {
  const dflt = family === 'ip' ? 'icmp' : family === 'ip6' ? 'icmpv6' : 'icmpx';
  if (!isObject(v)) return { kind: 'reject', type: dflt, code: 'port-unreachable' };
  const type = str(v.type) ?? dflt;
  if (type === 'tcp reset') return { kind: 'reject', type };
  if (type !== 'icmp' && type !== 'icmpv6' && type !== 'icmpx') return null;
  return { kind: 'reject', type, code: str(v.expr) ?? 'port-unreachable' };
}

function nat(kind: 'dnat' | 'snat', v: JsonObject, cx: JsonContext, span: Span): Body {
  const family = v.family === 'ip' || v.family === 'ip6' ? v.family : undefined;
  return {
    kind,
    ...(family ? { family } : {}),
    ...(v.addr !== undefined ? { addr: jsonExpr(v.addr, cx, span) } : {}),
    ...natPort(v, cx, span),
    flags: natFlags(v),
  };
}

function natPort(v: Json, cx: JsonContext, span: Span): { port?: Expr } {
  return isObject(v) && v.port !== undefined ? { port: jsonExpr(v.port, cx, span) } : {};
}

function natFlags(v: Json): string[] {
  if (!isObject(v)) return [];
  const f = v.flags;
  if (typeof f === 'string') return [f];
  return Array.isArray(f) ? f.filter((x): x is string => typeof x === 'string') : [];
}

function setUpdate(v: JsonObject, cx: JsonContext, span: Span): Body | null {
  const op = v.op;
  const set = str(v.set);
  if ((op !== 'add' && op !== 'update' && op !== 'delete') || !set || v.elem === undefined) return null;
  return { kind: 'setUpdate', op, set: set.replace(/^@/, ''), elem: jsonExpr(v.elem, cx, span) };
}
