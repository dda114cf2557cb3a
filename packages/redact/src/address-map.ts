import { formatIPv4, formatIPv6, parseIP, type IP } from '@svcpath/netaddr';
import { sha256 } from '@svcpath/kube-proxy-sim';
import { DOCUMENTATION_V4, DOCUMENTATION_V6, type PublicPlan, type PublicPrefix } from './public-plan';

/**
 * Addresses that keep their meaning whoever owns the cluster, so they are never pseudonymised:
 * "this network" and 0.0.0.0, loopback, link-local, multicast and class E (which holds
 * 255.255.255.255 and the netmasks ip(8) and ipvsadm print); ::, ::1, fe80::/10 and ff00::/8.
 */
export const SPECIAL_CIDRS: readonly string[] = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '240.0.0.0/4', '::/127', 'fe80::/10', 'ff00::/8'];

/**
 * Private ranges whose prefix is kept while the rest of the address is pseudonymised, so a private
 * address stays private-looking in its own range (10/8 → 10/8, 172.16/12 → 172.16/12,
 * 192.168/16 → 192.168/16, fc00::/7 → fc00::/7) and a reader still sees "Pod network", "node LAN".
 */
export const PRIVATE_CIDRS: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'];

/** A prefix-preserving permutation of IPv4 and IPv6 addresses, keyed by a seed. */
export interface AddressMap {
  /** The pseudonym of one address. */
  mapIP(ip: IP): IP;
  /** `10.0.0.5`, `10.244.0.0/16`, `fd00::1/64`: the same text form with the address mapped; null if not an address. */
  mapText(text: string): string | null;
}

const bitsOf = (ip: IP): string => (ip.family === 4 ? ip.value.toString(2).padStart(32, '0') : ip.value.toString(2).padStart(128, '0'));

function fromBits(family: 4 | 6, bits: string): IP {
  const text = family === 4 ? formatIPv4(Number.parseInt(bits, 2)) : formatIPv6(BigInt(`0b${bits}`));
  return parseIP(text)!;
}

const utf8 = new TextEncoder();

interface Prefix {
  readonly family: 4 | 6;
  readonly bits: string;
}

function prefixesOf(keep: readonly string[]): { kept: Prefix[]; ranges: Prefix[] } {
  const kept = [...SPECIAL_CIDRS, ...keep].map((c) => {
    const [addr = '', len] = c.split('/');
    const ip = parseIP(addr);
    if (!ip) throw new Error(`not an address or CIDR: ${c}`);
    return { family: ip.family, bits: bitsOf(ip).slice(0, len === undefined ? undefined : Number(len)) };
  });
  const ranges = PRIVATE_CIDRS.map((c) => {
    const [addr = '', len = '0'] = c.split('/');
    const ip = parseIP(addr)!;
    return { family: ip.family, bits: bitsOf(ip).slice(0, Number(len)) };
  });
  return { kept, ranges };
}

/**
 * Whether an address (its bits) is public: in no special, kept or private range. A range counts as
 * public only if it also holds none of them (8.0.0.0/5 holds 10/8: it keeps its permutation).
 */
export function publicTest(keep: readonly string[] = []): (family: 4 | 6, bits: string) => boolean {
  const { kept, ranges } = prefixesOf(keep);
  const all = [...kept, ...ranges];
  return (family, bits) => !all.some((k) => k.family === family && (bits.startsWith(k.bits) || k.bits.startsWith(bits)));
}

/** The public IPv4 prefixes (addresses as /32) among address texts, for planPublicV4. */
export function publicV4Prefixes(texts: Iterable<string>, keep: readonly string[] = []): PublicPrefix[] {
  const isPublic = publicTest(keep);
  const out: PublicPrefix[] = [];
  for (const t of texts) {
    const [addr = '', len] = t.split('/');
    const ip = parseIP(addr);
    const n = len === undefined ? 32 : Number(len);
    if (ip?.family !== 4 || !Number.isInteger(n) || n < 0 || n > 32) continue;
    const bits = bitsOf(ip).slice(0, n);
    if (isPublic(4, bits)) out.push({ bits, len: n });
  }
  return out;
}

/**
 * Crypto-PAn's construction (Xu et al., "Prefix-preserving IP address anonymization"), with
 * SHA-256 as its pseudo-random function instead of AES: bit i of the output is bit i of the input
 * XOR f(first i input bits). Two addresses sharing a k-bit prefix share exactly a k-bit prefix
 * afterwards, so subnets, CIDR membership and "same node's pod range" survive, and the map is a
 * bijection. On the path to a kept range (SPECIAL_CIDRS plus `keep`) f is 0, so kept ranges map
 * onto themselves and nothing else maps into them; a private range's prefix is kept the same way
 * (PRIVATE_CIDRS). The price: the first few bits of an address (roughly its old class) are kept too.
 *
 * With a plan, public addresses then go into the documentation ranges (DOCUMENTATION_V4, 2001:db8::/32): IPv4
 * ones where `plan` (planPublicV4 over every public prefix of the snapshot) puts them, so they stay
 * distinct and inside their ranges' pseudonyms; one the plan never saw (a label typed later) lands
 * inside the planned range that holds it, else anywhere in the three /24s. IPv6 ones keep their
 * permuted low 96 bits under 2001:db8::/32.
 */
