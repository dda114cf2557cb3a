import { parseIP, formatIPv4, formatIPv6, type IP } from './ip';

/** A network prefix; `addr` is already masked. Minted only by {@link parseCidr}. */
export type Cidr =
  | { readonly family: 4; readonly addr: number; readonly mask: number; readonly prefix: number; readonly text: string }
  | { readonly family: 6; readonly addr: bigint; readonly mask: bigint; readonly prefix: number; readonly text: string };

const ALL128 = (1n << 128n) - 1n;

function v4Mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}
function v6Mask(prefix: number): bigint {
  return prefix === 0 ? 0n : (ALL128 << BigInt(128 - prefix)) & ALL128;
}

/** Prefix length of a contiguous dotted mask (255.255.255.0 → 24), or null if not contiguous. */
export function maskToPrefix(mask: IP): number | null {
  if (mask.family === 4) {
    for (let p = 0; p <= 32; p++) if (v4Mask(p) === mask.value) return p;
    return null;
  }
  for (let p = 0; p <= 128; p++) if (v6Mask(p) === mask.value) return p;
  return null;
}

/**
 * Parses `a.b.c.d`, `a.b.c.d/n`, `a.b.c.d/255.255.0.0` and the IPv6 forms. A bare address is a
 * host prefix (/32 or /128), as iptables reads `-d 10.0.0.1`. Host bits are masked off, as the
 * kernel does when it stores the rule.
 */
export function parseCidr(text: string): Cidr | null {
  const [addrText, lenText, extra] = text.trim().split('/');
  if (extra !== undefined || addrText === undefined) return null;
  const ip = parseIP(addrText);
  if (!ip) return null;
  const max = ip.family === 4 ? 32 : 128;
  let prefix = max;
  if (lenText !== undefined) {
    if (/^\d{1,3}$/.test(lenText)) prefix = Number(lenText);
    else {
      const m = parseIP(lenText);
      const p = m && m.family === ip.family ? maskToPrefix(m) : null;
      if (p === null) return null;
      prefix = p;
    }
    if (prefix > max) return null;
  }
  return cidrOf(ip, prefix);
}

export function cidrOf(ip: IP, prefix: number): Cidr {
  if (ip.family === 4) {
    const mask = v4Mask(prefix);
    const addr = (ip.value & mask) >>> 0;
    return { family: 4, addr, mask, prefix, text: `${formatIPv4(addr)}/${prefix}` };
  }
  const mask = v6Mask(prefix);
  const addr = ip.value & mask;
  return { family: 6, addr, mask, prefix, text: `${formatIPv6(addr)}/${prefix}` };
}

export function cidrContains(c: Cidr, ip: IP): boolean {
  if (c.family === 4) return ip.family === 4 && ((ip.value & c.mask) >>> 0) === c.addr;
  return ip.family === 6 && (ip.value & c.mask) === c.addr;
}

/** True when the prefix is a single host (/32 or /128). */
export function isHostCidr(c: Cidr): boolean {
  return c.prefix === (c.family === 4 ? 32 : 128);
}
