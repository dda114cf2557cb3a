import { BUCKETS, type PortState } from './model';

/**
 * 64 bits of FNV-1a (two 32-bit lanes with different offset bases) as 16 hex digits. Not
 * cryptographic: it tells equal from different, and a chance collision (2⁻⁶⁴ per comparison) would
 * only hide one node's drift until its next digest.
 */
export function hash64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 13);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** The bucket a Service port falls in, by its name alone, so both sides agree without talking. */
export function bucketOf(portName: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < portName.length; i++) h = Math.imul(h ^ portName.charCodeAt(i), 0x01000193);
  return (h >>> 0) % BUCKETS;
}

/**
 * The one text a port state is hashed from. Shares are left out when equal (kube-proxy always
 * splits evenly; the kernel's rounding of 1/n would make exact figures differ by mode).
 */
export function canonicalPortState(s: PortState): string {
  const shares = s.unequalShares.map((u) => `${u.policy[0]}${u.endpoint}=${u.share.toFixed(4)}`).join(',');
  return `${s.clusterIP ?? '-'}|${s.nodePort ?? '-'}|${s.affinitySeconds ?? '-'}|${s.cluster.join(',')}|${s.local.join(',')}|${shares}`;
}

/** The hash of one port's state. */
export function portHash(s: PortState): string {
  return hash64(canonicalPortState(s));
}

/**
 * The hashes of every bucket of a node's ports, given each port's hash. A bucket's hash covers the
 * sorted `name=hash` lines of its ports, so a port added, removed or changed changes it.
 */
export function bucketHashes(portHashes: ReadonlyMap<string, string>): string[] {
  const lines: [string, string][][] = Array.from({ length: BUCKETS }, () => []);
  for (const entry of portHashes) lines[bucketOf(entry[0])]!.push(entry);
  return lines.map(bucketHash);
}

/** The hash of one bucket from its ports' `[name, hash]` pairs, in any order. */
export function bucketHash(entries: readonly (readonly [string, string])[]): string {
  return hash64(entries.map(([name, h]) => `${name}=${h}`).sort().join('\n'));
}