export function createAddressMap(seed: string, keep: readonly string[] = [], plan: PublicPlan | null = null): AddressMap {
  const { kept, ranges } = prefixesOf(keep);
  const flips = new Map<string, number>();
  const flip = (family: 4 | 6, prefix: string): number => {
    const key = `${family}:${prefix}`;
    let f = flips.get(key);
    if (f !== undefined) return f;
    // Within a kept range and on the way to one (or to a private range's prefix) no bit flips: kept
    // ranges map onto themselves, private ranges onto themselves with their hosts permuted, and
    // nothing outside maps into either (its first differing bit is kept).
    const onKeptPath =
      kept.some((k) => k.family === family && (prefix.length < k.bits.length ? k.bits.startsWith(prefix) : prefix.startsWith(k.bits))) ||
      ranges.some((r) => r.family === family && prefix.length < r.bits.length && r.bits.startsWith(prefix));
    f = onKeptPath ? 0 : sha256(utf8.encode(`${seed}\u0000${key}`))[0]! & 1;
    flips.set(key, f);
    return f;
  };
  const isPublic = publicTest(keep);
  const planned = Object.entries(plan ?? {})
    .map(([from, to]) => {
      const [a = '', len = '32'] = from.split('/');
      const [b = '', toLen = '32'] = to.split('/');
      return { bits: bitsOf(parseIP(a)!).slice(0, Number(len)), to: bitsOf(parseIP(b)!).slice(0, Number(toLen)) };
    })
    .sort((x, y) => y.bits.length - x.bits.length);
  const docV6 = bitsOf(parseIP(DOCUMENTATION_V6.split('/')[0]!)!).slice(0, 32);
  const docBins = DOCUMENTATION_V4.map((c) => bitsOf(parseIP(c.split('/')[0]!)!).slice(0, 24));
  // The addresses of a planned block (or of the three /24s) that no planned block inside it holds:
  // where an address the plan never saw goes, so it cannot fall into a range it was not in.
  const freeCache = new Map<string, string[]>();
  const freeIn = (blocks: readonly string[]): string[] => {
    const key = blocks.join(',');
    let free = freeCache.get(key);
    if (free) return free;
    free = [];
    for (const block of blocks) {
      const inner = planned.filter((p) => p.to.length > block.length && p.to.startsWith(block)).map((p) => p.to);
      for (let host = 0; host < 2 ** (32 - block.length); host++) {
        const candidate = block + host.toString(2).padStart(32 - block.length, '0');
        if (!inner.some((i) => candidate.startsWith(i))) free.push(candidate);
      }
    }
    freeCache.set(key, free);
    return free;
  };
  const intoDocumentation = (ip: IP, bits: string, permuted: string): string => {
    if (ip.family === 6) return docV6 + permuted.slice(32);
    const home = planned.find((p) => bits.startsWith(p.bits));
    if (home?.bits.length === 32) return home.to;
    const free = freeIn(home ? [home.to] : docBins);
    const pick = Number.parseInt(permuted.slice(8), 2) % Math.max(free.length, 1);
    return free[pick] ?? (home ? home.to.padEnd(32, '0') : docBins[0]! + permuted.slice(24));
  };
  const cache = new Map<string, IP>();
  const mapIP = (ip: IP): IP => {
    const hit = cache.get(ip.text);
    if (hit) return hit;
    const bits = bitsOf(ip);
    let out = '';
    for (let i = 0; i < bits.length; i++) out += String(Number(bits[i]) ^ flip(ip.family, bits.slice(0, i)));
    if (plan && isPublic(ip.family, bits)) out = intoDocumentation(ip, bits, out);
    const mapped = fromBits(ip.family, out);
    cache.set(ip.text, mapped);
    return mapped;
  };
  const mapText = (text: string): string | null => {
    const slash = text.indexOf('/');
    const ip = parseIP(slash < 0 ? text : text.slice(0, slash));
    if (!ip) return null;
    const mapped = mapIP(ip);
    if (slash < 0) return mapped.text;
    const suffix = text.slice(slash);
    const prefix = Number(suffix.slice(1));
    const exact = plan?.[`${ip.text}${suffix}`];
    if (exact !== undefined) return exact;
    if (plan && isPublic(ip.family, bitsOf(ip)) && prefix < (ip.family === 4 ? 24 : 32)) {
      // Wider than the documentation range it landed in and not planned: the whole range, then.
      return ip.family === 6 ? DOCUMENTATION_V6 : `${fromBits(4, bitsOf(mapped).slice(0, 24).padEnd(32, '0')).text}/24`;
    }
    const max = ip.family === 4 ? 32 : 128;
    if (!/^\/\d{1,3}$/.test(suffix) || prefix > max) return `${mapped.text}${suffix}`;
    // A network address (host bits zero) stays one: the mapped prefix, host bits cleared.
    const isNetwork = bitsOf(ip).slice(prefix).indexOf('1') < 0;
    if (!isNetwork) return `${mapped.text}${suffix}`;
    return `${fromBits(ip.family, bitsOf(mapped).slice(0, prefix).padEnd(max, '0')).text}${suffix}`;
  };
  return { mapIP, mapText };
}
