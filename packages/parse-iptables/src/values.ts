import { parseCidr, parseIP, type Cidr, type IP } from '@svcpath/netaddr';
import type { NatRange, PortRange } from './ast';

/** Value readers shared by match and target modules; each returns null on text it cannot read. */

const PROTO_NUMBERS: Readonly<Record<string, string>> = {
  '0': 'all',
  '1': 'icmp',
  '6': 'tcp',
  '17': 'udp',
  '58': 'ipv6-icmp',
  '132': 'sctp',
  '136': 'udplite',
  '47': 'gre',
  '50': 'esp',
  '4': 'ipip',
};

/** `-p 6` and `-p TCP` both mean tcp; iptables-save prints names where /etc/protocols has them. */
export function normalizeProto(text: string): string {
  const t = text.toLowerCase();
  if (t === 'icmpv6' || t === 'ipv6-icmp') return 'ipv6-icmp';
  return PROTO_NUMBERS[t] ?? t;
}

export function readPort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const n = Number(text);
  return n <= 65535 ? n : null;
}

/** `80`, `80:90`, `:90`, `80:` (iptables' open-ended forms). */
export function readPortRange(text: string): PortRange | null {
  const parts = text.split(':');
  if (parts.length === 1) {
    const p = readPort(text);
    return p === null ? null : { from: p, to: p };
  }
  if (parts.length !== 2) return null;
  const from = parts[0] === '' ? 0 : readPort(parts[0]!);
  const to = parts[1] === '' ? 65535 : readPort(parts[1]!);
  return from === null || to === null ? null : { from, to };
}

/** multiport lists: `80,443,8000:8080`. */
export function readPortList(text: string): PortRange[] | null {
  const out: PortRange[] = [];
  for (const part of text.split(',')) {
    const r = readPortRange(part);
    if (!r) return null;
    out.push(r);
  }
  return out;
}

/** Marks and masks: `0x4000`, `16384`, `0x4000/0xffff`; mask defaults to all ones. */
export function readMarkMask(text: string): { value: number; mask: number } | null {
  const [v, m] = text.split('/');
  const value = readU32(v ?? '');
  const mask = m === undefined ? 0xffffffff : readU32(m);
  return value === null || mask === null ? null : { value, mask };
}

export function readU32(text: string): number | null {
  if (!/^(0x[0-9a-fA-F]{1,8}|\d{1,10})$/.test(text)) return null;
  const n = Number(text);
  return n <= 0xffffffff ? n >>> 0 : null;
}

export function readCidr(text: string): Cidr | null {
  return parseCidr(text);
}

export function readIP(text: string): IP | null {
  return parseIP(text);
}

/**
 * NAT ranges as DNAT/SNAT print them: `10.0.0.1`, `10.0.0.1:80`, `10.0.0.1-10.0.0.9:80-90`,
 * `[fd00::1]:80`, a bare IPv6 address, or `:8080` (port only).
 */
export function readNatRange(text: string): NatRange | null {
  let addrPart = text;
  let portPart: string | null = null;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return null;
    addrPart = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return null;
      portPart = rest.slice(1);
    }
  } else if ((text.match(/:/g) ?? []).length === 1) {
    const i = text.indexOf(':');
    addrPart = text.slice(0, i);
    portPart = text.slice(i + 1);
  }
  let from: IP | null = null;
  let to: IP | null = null;
  if (addrPart !== '') {
    const [a, b] = addrPart.split('-');
    from = parseIP(a ?? '');
    to = b === undefined ? from : parseIP(b);
    if (!from || !to) return null;
  }
  let ports: PortRange | null = null;
  if (portPart !== null) {
    const [a, b] = portPart.split('-');
    const pa = readPort(a ?? '');
    const pb = b === undefined ? pa : readPort(b);
    if (pa === null || pb === null) return null;
    ports = { from: pa, to: pb };
  }
  if (!from && !ports) return null;
  return { text, from, to, ports };
}

/**
 * The probability the kernel really applies: libxt_statistic stores round(p·2³¹) and xt_statistic
 * compares 31 random bits against it, so 0.3333333333 is applied as 715827882/2³¹.
 */
export function effectiveProbability(p: number): number {
  return Math.round(p * 0x80000000) / 0x80000000;
}
