import { parseCidr, parseIP } from '@svcpath/netaddr';
import type { Family, Value, VerdictCode } from './ast';

/** Reads a decimal or `0x` hexadecimal integer (optionally negative); null if `text` is not one. */
export function parseInteger(text: string): number | null {
  let i = 0;
  let neg = false;
  if (text.charCodeAt(0) === 45 /* - */) {
    neg = true;
    i = 1;
  }
  if (i >= text.length) return null;
  let hex = false;
  if (text.charCodeAt(i) === 48 && (text.charCodeAt(i + 1) | 32) === 120 /* x */) {
    hex = true;
    i += 2;
    if (i >= text.length) return null;
  }
  let v = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (hex && (c | 32) >= 97 && (c | 32) <= 102) d = (c | 32) - 87;
    else return null;
    v = v * (hex ? 16 : 10) + d;
  }
  return neg ? -v : v;
}

/**
 * Classifies a constant as nft prints it: an address, a prefix, a range, a number, or a symbol.
 * The same function reads text tokens and JSON strings, so both forms give the same values.
 */
export function valueOf(text: string, raw: string = text): Value {
  const n = parseInteger(text);
  if (n !== null) return { kind: 'number', value: n, raw };
  const hasDot = text.includes('.');
  const hasColon = text.includes(':');
  if (hasDot || hasColon) {
    if (text.includes('/')) {
      const cidr = parseCidr(text);
      if (cidr) return { kind: 'prefix', cidr, raw };
    }
    const ip = parseIP(text);
    if (ip) return { kind: 'ip', ip, raw };
  }
  const dash = text.indexOf('-', 1);
  if (dash > 0 && startsLikeNumberOrAddress(text)) {
    const from = valueOf(text.slice(0, dash));
    const to = valueOf(text.slice(dash + 1));
    if (isScalar(from) && isScalar(to)) return { kind: 'range', from, to, raw };
  }
  return { kind: 'symbol', name: text, raw };
}

function startsLikeNumberOrAddress(text: string): boolean {
  const c = text.charCodeAt(0) | 32;
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || c === 58 /* : */;
}

function isScalar(v: Value): boolean {
  return v.kind === 'number' || v.kind === 'ip';
}

/** Builds a range value from two endpoints (JSON `{"range": [a, b]}` or text `a-b`). */
export function rangeOf(from: Value, to: Value, raw: string): Value {
  return { kind: 'range', from, to, raw };
}

const VERDICTS: ReadonlySet<string> = new Set(['accept', 'drop', 'continue', 'return', 'jump', 'goto', 'queue']);

export function isVerdictWord(w: string): w is VerdictCode {
  return VERDICTS.has(w);
}

const TIME_UNITS: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };

/** Reads nft time strings (`3h`, `10800s`, `1d2h3m`, `500ms`, plain seconds); null if malformed. */
export function parseTime(text: string): number | null {
  const plain = parseInteger(text);
  if (plain !== null) return plain;
  let total = 0;
  let i = 0;
  while (i < text.length) {
    let j = i;
    while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
    if (j === i) return null;
    const num = Number(text.slice(i, j));
    let k = j;
    while (k < text.length && (text.charCodeAt(k) < 48 || text.charCodeAt(k) > 57)) k++;
    const unit = TIME_UNITS[text.slice(j, k)];
    if (unit === undefined) return null;
    total += num * unit;
    i = k;
  }
  return total;
}

const STANDARD_PRIORITIES: Record<string, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };
const BRIDGE_PRIORITIES: Record<string, number> = { dstnat: -300, filter: -200, out: 100, srcnat: 300 };

/**
 * Resolves a chain priority as nft prints it: a number, a name (`dstnat`), or a name with an
 * offset (`dstnat - 10`). Names follow nft's table: the bridge family has its own values.
 */
export function resolvePriority(words: readonly string[], family: Family): number | null {
  const [first, op, offset] = words;
  if (first === undefined) return null;
  const n = parseInteger(first);
  const names = family === 'bridge' ? BRIDGE_PRIORITIES : STANDARD_PRIORITIES;
  const base = n ?? names[first];
  if (base === undefined) return null;
  if (words.length === 1) return base;
  if (words.length !== 3 || (op !== '+' && op !== '-')) return null;
  const delta = parseInteger(offset ?? '');
  if (delta === null) return null;
  return op === '+' ? base + delta : base - delta;
}

export const FAMILIES: ReadonlySet<string> = new Set(['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev']);

export function isFamily(w: string | undefined): w is Family {
  return w !== undefined && FAMILIES.has(w);
}
