/**
 * IP addresses as branded values, minted only by {@link parseIP}. IPv4 is held as an unsigned
 * 32-bit number (fast to mask), IPv6 as a 128-bit bigint.
 */
export type IPv4 = { readonly family: 4; readonly value: number; readonly text: string } & { readonly __brand: 'IP' };
export type IPv6 = { readonly family: 6; readonly value: bigint; readonly text: string } & { readonly __brand: 'IP' };
export type IP = IPv4 | IPv6;

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with `::` and an embedded IPv4 tail). */
export function parseIP(text: string): IP | null {
  const t = text.trim();
  const m = V4.exec(t);
  if (m) {
    let v = 0;
    for (let i = 1; i <= 4; i++) {
      const octet = Number(m[i]);
      if (octet > 255 || (m[i]!.length > 1 && m[i]!.startsWith('0'))) return null;
      v = v * 256 + octet;
    }
    return { family: 4, value: v, text: formatIPv4(v) } as IPv4;
  }
  const v6 = parseIPv6(t);
  return v6 === null ? null : ({ family: 6, value: v6, text: formatIPv6(v6) } as IPv6);
}

function parseIPv6(t: string): bigint | null {
  if (!t.includes(':') || /[^0-9a-fA-F:.]/.test(t)) return null;
  const halves = t.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (i === pieces.length - 1 && p.includes('.')) {
        const v4 = parseIP(p);
        if (!v4 || v4.family !== 4) return null;
        out.push(v4.value >>> 16, v4.value & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!head || !tail) return null;
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || (halves.length === 2 && fill < 1)) return null;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

export function formatIPv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** RFC 5952 text: lower case, longest run of zero groups (length ≥ 2) shortened to `::`. */
export function formatIPv6(v: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function ipEquals(a: IP, b: IP): boolean {
  return a.family === b.family && a.value === b.value;
}

/** The address as a string key usable in maps (canonical text). */
export function ipKey(ip: IP): string {
  return ip.text;
}
