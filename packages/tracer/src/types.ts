import type { IP } from '@svcpath/netaddr';
import type { Hook } from '@svcpath/ruleset';

export type L4Proto = 'tcp' | 'udp' | 'sctp';

/** The first packet of a new connection, as the user describes it. */
export interface PacketSpec {
  readonly src: IP;
  readonly dst: IP;
  readonly dport: number;
  readonly proto: L4Proto;
  /** Defaults to an ephemeral port (40000) where a rule asks. */
  readonly sport?: number;
  /** The interface the packet arrives on (pods: their veth or cni0; outside: eth0). */
  readonly inIface?: string;
}

/** One entry of an xt_recent list: an address seen `ageSeconds` ago, `hits` times. */
export interface RecentEntry {
  readonly addr: IP;
  readonly ageSeconds: number;
  readonly hits?: number;
}

/** Recent lists by name (`/proc/net/xt_recent/<name>`), as the caller knows them. */
export type RecentState = ReadonlyMap<string, readonly RecentEntry[]>;

/** What the node knows that the rules don't say. */
export interface TraceEnv {
  /** The node's own addresses; 127.0.0.0/8 and ::1 are always local. */
  readonly localAddresses: readonly IP[];
  /** The state of xt_recent lists; empty for a first connection. */
  readonly recent?: RecentState;
  /** The interface the packet leaves by, when known (routing is not modelled). */
  readonly outIface?: string;
  /** A client that reached this endpoint (`ip:port`) within the affinity timeout (IPVS persistence). */
  readonly returningTo?: string;
  /** ipset membership, when ipset data is known; null means unknown. */
  readonly ipsetTest?: (name: string, dir: readonly ('src' | 'dst')[], packet: PacketView) => boolean | null;
  /**
   * Which iptables the node runs, when known (`iptables-save v1.8.9 (nf_tables)` vs `(legacy)`).
   * It decides whether deep jump nesting loads at all: iptables-nft refuses it, iptables-legacy does not.
   */
  readonly iptablesBackend?: 'nft' | 'legacy';
}

/**
 * Bounds on one trace, so no ruleset can make it run away. Packages keep no clock: the caller
 * injects `now` (milliseconds) for the time budget.
 */
export interface TraceLimits {
  /** Rule evaluations over all branches (default 2,000,000). */
  readonly maxSteps?: number;
  /** Distinct outcomes (default 10,000). */
  readonly maxOutcomes?: number;
  /** Wall time, read from `now` (no default: without `now` there is no time budget). */
  readonly maxMillis?: number;
  readonly now?: () => number;
}

/** What a match sees of the packet at the moment it is evaluated. */
export interface PacketView {
  readonly src: IP;
  readonly dst: IP;
  readonly sport: number;
  readonly dport: number;
  readonly proto: L4Proto;
}

/** `UNKNOWN`: the walk reached a part of the node the paste does not show (see `Outcome.notShown`). */
export type Verdict = 'DNAT' | 'ACCEPT' | 'REJECT' | 'DROP' | 'UNKNOWN';

/**
 * `traced`: every rule on the path was in the dump (or assumed, as listed). `endpoint-not-shown`: a
 * DNAT to an endpoint whose chain the paste cut off. `unknown`: the walk reached a chain or target
 * the paste does not show; nothing is guessed past it.
 */
export type OutcomeKind = 'traced' | 'endpoint-not-shown' | 'unknown';

/** One rule that matched and acted on the packet's way. */
export interface PathStep {
  readonly hook: Hook;
  readonly table: string;
  readonly chain: string;
  /** 1-based rule index in the chain; 0 for a chain policy. */
  readonly rule: number;
  /** Line in the dump (0 for rules the tracer assumed). */
  readonly line: number;
  readonly file: string;
  /** What the rule did: `jump KUBE-SVC-…`, `DNAT 10.1.0.5:80`, `MARK or 0x4000`, `policy DROP`. */
  readonly action: string;
  /** The share of traffic taking this branch at this rule, when the rule is probabilistic. */
  readonly branchProbability?: number;
  readonly assumed?: boolean;
  /** The comment of the set element that decided a verdict-map lookup (nft). */
  readonly elementComment?: string;
}

export interface Outcome {
  readonly kind: OutcomeKind;
  readonly probability: number;
  readonly verdict: Verdict;
  /** `ip:port` after DNAT; null when not translated. */
  readonly destination: string | null;
  /** Where an accepted packet goes: to a process on the node, or out of it. */
  readonly delivery: 'local' | 'forward' | null;
  readonly masquerade: boolean;
  readonly snat: string | null;
  /** The ServicePortName (`ns/svc:port`) whose rules decided this outcome, or its chain name. */
  readonly service: string | null;
  readonly rejectWith?: string;
  readonly path: readonly PathStep[];
  /** Rules whose matches the kernel evaluates on this path (the O(n) cost of iptables). */
  readonly rulesEvaluated: number;
  /** Set when the path records the client in an xt_recent list (ClientIP session affinity). */
  readonly affinity?: { readonly seconds: number | null; readonly list: string };
  /** What the tracer could not know and assumed, in words. */
  readonly assumptions: readonly string[];
  /** Final packet mark, hex. */
  readonly mark: string;
  /** For `endpoint-not-shown` and `unknown`: what is missing and the command that would show it. */
  readonly notShown?: { readonly subject: string; readonly endpoint: string | null; readonly reason: string; readonly command: string };
  /**
   * Other paths that reached the same packet state and verdict, folded into this outcome (their
   * probabilities added); `path` is the likeliest of them.
   */
  readonly mergedPaths?: number;
}

/**
 * Why a trace has no outcomes. `RULESET_JUMP_LOOP` and `RULESET_JUMP_TOO_DEEP`: the kernel would
 * refuse to load the ruleset (`backend` says which loader decides); `TRACE_BUDGET_EXCEEDED`: the
 * trace hit one of its limits.
 */
export interface TraceError {
  readonly code: 'RULESET_JUMP_LOOP' | 'RULESET_JUMP_TOO_DEEP' | 'TRACE_BUDGET_EXCEEDED';
  readonly message: string;
  /** Where the refused rule is; empty file and line 0 for budget errors. */
  readonly file: string;
  readonly line: number;
  /** The loader that refuses the ruleset. */
  readonly backend?: 'iptables-legacy, iptables-nft and nft' | 'iptables-nft' | 'nft';
}

export interface TraceResult {
  readonly packet: { src: string; dst: string; dport: number; proto: L4Proto };
  readonly origin: 'node' | 'external';
  readonly outcomes: readonly Outcome[];
  /** Assumptions made for the ruleset as a whole (synthesized hook jumps). */
  readonly assumptions: readonly string[];
  /** Set when there is no answer: the kernel would refuse the ruleset, or the trace hit a limit. */
  readonly error?: TraceError;
}
