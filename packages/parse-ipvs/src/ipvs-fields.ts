import { parseIP, maskToPrefix, type IP } from '@svcpath/netaddr';
import type { Persistence, SchedFlags } from './ipvs-types';

/** `10.0.0.5:6443`, `[fd00::5]:80`, or a bare address (port null), as ipvsadm -n prints them. */
export function parseHostPort(text: string): { ip: IP; port: number | null } | null {
  let host = text;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return null;
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return null;
      portText = rest.slice(1);
    }
  } else {
    const colons = text.split(':').length - 1;
    if (colons === 1) {
      const i = text.indexOf(':');
      host = text.slice(0, i);
      portText = text.slice(i + 1);
    } else if (colons > 1) {
      return null; // bare IPv6 without brackets is ambiguous in ipvsadm syntax
    }
  }
  const ip = parseIP(host);
  if (!ip) return null;
  if (portText === undefined) return { ip, port: null };
  const port = parseUint(portText, 65535);
  return port === null ? null : { ip, port };
}

/** A decimal unsigned integer ≤ max, or null. */
export function parseUint(text: string, max = Number.MAX_SAFE_INTEGER): number | null {
  if (!/^\d{1,16}$/.test(text)) return null;
  const n = Number(text);
  return n <= max ? n : null;
}

/**
 * A number as ipvsadm's print_largenum writes it: exact below 10^8, else truncated with a
 * K/M/G/T suffix (thousands, millions, ...). Returns the lower bound and whether it was truncated.
 */
export function parseLargeNum(text: string): { value: number; approximate: boolean } | null {
  const m = /^(\d+)([KMGT]?)$/.exec(text);
  if (!m) return null;
  const scale: Record<string, number> = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return { value: Number(m[1]) * (scale[m[2] ?? ''] ?? 1), approximate: m[2] !== '' };
}

/**
 * Scheduler flags as ipvsadm's -b takes and prints them: `flag-1..3` and the sh/mh aliases
 * (IP_VS_SVC_F_SCHED1 = fallback, SCHED2 = port, include/uapi/linux/ip_vs.h).
 */
export function parseSchedFlags(names: readonly string[]): { flags: SchedFlags; unknown: string[] } {
  let fallback = false;
  let port = false;
  let flag3 = false;
  const unknown: string[] = [];
  for (const n of names) {
    if (n === 'flag-1' || n === 'sh-fallback' || n === 'mh-fallback') fallback = true;
    else if (n === 'flag-2' || n === 'sh-port' || n === 'mh-port') port = true;
    else if (n === 'flag-3') flag3 = true;
    else unknown.push(n);
  }
  return { flags: { names, fallback, port, flag3 }, unknown };
}

export const NO_SCHED_FLAGS: SchedFlags = { names: [], fallback: false, port: false, flag3: false };

/** Persistence timeout when `-p` has no value: ipvsadm(8), "The default persistent timeout value is 300 seconds". */
export const DEFAULT_PERSISTENT_TIMEOUT = 300;

/**
 * Persistence from a timeout and an optional -M / `mask` value: dotted mask for IPv4, prefix length
 * for IPv6 (ipvsadm prints `-M %i` for AF_INET6).
 */
export function persistenceOf(timeout: number, maskText: string | null, family: 4 | 6): Persistence | null {
  const max = family === 4 ? 32 : 128;
  if (maskText === null) return { timeout, netmask: family === 4 ? '255.255.255.255' : '128', prefix: max };
  if (/^\d{1,3}$/.test(maskText)) {
    const p = Number(maskText);
    return p <= max ? { timeout, netmask: maskText, prefix: p } : null;
  }
  const ip = parseIP(maskText);
  if (!ip || ip.family !== family) return null;
  const p = maskToPrefix(ip);
  return p === null ? null : { timeout, netmask: maskText, prefix: p };
}
