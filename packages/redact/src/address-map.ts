import { formatIPv4, formatIPv6, parseIP, type IP } from '@svcpath/netaddr';
import { sha256 } from '@svcpath/kube-proxy-sim';

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

/**
 * Crypto-PAn's construction (Xu et al., "Prefix-preserving IP address anonymization"), with
 * SHA-256 as its pseudo-random function instead of AES: bit i of the output is bit i of the input
 * XOR f(first i input bits). Two addresses sharing a k-bit prefix share exactly a k-bit prefix
 * afterwards, so subnets, CIDR membership and "same node's pod range" survive, and the map is a
 * bijection. On the path to a kept range (SPECIAL_CIDRS plus `keep`) f is 0, so kept ranges map
 * onto themselves and nothing else maps into them; a private range's prefix is kept the same way
 * (PRIVATE_CIDRS). The price: the first few bits of an address (roughly its old class) are kept too.
 */
export function createAddressMap(seed: string, keep: readonly string[] = []): AddressMap {
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
  const cache = new Map<string, IP>();
  const mapIP = (ip: IP): IP => {
    const hit = cache.get(ip.text);
    if (hit) return hit;
    const bits = bitsOf(ip);
    let out = '';
    for (let i = 0; i < bits.length; i++) out += String(Number(bits[i]) ^ flip(ip.family, bits.slice(0, i)));
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
    const max = ip.family === 4 ? 32 : 128;
    if (!/^\/\d{1,3}$/.test(suffix) || prefix > max) return `${mapped.text}${suffix}`;
    // A network address (host bits zero) stays one: the mapped prefix, host bits cleared.
    const isNetwork = bitsOf(ip).slice(prefix).indexOf('1') < 0;
    if (!isNetwork) return `${mapped.text}${suffix}`;
    return `${fromBits(ip.family, bitsOf(mapped).slice(0, prefix).padEnd(max, '0')).text}${suffix}`;
  };
  return { mapIP, mapText };
}
