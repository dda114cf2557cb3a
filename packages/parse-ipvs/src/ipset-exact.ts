import type { IpSet, IpSetMember } from './ipset-types';
import { pendingPlainMembers } from './parse-ipset';
import { lineEnd } from './source-text';

/**
 * The key {@link exactMemberTest} takes for a tuple: address, protocol, port and second address
 * (`10.96.0.10|tcp|80|`), empty where the set has no such dimension.
 */
export function exactMemberKey(ip: { readonly text: string } | undefined, proto: string | undefined, port: number | undefined, ip2: { readonly text: string } | undefined): string {
  return `${ip?.text ?? ''}|${proto ?? ''}|${port ?? ''}|${ip2?.text ?? ''}`;
}

/**
 * Tests this many keys by reading the members in place before hashing them all: a one-off trace
 * asks a set a handful of times, a server answering many traces gets the hash after that.
 */
const SCANS_BEFORE_HASHING = 32;

interface ExactState {
  keys: Set<string> | null;
  scans: number;
}

const cache = new WeakMap<IpSet, ExactState | null>();

/**
 * Membership of a hash:ip / hash:ip,port / hash:ip,port,ip set by exact key (the kernel hashes
 * them too; kube-proxy's KUBE-CLUSTER-IP holds one member per Service port): a test of
 * {@link exactMemberKey}s, or null when some member is not an exact tuple (nets, ranges, nomatch,
 * unread lines): ask ipsetMatch then. Members parseIpset has not read into objects yet are
 * compared as text.
 */
export function exactMemberTest(set: IpSet): ((key: string) => boolean) | null {
  let st = cache.get(set);
  if (st === undefined) {
    st = exactShape(set) ? { keys: null, scans: 0 } : null;
    cache.set(set, st);
  }
  if (!st) return null;
  const state = st;
  return (key) => {
    if (!state.keys && state.scans++ < SCANS_BEFORE_HASHING && pendingPlainMembers(set)) return scan(set, key);
    state.keys ??= allKeys(set);
    return state.keys.has(key);
  };
}

/** The members of {@link exactMemberTest}'s sets as keys (for tests and callers that want them all). */
export function exactMemberKeys(set: IpSet): ReadonlySet<string> | null {
  return exactShape(set) ? allKeys(set) : null;
}

function exactShape(set: IpSet): boolean {
  const shape = set.dimensions?.join(',');
  if (set.method !== 'hash' || (shape !== 'ip' && shape !== 'ip,port' && shape !== 'ip,port,ip') || set.unparsedMembers.length > 0) return false;
  const pending = pendingPlainMembers(set);
  return (pending ? pending.read : set.members).every((m) => memberKey(m) !== null);
}

function memberKey(m: IpSetMember): string | null {
  const [a, p, b] = m.elements;
  const ok = !m.nomatch && a?.kind === 'ip' && (p === undefined || (p.kind === 'port' && p.port === p.portEnd && p.proto !== null)) && (b === undefined || b.kind === 'ip');
  return ok ? exactMemberKey(a.ip, p?.kind === 'port' ? p.proto! : undefined, p?.kind === 'port' ? p.port : undefined, b?.kind === 'ip' ? b.ip : undefined) : null;
}

function allKeys(set: IpSet): Set<string> {
  const pending = pendingPlainMembers(set);
  const keys = new Set<string>();
  for (const m of pending ? pending.read : set.members) keys.add(memberKey(m)!);
  if (pending) {
    const { text, at, prefixLength } = pending;
    for (let i = 0; i < at.length; i += 2) {
      const start = at[i]! + prefixLength;
      keys.add(plainKey(text, start, lineEnd(text, start)));
    }
  }
  return keys;
}

/**
 * A pending member `A.B.C.D,proto:PORT` (plain-ipset-member.ts: each part as it prints) as a key:
 * its text with `|` for its separators, and an empty second address.
 */
function plainKey(text: string, start: number, end: number): string {
  const comma = text.indexOf(',', start);
  const colon = text.indexOf(':', comma);
  return `${text.slice(start, comma)}|${text.slice(comma + 1, colon)}|${text.slice(colon + 1, end)}|`;
}

/** Whether `key` is the plain member from `start` to `end`, compared in place (see {@link plainKey}). */
function isPlainKey(key: string, text: string, start: number, end: number): boolean {
  const n = end - start;
  if (key.length !== n + 1 || key.charCodeAt(n) !== 124) return false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(start + i);
    if (key.charCodeAt(i) !== (c === 44 || c === 58 ? 124 : c)) return false; // ',' and ':' are '|'
  }
  return true;
}

/** Whether a set with pending members holds `key`, read in place. */
function scan(set: IpSet, key: string): boolean {
  const pending = pendingPlainMembers(set);
  if (!pending) return allKeys(set).has(key);
  for (const m of pending.read) if (memberKey(m) === key) return true;
  const { text, at, prefixLength } = pending;
  for (let i = 0; i < at.length; i += 2) {
    const start = at[i]! + prefixLength;
    if (isPlainKey(key, text, start, lineEnd(text, start))) return true;
  }
  return false;
}
