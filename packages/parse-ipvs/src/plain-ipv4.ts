/**
 * Character-level readers for the everyday forms of dump lines (plain-save-line.ts,
 * plain-ipset-member.ts): they look at the text in place and accept only what the full readers
 * (netaddr's parseIP, ipvs-fields' parseUint, ipset-member's parsePort) take, written canonically.
 */

export const SPACE = 32;
export const DOT = 46;
export const COMMA = 44;
const ZERO = 48;
const NINE = 57;

/** Whether `c` is an ASCII digit. */
export function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/** The index after the digits from `i` (before `end`), or -1 when none or more than `most`. */
export function digitsEnd(text: string, i: number, end: number, most: number): number {
  let j = i;
  while (j < end && j - i <= most && isDigit(text.charCodeAt(j))) j++;
  return j === i || j - i > most ? -1 : j;
}

/** The value of the decimal digits from `i` to `j`. */
export function digitsValue(text: string, i: number, j: number): number {
  let v = 0;
  for (let k = i; k < j; k++) v = v * 10 + (text.charCodeAt(k) - ZERO);
  return v;
}

/**
 * A dotted-quad IPv4 address from `i` as parseIP takes it and prints it back (octets ≤ 255, no
 * leading zeros), so the text is its canonical form; the index after it, or -1.
 */
export function ipv4End(text: string, i: number, end: number): number {
  let at = i;
  for (let octet = 0; octet < 4; octet++) {
    const j = digitsEnd(text, at, end, 3);
    if (j < 0 || digitsValue(text, at, j) > 255 || (j - at > 1 && text.charCodeAt(at) === ZERO)) return -1;
    if (octet === 3) return j;
    if (text.charCodeAt(j) !== DOT) return -1;
    at = j + 1;
  }
  return -1;
}

/** A port from `i`: 1-5 digits ≤ 65535 without leading zeros (so its text is its number); index after it, or -1. */
export function portEnd(text: string, i: number, end: number): number {
  const j = digitsEnd(text, i, end, 5);
  if (j < 0 || digitsValue(text, i, j) > 65535 || (j - i > 1 && text.charCodeAt(i) === ZERO)) return -1;
  return j;
}
