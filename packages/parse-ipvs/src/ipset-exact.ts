import type { IpSet } from './ipset-types';
import { pendingPlainMembers } from './parse-ipset';
import { lineEnd } from './source-text';

/**
 * The key {@link exactMemberKeys} holds for a tuple: address, protocol, port and second address
 * (`10.96.0.10|tcp|80|`), empty where the set has no such dimension.
 */
export function exactMemberKey(ip: { readonly text: string } | undefined, proto: string | undefined, port: number | undefined, ip2: { readonly text: string } | undefined): string {
  return `${ip?.text ?? ''}|${proto ?? ''}|${port ?? ''}|${ip2?.text ?? ''}`;
}

const cache = new WeakMap<IpSet, ReadonlySet<string> | null>();

/**
 * The members of a hash:ip / hash:ip,port / hash:ip,port,ip set as exact keys (the kernel hashes
 * them too; kube-proxy's KUBE-CLUSTER-IP holds one member per Service port), or null when some
 * member is not an exact tuple (nets, ranges, nomatch, unread lines): ask ipsetMatch then. Members
 * parseIpset has not read into objects yet give their keys from their text.
 */
export function exactMemberKeys(set: IpSet): ReadonlySet<string> | null {
  if (cache.has(set)) return cache.get(set)!;
  const keys = readKeys(set);
  cache.set(set, keys);
  return keys;
}

function readKeys(set: IpSet): Set<string> | null {
  const shape = set.dimensions?.join(',');
  if (set.method !== 'hash' || (shape !== 'ip' && shape !== 'ip,port' && shape !== 'ip,port,ip') || set.unparsedMembers.length > 0) return null;
  const pending = pendingPlainMembers(set);
  const keys = new Set<string>();
  for (const m of pending ? pending.read : set.members) {
    const [a, p, b] = m.elements;
    const ok = !m.nomatch && a?.kind === 'ip' && (p === undefined || (p.kind === 'port' && p.port === p.portEnd && p.proto !== null)) && (b === undefined || b.kind === 'ip');
    if (!ok) return null;
    keys.add(exactMemberKey(a.ip, p?.kind === 'port' ? p.proto! : undefined, p?.kind === 'port' ? p.port : undefined, b?.kind === 'ip' ? b.ip : undefined));
  }
  if (pending) {
    // `A.B.C.D,proto:PORT`, each part as it prints (plain-ipset-member.ts): the key is that text
    // with `|` for its separators, and an empty second address.
    const { text, at, prefixLength } = pending;
    for (let i = 0; i < at.length; i += 2) {
      const start = at[i]! + prefixLength;
      const end = lineEnd(text, start);
      const comma = text.indexOf(',', start);
      const colon = text.indexOf(':', comma);
      keys.add(`${text.slice(start, comma)}|${text.slice(comma + 1, colon)}|${text.slice(colon + 1, end)}|`);
    }
  }
  return keys;
}
