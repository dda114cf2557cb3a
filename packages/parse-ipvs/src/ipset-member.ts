import { parseCidr, parseIP } from '@svcpath/netaddr';
import type { SetDimension, SetElement } from './ipset-types';

/** `hash:ip,port,net` → method and dimensions; null for names ipset does not have. */
export function parseSetType(type: string): { method: 'hash' | 'bitmap' | 'list'; dimensions: SetDimension[] } | null {
  const m = /^(hash|bitmap|list):([a-z,]+)$/.exec(type);
  if (!m) return null;
  const dims = m[2]!.split(',');
  const known: SetDimension[] = ['ip', 'net', 'port', 'mac', 'iface', 'mark', 'set'];
  if (!dims.every((d) => (known as string[]).includes(d))) return null;
  return { method: m[1] as 'hash' | 'bitmap' | 'list', dimensions: dims as SetDimension[] };
}

const PROTOS = new Set(['tcp', 'udp', 'sctp', 'udplite', 'icmp', 'icmpv6', 'tcpudp']);

function parsePort(text: string, bitmap: boolean): SetElement | null {
  let proto: string | null = bitmap ? null : 'tcp'; // ipset: a port without protocol means tcp
  let rest = text;
  const colon = text.indexOf(':');
  if (colon >= 0) {
    proto = text.slice(0, colon).toLowerCase();
    rest = text.slice(colon + 1);
    if (!PROTOS.has(proto) && !/^\d+$/.test(proto)) return null;
  }
  const r = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(rest);
  if (!r) return null;
  const port = Number(r[1]);
  const portEnd = r[2] === undefined ? port : Number(r[2]);
  return port <= 65535 && portEnd <= 65535 && portEnd >= port ? { kind: 'port', proto, port, portEnd } : null;
}

function parseElement(dim: SetDimension, text: string, bitmap: boolean): SetElement | null {
  switch (dim) {
    case 'ip': {
      if (text.includes('/')) {
        const c = parseCidr(text);
        return c ? { kind: 'net', cidr: c } : null;
      }
      const dash = text.indexOf('-');
      if (dash > 0) {
        const from = parseIP(text.slice(0, dash));
        const to = parseIP(text.slice(dash + 1));
        return from && to ? { kind: 'ip-range', from, to } : null;
      }
      const ip = parseIP(text);
      return ip ? { kind: 'ip', ip } : null;
    }
    case 'net': {
      const c = parseCidr(text);
      return c ? { kind: 'net', cidr: c } : null;
    }
    case 'port':
      return parsePort(text, bitmap);
    case 'mac':
      return /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(text) ? { kind: 'mac', mac: text.toLowerCase() } : null;
    case 'iface':
      return text.startsWith('physdev:') ? { kind: 'iface', name: text.slice(8), physdev: true } : { kind: 'iface', name: text, physdev: false };
    case 'mark': {
      const n = Number(text);
      return Number.isInteger(n) && n >= 0 ? { kind: 'mark', mark: n } : null;
    }
    case 'set':
      return { kind: 'set', name: text };
    default: {
      const never: never = dim;
      return never;
    }
  }
}

/** Splits `10.96.0.1,tcp:443` into one element per dimension (IPv6 uses ':' but never ','). */
export function parseMemberElements(text: string, dims: readonly SetDimension[], bitmap: boolean): SetElement[] | null {
  // bitmap:ip,mac members may omit the MAC; list:set members are a single set name.
  const parts = text.split(',');
  if (parts.length !== dims.length) return null;
  const out: SetElement[] = [];
  for (let i = 0; i < dims.length; i++) {
    const e = parseElement(dims[i]!, parts[i]!, bitmap);
    if (!e) return null;
    out.push(e);
  }
  return out;
}

/** Whitespace tokens, keeping "double quoted" comments whole (quotes removed). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] !== undefined ? m[1].replace(/\\"/g, '"') : m[2]!);
  return out;
}
