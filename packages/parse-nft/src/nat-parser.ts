import type { Expr, NatFlag, Stmt } from './ast';
import { parseExpr } from './expr-parser';
import type { TokenStream } from './token-stream';
import { valueOf } from './values';

type NatBody = Omit<Extract<Stmt, { kind: 'dnat' | 'snat' | 'masquerade' | 'redirect' }>, 'raw' | 'span'>;

const NAT_FLAGS: ReadonlySet<string> = new Set(['random', 'fully-random', 'persistent']);

/**
 * Reads `dnat|snat [ip|ip6] [addr . port] to SPEC [flags]` and `masquerade|redirect [to :port]
 * [flags]`. SPEC is `addr`, `addr:port`, `[v6]:port`, `:port`, or an expression such as
 * `numgen random mod 2 map { 0 : 10.0.0.1 . 80, … }` (kube-proxy's one-rule endpoint layout,
 * where each map value is an `address . port` pair).
 */
export function parseNatArgs(ts: TokenStream): NatBody | null {
  const kind = ts.next()!.text as NatBody['kind'];
  let family: 'ip' | 'ip6' | undefined;
  const f = ts.word();
  if ((kind === 'dnat' || kind === 'snat') && (f === 'ip' || f === 'ip6') && ts.word(1) !== 'saddr' && ts.word(1) !== 'daddr') {
    family = f;
    ts.next();
    if (ts.word() === 'addr' && ts.word(1) === '.' && ts.word(2) === 'port') ts.i += 3;
    else if (ts.word() === 'prefix') ts.next();
  }
  const hasTo = ts.eat('to');
  let addr: Expr | undefined;
  let port: Expr | undefined;
  const specTok = ts.peek();
  if (specTok?.type === 'word' && (hasTo || looksLikeAddress(specTok.text)) && !NAT_FLAGS.has(specTok.text)) {
    if (looksLikeAddress(specTok.text)) {
      ts.next();
      ({ addr, port } = splitAddressPort(specTok.text));
    } else {
      const e = parseExpr(ts, 'any');
      if (!e) return null;
      addr = e;
    }
  } else if (hasTo) return null;
  const flags = readFlags(ts);
  if (kind === 'masquerade' || kind === 'redirect') {
    if (addr) return null;
    return port ? { kind, port, flags } : { kind, flags };
  }
  if (!addr && !port) return null;
  return { kind, ...(family ? { family } : {}), ...(addr ? { addr } : {}), ...(port ? { port } : {}), flags };
}

function readFlags(ts: TokenStream): NatFlag[] {
  const flags: NatFlag[] = [];
  for (let w = ts.word(); w !== undefined && NAT_FLAGS.has(w); w = ts.word()) {
    flags.push(w);
    ts.next();
    if (ts.peek()?.type === 'comma' && NAT_FLAGS.has(ts.word(1) ?? '')) ts.next();
  }
  return flags;
}

function looksLikeAddress(w: string): boolean {
  const c = w.charCodeAt(0);
  if (c === 91 /* [ */ || c === 58 /* : */) return true;
  if (c >= 48 && c <= 57) return true;
  return /^[0-9a-f]{1,4}:/i.test(w);
}

/** Splits `10.0.0.1:80`, `[2001:db8::1]:80`, `:80`, `10.0.0.1-10.0.0.9:80-90` or a bare address. */
export function splitAddressPort(w: string): { addr?: Expr; port?: Expr } {
  if (w.startsWith('[')) {
    const close = w.indexOf(']');
    const a = w.slice(1, close < 0 ? w.length : close);
    const rest = close < 0 ? '' : w.slice(close + 1);
    return withPort(a, rest.startsWith(':') ? rest.slice(1) : undefined);
  }
  if (w.startsWith(':')) return { port: valueOf(w.slice(1)) };
  const first = w.indexOf(':');
  if (first >= 0 && first === w.lastIndexOf(':')) return withPort(w.slice(0, first), w.slice(first + 1));
  return { addr: valueOf(w) };
}

function withPort(a: string, p: string | undefined): { addr: Expr; port?: Expr } {
  return p === undefined || p === '' ? { addr: valueOf(a) } : { addr: valueOf(a), port: valueOf(p) };
}
