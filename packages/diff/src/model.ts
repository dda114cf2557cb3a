import type { Hook, Ruleset } from '@svcpath/ruleset';
import type { Verdict } from '@svcpath/tracer';

/** One side of a diff: a node's rules as one snapshot (or set of dumps) holds them. */
export interface DiffSide {
  /** How the side is named in reports: a snapshot id, a file name, `iptables`, … */
  readonly label: string;
  readonly ruleset: Ruleset;
  /** The node's own addresses (NodePorts, node-originated traffic); may be empty. */
  readonly nodeIPs: readonly string[];
}

/** A rule a change is seen in: where it is in its dump, and what it says. */
export interface RuleLine {
  readonly file: string;
  readonly line: number;
  /** `table/chain` (nft: `family table/chain`), or `ipvs/…` for a virtual service. */
  readonly chain: string;
  /** The rule as written, or what it did when its text is not at hand (`policy DROP`). */
  readonly text: string;
}

/** The rule lines a change rests on, in the before and the after dump. */
export interface Evidence {
  readonly before: readonly RuleLine[];
  readonly after: readonly RuleLine[];
}

/** Where a probe packet enters a Service port. */
/** `wrong-port`: the ClusterIP on a port the Service does not define. */
export type EntryKind = 'cluster-ip' | 'wrong-port' | 'node-port' | 'external-ip' | 'load-balancer-ip';

/** Where a probe packet comes from: a Pod on the node, the node itself, a host outside the cluster. */
export type ProbeOrigin = 'pod' | 'node' | 'outside';

/** One packet traced on both sides. */
export interface Probe {
  readonly entry: EntryKind;
  readonly from: ProbeOrigin;
  readonly src: string;
  readonly dst: string;
  readonly dport: number;
  readonly proto: 'tcp' | 'udp' | 'sctp';
}

/** What the probes of one side saw for one destination, summed over the trace's outcomes. */
export interface FlowOutcome {
  readonly verdict: Verdict;
  /** `ip:port` after DNAT, null when not translated. */
  readonly destination: string | null;
  readonly delivery: 'local' | 'forward' | null;
  readonly share: number;
  /** The part of `share` that is masqueraded (or SNATed). */
  readonly masqueradedShare: number;
  /** The path of one of the outcomes, as rule lines. */
  readonly path: readonly RuleLine[];
}

/** A probe's outcomes on one side. */
export interface ProbeResult {
  readonly probe: Probe;
  readonly outcomes: readonly FlowOutcome[];
}

/** The address roles a Service port answers on besides its ClusterIP. */
export type AddressRole = 'external-ip' | 'load-balancer-ip';

/**
 * One change to one Service port. Shares are fractions (0–1) of new connections; a probe names
 * the packet that shows the change.
 */
export type ServicePortChange =
  | { readonly kind: 'service-port-added'; readonly endpoints: readonly string[]; readonly evidence: Evidence }
  | { readonly kind: 'service-port-removed'; readonly endpoints: readonly string[]; readonly evidence: Evidence }
  | { readonly kind: 'endpoint-added'; readonly endpoint: string; readonly share: number; readonly evidence: Evidence }
  | { readonly kind: 'endpoint-removed'; readonly endpoint: string; readonly share: number; readonly evidence: Evidence }
  | { readonly kind: 'share-changed'; readonly endpoint: string; readonly before: number; readonly after: number; readonly evidence: Evidence }
  | { readonly kind: 'affinity-changed'; readonly before: number | null; readonly after: number | null; readonly evidence: Evidence }
  | { readonly kind: 'node-port-changed'; readonly before: number | null; readonly after: number | null; readonly evidence: Evidence }
  | { readonly kind: 'address-added'; readonly role: AddressRole; readonly address: string; readonly evidence: Evidence }
  | { readonly kind: 'address-removed'; readonly role: AddressRole; readonly address: string; readonly evidence: Evidence }
  | { readonly kind: 'verdict-added'; readonly verdict: 'REJECT' | 'DROP'; readonly probe: Probe; readonly share: number; readonly evidence: Evidence }
  | { readonly kind: 'verdict-removed'; readonly verdict: 'REJECT' | 'DROP'; readonly probe: Probe; readonly share: number; readonly evidence: Evidence }
  | { readonly kind: 'masquerade-changed'; readonly probe: Probe; readonly before: number; readonly after: number; readonly evidence: Evidence }
  | { readonly kind: 'reachability-changed'; readonly probe: Probe; readonly before: string; readonly after: string; readonly evidence: Evidence };

export type ServicePortChangeKind = ServicePortChange['kind'];

/** A change of the node as a whole. */
export type NodeChange =
  | { readonly kind: 'foreign-rule-added'; readonly hook: Hook; readonly evidence: Evidence }
  | { readonly kind: 'foreign-rule-removed'; readonly hook: Hook; readonly evidence: Evidence };

/** The changes of one Service port, named as the rules name it. */
export interface ServicePortDiff {
  /** The ServicePortName (`ns/svc:port`), or `ipvs/tcp:ip:port` when only IPVS names it. */
  readonly portName: string;
  /** How the two sides were matched: `tcp 172.30.0.10:80`, or the ServicePortName. */
  readonly key: string;
  readonly changes: readonly ServicePortChange[];
}

/** What changed between two dumps of one node, in Service terms. */
export interface DiffReport {
  readonly before: { readonly label: string; readonly mode: string };
  readonly after: { readonly label: string; readonly mode: string };
  /** Only the Service ports that changed, sorted by name. */
  readonly servicePorts: readonly ServicePortDiff[];
  readonly node: readonly NodeChange[];
  /** How many Service ports were compared, and what the probes assumed. */
  readonly compared: number;
  readonly notes: readonly string[];
}
