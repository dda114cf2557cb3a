import { KNOWN_UNSUPPORTED } from './parse-rule';
import { BUILTIN_VERDICTS, TARGETS } from './target-modules';

/**
 * A rule body's shape: its words with the values that vary from rule to rule but never change how
 * parseRuleBody reads them replaced by a class — an IPv4 address or prefix (`-d 10.96.0.10/32`,
 * `--to-destination 10.1.2.3:8080` keep their `/len` and `:port`), a quoted comment, a chain a rule
 * jumps to. Rules of one shape parse alike: when one reads cleanly, so do the others, so checking a
 * 10,000-Service dump parses a few thousand rules instead of every one. null when the body has
 * anything whose reading could depend on more than its class (escapes, single quotes, tabs, quotes
 * inside a word): such a rule is read in full.
 */
export function ruleShape(src: string, from: number, to: number): string | null {
  let out = '';
  let prev = '';
  let i = from;
  while (i < to) {
    const c = src.charCodeAt(i);
    if (c === 32) {
      i++;
      continue;
    }
    const start = i;
    const quoted = c === 34;
    if (quoted) {
      i++;
      while (i < to && src.charCodeAt(i) !== 34) {
        if (!plain(src.charCodeAt(i), true)) return null;
        i++;
      }
      if (i >= to) return null;
      i++;
      if (i < to && src.charCodeAt(i) !== 32) return null;
    } else {
      while (i < to && src.charCodeAt(i) !== 32) {
        if (!plain(src.charCodeAt(i), false)) return null;
        i++;
      }
    }
    const word = src.slice(start, i);
    out += `${out === '' ? '' : ' '}${quoted ? (prev === '--comment' ? '\u0000Q' : word) : classify(word, prev)}`;
    prev = word;
  }
  return out;
}

/** A character that reads the same in any word: no escape, single quote, tab, CR; `"` only inside quotes' ends. */
function plain(c: number, inQuotes: boolean): boolean {
  return c !== 92 && c !== 39 && c !== 9 && c !== 13 && (inQuotes || c !== 34);
}

function classify(word: string, prev: string): string {
  const first = word.charCodeAt(0);
  if (first === 45 /* - */ || word === '!') return word;
  if (prev === '-j' || prev === '--jump' || prev === '-g' || prev === '--goto')
    return BUILTIN_VERDICTS.has(word) || Object.hasOwn(TARGETS, word) || KNOWN_UNSUPPORTED.has(word) ? word : '\u0000J';
  if (first >= 48 && first <= 57) return ipv4Class(word) ?? word;
  return word;
}

/** `a.b.c.d` with canonical octets, then an optional `/len` or `:port` kept as written; else null. */
function ipv4Class(word: string): string | null {
  let i = 0;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (word.charCodeAt(i) !== 46) return null;
      i++;
    }
    const start = i;
    let value = 0;
    while (i < word.length && i - start < 4) {
      const d = word.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
      i++;
    }
    const len = i - start;
    if (len === 0 || len > 3 || value > 255 || (len > 1 && word.charCodeAt(start) === 48)) return null;
  }
  if (i === word.length) return '\u0000A';
  const sep = word.charCodeAt(i);
  return sep === 47 /* / */ || sep === 58 /* : */ ? `\u0000A${word.slice(i)}` : null;
}
