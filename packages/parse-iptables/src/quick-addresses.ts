import type { Match } from './ast';
import { readCidr } from './values';

/** An `-s`/`-d` condition. */
export type AddrMatch = Extract<Match, { kind: 'addr' }>;

/**
 * A rule body's `-s`/`-d` conditions (`src[from, to)`) read from its words alone: each address
 * option outside quotes, negated by a `!` word before it. undefined when a value is not an address
 * (or is `!`): only the full reading can tell. Not a parser: LazyRule trusts it only for a rule
 * shape whose rule read in full gave the same answer (the words it decides on are the shape's own;
 * only the addresses, which it reads as parseRuleBody does, differ from rule to rule).
 */
export function quickAddresses(src: string, from: number, to: number): AddrMatch[] | undefined {
  const out: AddrMatch[] = [];
  let negate = false;
  let i = from;
  while (i < to) {
    if (src.charCodeAt(i) === 32) {
      i++;
      continue;
    }
    const start = i;
    if (src.charCodeAt(i) === 34) {
      i = src.indexOf('"', i + 1);
      if (i < 0 || i >= to) return undefined;
      i++;
      negate = false;
      continue;
    }
    while (i < to && src.charCodeAt(i) !== 32) i++;
    const dir = src.charCodeAt(start) === 45 ? addressFlag(src, start, i) : null;
    if (dir === null) {
      negate = i - start === 1 && src.charCodeAt(start) === 33;
      continue;
    }
    while (i < to && src.charCodeAt(i) === 32) i++;
    const valueAt = i;
    while (i < to && src.charCodeAt(i) !== 32) i++;
    const cidr = valueAt < i && src.charCodeAt(valueAt) !== 33 ? readCidr(src.slice(valueAt, i)) : null;
    if (cidr === null) return undefined;
    out.push({ kind: 'addr', dir, negate, cidr });
    negate = false;
  }
  return out;
}

/** The direction of iptables' address option at [at, end), or null when the word is not one. */
function addressFlag(src: string, at: number, end: number): 'src' | 'dst' | null {
  const len = end - at;
  if (len === 2) {
    const c = src.charCodeAt(at + 1);
    return c === 115 ? 'src' : c === 100 ? 'dst' : null;
  }
  if (len < 5 || src.charCodeAt(at + 1) !== 45) return null;
  const word = src.slice(at, end);
  return word === '--source' || word === '--src' ? 'src' : word === '--destination' || word === '--dst' ? 'dst' : null;
}
