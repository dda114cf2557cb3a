import { KNOWN_UNSUPPORTED } from './parse-rule';
import { BUILTIN_VERDICTS, TARGETS } from './target-modules';

/**
 * A rule body's shape: its text with the values that vary from rule to rule but never change how
 * parseRuleBody reads them replaced by a class — an IPv4 address or prefix (`-d 10.96.0.10/32`
 * keeps its `/len`), an address and port (`--to-destination 10.1.2.3:8080`), a quoted comment, a
 * chain a rule jumps to, a port after `--dport`/`--sport`, a probability, recent's `--name`. Rules of one shape parse alike: when one reads cleanly, so do the others, so checking a
 * 10,000-Service dump parses a few thousand rules instead of every one. null when the body has
 * anything whose reading could depend on more than its class (escapes, single quotes, tabs, quotes
 * inside a word): such a rule is read in full. Built from a few slices of the line, not word by word.
 * `jump`, when given, is told where the chain names the shape stands `\u0000J` for are (the last
 * one's offsets, and how many there are): rules of one shape jump alike, to the chain written there.
 */
export function ruleShape(src: string, from: number, to: number, jump?: JumpSite): string | null {
  TEXT.out = '';
  return walkShape(src, from, to, jump, TEXT) ? TEXT.out : null;
}

/**
 * ruleShape's text as a number (two 32-bit hashes of it, 53 bits in all), without making the
 * string: checking a 10,000-Service dump asks the shape of each of its ~360,000 rules, and only
 * the first rule of each shape needs the text itself. Two shapes share a key by chance about once
 * in 2^53 / shapes² (a dump has hundreds of shapes).
 */
export function ruleShapeKey(src: string, from: number, to: number, jump?: JumpSite): number | null {
  HASH.h1 = 0x811c9dc5 | 0;
  HASH.h2 = 0x2545f491 | 0;
  return walkShape(src, from, to, jump, HASH) ? (HASH.h1 >>> 0) * 2097152 + (HASH.h2 >>> 11) : null;
}

/** What walkShape makes of a body: the words it keeps as written, and the classes standing for the rest. */
interface ShapeSink {
  keep(src: string, from: number, to: number): void;
  cls(c: string): void;
}

/** ruleShape's text. */
class ShapeText implements ShapeSink {
  out = '';
  keep(src: string, from: number, to: number): void {
    this.out += src.slice(from, to);
  }
  cls(c: string): void {
    this.out += c;
  }
}

/** ruleShapeKey's hashes of that text, character by character (FNV-1a and a murmur-like mix). */
class ShapeHash implements ShapeSink {
  h1 = 0;
  h2 = 0;
  keep(src: string, from: number, to: number): void {
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = from; i < to; i++) {
      const c = src.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 16777619);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 13;
    }
    this.h1 = h1;
    this.h2 = h2;
  }
  cls(c: string): void {
    this.keep(c, 0, c.length);
  }
}

// One of each, reused (single-threaded, filled and read within one call).
const TEXT = new ShapeText();
const HASH = new ShapeHash();

/** Walks a body's words as ruleShape reads them into `sink`; false: a body it does not shape. */
function walkShape(src: string, from: number, to: number, jump: JumpSite | undefined, sink: ShapeSink): boolean {
  if (jump) jump.count = 0;
  let copied = from;
  let prevAt = -1;
  let prevEnd = -1;
  let i = from;
  while (i < to) {
    if (src.charCodeAt(i) === 32) {
      i++;
      continue;
    }
    const start = i;
    const quoted = src.charCodeAt(i) === 34;
    if (quoted) {
      i++;
      while (i < to && src.charCodeAt(i) !== 34) {
        if (!plain(src.charCodeAt(i), true)) return false;
        i++;
      }
      if (i >= to) return false;
      i++;
      if (i < to && src.charCodeAt(i) !== 32) return false;
    } else {
      while (i < to && src.charCodeAt(i) !== 32) {
        if (!plain(src.charCodeAt(i), false)) return false;
        i++;
      }
    }
    const cls = quoted ? (isWord(src, prevAt, prevEnd, '--comment') ? '\u0000Q' : null) : classify(src, start, i, prevAt, prevEnd);
    if (cls !== null) {
      if (jump && cls === JUMP) {
        jump.at = start;
        jump.end = i;
        jump.count++;
      }
      sink.keep(src, copied, start);
      sink.cls(cls);
      copied = i;
    }
    prevAt = start;
    prevEnd = i;
  }
  sink.keep(src, copied, to);
  return true;
}

