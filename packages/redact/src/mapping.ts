/** What a pseudonym stands for; each kind has its own numbering (`ns-1`, `svc-1`, …). */
export type NameKind = 'namespace' | 'service' | 'node' | 'pod' | 'collection' | 'cluster' | 'context' | 'host' | 'uid' | 'other';

/** The order a name found in free text is looked up in, and each kind's pseudonym prefix. */
export const NAME_KINDS: readonly NameKind[] = ['namespace', 'service', 'node', 'pod', 'collection', 'cluster', 'context', 'host', 'uid', 'other'];
export const NAME_PREFIX: Readonly<Record<NameKind, string>> = {
  namespace: 'ns',
  service: 'svc',
  node: 'node',
  pod: 'pod',
  collection: 'collection',
  cluster: 'cluster',
  context: 'context',
  host: 'host',
  uid: 'uid',
  other: 'obj',
};

/**
 * Everything needed to redact more text the same way (labels of an exported picture): the seed keys
 * the address permutation, so addresses not seen while redacting map consistently too. It is the
 * key to undo the redaction: keep it with the original, never with the redacted file.
 */
export interface RedactionMapping {
  readonly seed: string;
  /** Address ranges kept as they are, beyond SPECIAL_CIDRS. */
  readonly keepCidrs: readonly string[];
  /** Original → pseudonym, per kind. Kept names are absent. */
  readonly names: { readonly [K in NameKind]: Readonly<Record<string, string>> };
  /** kube-proxy iptables chain names (KUBE-SVC/SVL/EXT/FW/SEP/XLB-*), original → recomputed. */
  readonly chains: Readonly<Record<string, string>>;
  /**
   * Where the snapshot's public IPv4 addresses and ranges went in the documentation ranges
   * (planPublicV4); absent when they did not fit (more than 768), and they were permuted instead.
   */
  readonly publicPlan?: Readonly<Record<string, string>>;
  /** The addresses and CIDRs met while redacting, original text → redacted text (for people). */
  readonly addresses: Readonly<Record<string, string>>;
}

/** Names and ranges that stay as they are. */
export interface KeepOptions {
  /** Default: the namespaces every cluster has (default, kube-system, kube-public, kube-node-lease). */
  readonly namespaces?: readonly string[];
  /** Default: kubernetes and kube-dns, which every cluster has. */
  readonly services?: readonly string[];
  /** Any other names to keep, of any kind. */
  readonly names?: readonly string[];
  /** Address ranges to keep (say a public load balancer everybody knows). */
  readonly cidrs?: readonly string[];
}

export const DEFAULT_KEEP_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
export const DEFAULT_KEEP_SERVICES: readonly string[] = ['kubernetes', 'kube-dns'];
