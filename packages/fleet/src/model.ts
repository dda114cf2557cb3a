import type { ProxyMode } from '@svcpath/proxy-layout';

/**
 * One Service port as a node programs it, in terms every proxy mode shares (no chain names, no
 * node addresses), so the same state read from iptables and from nftables rules compares equal.
 */
export interface PortState {
  /** `ip:port/proto` of the ClusterIP, or null when the rules do not show one. */
  readonly clusterIP: string | null;
  readonly nodePort: number | null;
  /** ClientIP affinity timeout, null without affinity. */
  readonly affinitySeconds: number | null;
  /** `ip:port` of each endpoint Cluster traffic policy picks from, sorted. */
  readonly cluster: readonly string[];
  /** `ip:port` of each endpoint Local traffic policy picks from (eTP/iTP Local), sorted. */
  readonly local: readonly string[];
  /** Endpoints whose share of new connections is not 1/n of their list; empty when all are equal. */
  readonly unequalShares: readonly UnequalShare[];
}

/** An endpoint kube-proxy would weigh 1/n that the rules weigh differently. */
export interface UnequalShare {
  readonly policy: 'cluster' | 'local';
  readonly endpoint: string;
  /** The fraction (0–1) of new connections the rules send it. */
  readonly share: number;
}

/** Buckets a digest's Service ports are hashed into: one screen of hashes, a few kilobytes. */
export const BUCKETS = 256;

/**
 * What one node sends: a hash per bucket of Service ports (always), and, on request, each port's
 * hash and its full {@link PortState} for some or all buckets. The aggregator compares bucket
 * hashes first and needs ports only for the buckets that disagree.
 */
export interface NodeDigest {
  readonly kind: 'node-digest';
  readonly version: 1;
  readonly node: string;
  readonly mode: ProxyMode;
  /** The iptables backend the rules were read from, when iptables was read. */
  readonly backend: 'legacy' | 'nft' | null;
  /** How many Service ports the rules hold. */
  readonly portCount: number;
  /** {@link BUCKETS} hashes, bucket i covering the ports whose name hashes to i. */
  readonly buckets: readonly string[];
  /** ServicePortName (`ns/svc:port`) → its state, for the buckets in `detailBuckets`. */
  readonly detail?: Readonly<Record<string, PortState>>;
  /** Which buckets `detail` covers completely (all of them when it holds every port). */
  readonly detailBuckets?: readonly number[];
  /** What the node could not read, in words (unknown mode, IPVS, parse errors). */
  readonly notes: readonly string[];
}

/** One way a node's rules for one Service port differ from what the cluster state asks. */
export type Disagreement =
  | { readonly kind: 'missing-service' }
  | { readonly kind: 'stale-service' }
  | { readonly kind: 'missing-endpoint'; readonly policy: 'cluster' | 'local'; readonly endpoint: string }
  | { readonly kind: 'stale-endpoint'; readonly policy: 'cluster' | 'local'; readonly endpoint: string }
  | { readonly kind: 'wrong-shares'; readonly policy: 'cluster' | 'local'; readonly endpoint: string; readonly share: number; readonly expected: number }
  | { readonly kind: 'affinity'; readonly expected: number | null; readonly actual: number | null }
  | { readonly kind: 'node-port'; readonly expected: number | null; readonly actual: number | null }
  | { readonly kind: 'cluster-ip'; readonly expected: string | null; readonly actual: string | null };

export type DisagreementKind = Disagreement['kind'];

/** A node that could not be compared at all. */
export type NodeProblem =
  | { readonly kind: 'no-digest'; readonly node: string; readonly reason: string }
  | { readonly kind: 'unsupported-mode'; readonly node: string; readonly mode: ProxyMode }
  | { readonly kind: 'duplicate-digest'; readonly node: string };

/** Nodes that differ from the cluster state in the same way for one Service port. */
export interface DriftGroup {
  /** The disagreements, in a stable order; the same list for every node of the group. */
  readonly disagreements: readonly Disagreement[];
  /** Sorted node names. */
  readonly nodes: readonly string[];
}

/** One Service port that at least one node disagrees on. */
export interface PortDrift {
  readonly portName: string;
  /** Nodes compared for this port that agree with the cluster state. */
  readonly agree: number;
  readonly disagree: number;
  /** Largest group first. */
  readonly groups: readonly DriftGroup[];
}

/** The fleet answer: which nodes disagree with the cluster state, per Service port. */
export interface FleetReport {
  /** Nodes whose digests were compared. */
  readonly compared: number;
  /** Compared nodes that agree on every Service port. */
  readonly agreeing: number;
  /** How many compared nodes run each proxy mode. */
  readonly modes: Readonly<Partial<Record<ProxyMode, number>>>;
  /** Service ports the cluster state proxies. */
  readonly servicePorts: number;
  /** Only the ports some node disagrees on, most disagreeing nodes first. */
  readonly drift: readonly PortDrift[];
  /** Nodes that disagree, with how many ports each; most first. */
  readonly nodes: readonly { readonly node: string; readonly ports: number }[];
  /** Nodes with buckets that differ but whose digest has no detail for them: fetch it, then ask again. */
  readonly undetailed: readonly { readonly node: string; readonly buckets: readonly number[] }[];
  readonly problems: readonly NodeProblem[];
}
