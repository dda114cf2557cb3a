import { detectProxyMode } from '@svcpath/proxy-layout';
import type { Ruleset } from '@svcpath/ruleset';
import { bucketHashes, bucketOf, portHash } from './digest-hash';
import { BUCKETS, type NodeDigest, type PortState } from './model';
import { readPortStates } from './read-port-states';

export interface NodeDigestOptions {
  readonly node: string;
  readonly backend?: 'legacy' | 'nft' | null;
  /**
   * Which buckets to send in full: `'all'`, a list, or none (the default: bucket hashes only,
   * a few kilobytes whatever the cluster's size).
   */
  readonly detail?: 'all' | readonly number[];
  /** Notes from reading the dumps (parse errors), passed through. */
  readonly notes?: readonly string[];
}

/** Digests of the modes whose rules name ServicePorts; IPVS only names virtual services. */
const DIGESTIBLE = new Set(['iptables', 'nftables']);

/**
 * A node's compact digest: its proxy mode and one hash per bucket of Service ports, plus the full
 * state of the requested buckets' ports. Made on the node, so only the digest crosses the network.
 */
export function makeNodeDigest(rs: Ruleset, o: NodeDigestOptions): NodeDigest {
  const mode = detectProxyMode(rs).mode;
  const notes = [...(o.notes ?? [])];
  if (!DIGESTIBLE.has(mode)) notes.push(`kube-proxy mode ${mode}: no per-Service digest (only iptables and nftables modes name ServicePorts in their rules)`);
  const states = DIGESTIBLE.has(mode) ? readPortStates(rs) : new Map<string, PortState>();
  return digestOfStates(states, { ...o, notes, mode });
}

/** The digest of port states already read (the aggregator's expected side uses the same hashing). */
export function digestOfStates(
  states: ReadonlyMap<string, PortState>,
  o: NodeDigestOptions & { readonly mode: NodeDigest['mode'] },
): NodeDigest {
  const hashes = new Map<string, string>();
  for (const [name, s] of states) hashes.set(name, portHash(s));
  const detailBuckets = o.detail === 'all' ? Array.from({ length: BUCKETS }, (_, i) => i) : [...(o.detail ?? [])].sort((a, b) => a - b);
  const wanted = new Set(detailBuckets);
  const detail: Record<string, PortState> = {};
  for (const [name, s] of states) if (wanted.has(bucketOf(name))) detail[name] = s;
  return {
    kind: 'node-digest',
    version: 1,
    node: o.node,
    mode: o.mode,
    backend: o.backend ?? null,
    portCount: states.size,
    buckets: bucketHashes(hashes),
    ...(detailBuckets.length > 0 ? { detail, detailBuckets } : {}),
    notes: o.notes ?? [],
  };
}