/** Where a body's chain names (after `-j`, `-g`, `--jump`, `--goto`) are: the last at [at, end). */
export interface JumpSite {
  at: number;
  end: number;
  count: number;
}

const JUMP = '\u0000J';

/** A character that reads the same in any word: no escape, single quote, tab, CR; `"` only at a quote's ends. */
function plain(c: number, inQuotes: boolean): boolean {
  return c !== 92 && c !== 39 && c !== 9 && c !== 13 && (inQuotes || c !== 34);
}

const isWord = (src: string, at: number, end: number, word: string) => at >= 0 && end - at === word.length && src.startsWith(word, at);

/** The class standing for the word at [at, end), or null to keep it as written. */
function classify(src: string, at: number, end: number, prevAt: number, prevEnd: number): string | null {
  const first = src.charCodeAt(at);
  if (first === 45 /* - */ || first === 33 /* ! */) return null;
  const prevFirst = prevAt >= 0 ? src.charCodeAt(prevAt) : 0;
  if (prevFirst === 45 && (isWord(src, prevAt, prevEnd, '-j') || isWord(src, prevAt, prevEnd, '-g') || isWord(src, prevAt, prevEnd, '--jump') || isWord(src, prevAt, prevEnd, '--goto'))) {
    const name = src.slice(at, end);
    return BUILTIN_VERDICTS.has(name) || Object.hasOwn(TARGETS, name) || KNOWN_UNSUPPORTED.has(name) ? null : JUMP;
  }
  // recent's --name (kube-proxy's session affinity: the endpoint chain's name) is any word alike.
  if (prevFirst === 45 && isWord(src, prevAt, prevEnd, '--name') && isName(src, at, end)) return '\u0000N';
  if (first < 48 || first > 57) return null;
  // A port after --dport/--sport, a probability after --probability: every one reads alike (a
  // 10,000-Service dump has a NodePort and a probability per rule, which would make each its own shape).
  if (prevFirst === 45 && (isWord(src, prevAt, prevEnd, '--dport') || isWord(src, prevAt, prevEnd, '--sport')) && isPort(src, at, end)) return '\u0000P';
  if (prevFirst === 45 && isWord(src, prevAt, prevEnd, '--probability') && isFraction(src, at, end)) return '\u0000R';
  return ipv4Class(src, at, end);
}

/** Letters, digits, `-` and `_`, as chain names are written. */
function isName(src: string, at: number, end: number): boolean {
  for (let i = at; i < end; i++) {
    const c = src.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 95)) return false;
  }
  return true;
}

/** 1 to 5 digits, at most 65535 (values.ts readPort). */
function isPort(src: string, at: number, end: number): boolean {
  if (end - at < 1 || end - at > 5) return false;
  let value = 0;
  for (let i = at; i < end; i++) {
    const d = src.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    value = value * 10 + d;
  }
  return value <= 65535;
}

/** `0.` and 1 to 20 digits: a number between 0 and 1, as --probability wants. */
function isFraction(src: string, at: number, end: number): boolean {
  if (end - at < 3 || end - at > 22 || src.charCodeAt(at) !== 48 || src.charCodeAt(at + 1) !== 46) return false;
  for (let i = at + 2; i < end; i++) {
    const d = src.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
  }
  return true;
}

/** `a.b.c.d` with canonical octets, then an optional `:port` (a class) or `/len` (kept as written); else null. */
function ipv4Class(src: string, at: number, end: number): string | null {
  let i = at;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (src.charCodeAt(i) !== 46) return null;
      i++;
    }
    const start = i;
    let value = 0;
    while (i < end && i - start < 4) {
      const d = src.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
      i++;
    }
    const len = i - start;
    if (len === 0 || len > 3 || value > 255 || (len > 1 && src.charCodeAt(start) === 48)) return null;
  }
  if (i === end) return '\u0000A';
  const sep = src.charCodeAt(i);
  if (sep === 58 /* : */ && isPort(src, i + 1, end)) return '\u0000A:\u0000P';
  return sep === 47 /* / */ || sep === 58 /* : */ ? `\u0000A${src.slice(i, end)}` : null;
}
