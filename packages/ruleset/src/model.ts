import type { JumpGraph, Match, RuleKeys, Span, Target } from '@svcpath/parse-iptables';
import type { Cidr, IP } from '@svcpath/netaddr';
import type { IpSet, VirtualService } from '@svcpath/parse-ipvs';

/**
 * The dataplane-neutral ruleset the tracer walks. iptables dumps lower into it almost one to one
 * (their matches and targets are the vocabulary); nftables adds set lookups, verdict maps and
 * numgen maps. Every chain is identified by `table/chain` (for nft: `family table/chain`).
 */
export type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

export type Dataplane = 'iptables' | 'nftables' | 'ipvs';

/** A packet field a set or map lookup keys on (nft concatenations, ipset tuples). */
export type Field = 'saddr' | 'daddr' | 'l4proto' | 'sport' | 'dport' | 'iifname' | 'oifname' | 'mark';

/** One part of a set element key: an address or prefix, an address range, a protocol, ports, a name. */
export type KeyPart =
  | { kind: 'cidr'; cidr: Cidr }
  | { kind: 'range'; from: IP; to: IP }
  | { kind: 'proto'; proto: string }
  | { kind: 'ports'; from: number; to: number }
  | { kind: 'name'; name: string }
  | { kind: 'number'; from: number; to: number };

/** What a verdict-map element or a numgen branch does. */
export type MapVerdict =
  | { kind: 'jump'; chain: string }
  | { kind: 'goto'; chain: string }
  | { kind: 'ACCEPT' }
  | { kind: 'DROP' }
  | { kind: 'REJECT'; rejectWith: string }
  | { kind: 'RETURN' }
  | { kind: 'continue' };

export interface SetElement {
  readonly key: readonly KeyPart[];
  /** For maps: the verdict, or the DNAT address/port a numgen map yields. */
  readonly verdict?: MapVerdict;
  readonly value?: { addr: IP; port: number | null };
  readonly span?: Span;
  readonly comment?: string;
}

export interface NamedSet {
  readonly name: string;
  readonly fields: readonly Field[];
  readonly elements: readonly SetElement[];
  readonly span?: Span;
}

/** Conditions: the iptables vocabulary plus a lookup of packet fields in a named or inline set. */
export type Cond =
  | Match
  | { kind: 'lookup'; negate: boolean; fields: readonly Field[]; set: string; inline?: readonly SetElement[] };

/** Actions: iptables targets plus verdict maps and numgen branches (nft). */
export type Action =
  | Target
  | { kind: 'vmap'; fields: readonly Field[]; set: string; inline?: readonly SetElement[] }
  | { kind: 'numgen'; mod: number; branches: readonly { values: readonly number[]; verdict: MapVerdict }[] }
  | { kind: 'dnat-numgen'; mod: number; branches: readonly { values: readonly number[]; addr: IP; port: number | null }[] }
  | { kind: 'continue' }
  | NotShown;

/**
 * A part of the node the paste does not show, put where the walk reaches it (a jump to a chain that
 * is not in the paste, a target the printing iptables could not read). The tracer ends the branch
 * there with an outcome of this kind instead of guessing: `endpoint-not-shown` is a DNAT to an
 * endpoint whose KUBE-SEP chain was cut off (`endpoint` names it when other rules tell it),
 * `unknown` is anything else.
 */
export interface NotShown {
  readonly kind: 'not-shown';
  readonly outcome: 'endpoint-not-shown' | 'unknown';
  /** The chain (or rule) that is missing, verbatim. */
  readonly subject: string;
  /** `ip:port` (or just the ip) of the endpoint, when other rules of the paste tell it. */
  readonly endpoint: string | null;
  /** Why the answer is not known, in words. */
  readonly reason: string;
  /** The read-only command on the node whose output would settle it. */
  readonly command: string;
}

export interface RsRule {
  /** 1-based position in its chain. */
  readonly index: number;
  readonly span: Span;
  readonly raw: string;
  readonly conds: readonly Cond[];
  /** null: the rule only counts packets. */
  readonly action: Action | null;
  readonly comment: string | null;
  /** Further actions of one nft rule (`counter meta mark set ... jump x`): applied in order. */
  readonly extra?: readonly Action[];
  readonly assumed?: boolean;
  /**
   * The chain `action` jumps or goes to (null: none), when the rule can tell it without reading its
   * whole action: a lazily read iptables rule answers from its line (walking every jump of a
   * 10,000-Service dump then reads no rule body). Absent: read `action`.
   */
  jumpTarget?(): string | null;
  /**
   * `question`'s answer about `conds` and `action`, asked once for all the rules that read alike but
   * for their addresses, ports, probabilities, recent names, comments and jump targets (a lazily
   * read iptables rule's shape: see parse-iptables' LazyRule.byShape), so a scan of a large dump
   * reads and keeps no rule body. `question` must read none of those values, and be one function,
   * not a closure made per call. Absent: ask `conds` and `action`.
   */
  byShape?<T>(question: (rule: Pick<RsRule, 'conds' | 'action'>) => T): T;
  /**
   * The destinations `action` DNATs to, as written (`10.1.2.3:8080`; null: no DNAT), when the rule
   * can tell without building its action (a lazily read iptables rule of kube-proxy's endpoint
   * shape). Absent: read `action`.
   */
  natDestinations?(): readonly string[] | null;
  /**
   * The `-s`/`-d` conditions of `conds`, when the rule can tell them without reading its whole
   * body (a lazily read iptables rule of a shape whose addresses read plainly). Absent: filter `conds`.
   */
  addresses?(): readonly Extract<Cond, { kind: 'addr' }>[];
  /** The port conditions of `conds`, likewise (`--dport`, `--sport`, multiport). Absent: filter `conds`. */
  ports?(): readonly Extract<Cond, { kind: 'ports' }>[];
}

export interface RsChain {
  readonly id: string;
  readonly table: string;
  readonly name: string;
  readonly rules: readonly RsRule[];
  readonly span: Span | null;
  /** What a skip index keys its rules on, when known without reading them (see parse-iptables' RuleKeys). */
  ruleKeys?(): RuleKeys;
  /**
   * How many rules it has, and rule i (`rules[i]`) alone, when they can be read one by one (a scanned
   * dump's chain): a trace that skips most of a long chain then reads only the rules it evaluates.
   */
  readonly ruleCount?: number;
  rule?(i: number): RsRule;
}

/** How many rules `chain` has, without reading them when it can tell (see RsChain.ruleCount). */
export const ruleCountOf = (chain: RsChain): number => chain.ruleCount ?? chain.rules.length;

/** Rule i of `chain`, read alone when it can be (see RsChain.rule). */
export const ruleOf = (chain: RsChain, i: number): RsRule => (chain.rule ? chain.rule(i) : chain.rules[i]!);

/** A chain the kernel calls from a hook: an iptables built-in chain or an nft base chain. */
export interface BaseChain {
  readonly chainId: string;
  readonly hook: Hook;
  readonly priority: number;
  /**
   * `nat` chains run only for a connection's first packet, until one sets up a binding. `ipvs` is
   * the IPVS hook (ip_vs_remote_request at LOCAL_IN priority 98, ip_vs_local_request at LOCAL_OUT
   * priority -98): no chain, the virtual-service table decides.
   */
  readonly type: 'filter' | 'nat' | 'route' | 'ipvs';
  readonly policy: 'ACCEPT' | 'DROP';
  /** The IP families the chain sees (nft `ip`/`ip6` tables); absent means both. */
  readonly families?: readonly (4 | 6)[];
}

export interface Ruleset {
  readonly dataplane: Dataplane;
  readonly family: 4 | 6;
  readonly chains: ReadonlyMap<string, RsChain>;
  /** Base chains per hook, sorted by priority (ties keep registration order). */
  readonly hooks: Readonly<Record<Hook, readonly BaseChain[]>>;
  readonly sets: ReadonlyMap<string, NamedSet>;
  /** Notes on what was assumed while building (synthesized hook jumps for fragments). */
  readonly assumptions: readonly string[];
  /** The source files, for pointing back at lines. */
  readonly files: readonly string[];
  /** IPVS mode: the virtual services (ipvsadm) and the ipsets kube-proxy's rules match on. */
  readonly ipvs?: IpvsTables;
  /**
   * Every chain's jumps by number, when `chains` are exactly one scanned iptables dump's (see
   * parse-iptables' scan.ts) or one lazily read nft text's (nft-chains.ts): the tracer's structure
   * check then walks numbers, not rules.
   */
  readonly jumpGraph?: RsJumpGraph;
  /** Whether a rule matches kube-proxy's IPVS-mode ipsets, when a scan found out (see IptablesDump). */
  readonly kubeIpsetRules?: boolean;
}

/**
 * A ruleset's jumps by chain number: parse-iptables' JumpGraph without its lookup of an iptables
 * chain by number (an nft ruleset has none; chains are looked up by id in `Ruleset.chains`).
 */
export type RsJumpGraph = Omit<JumpGraph, 'chain'>;

export interface IpvsTables {
  readonly services: readonly VirtualService[];
  readonly sets: ReadonlyMap<string, IpSet>;
}

export const HOOKS: readonly Hook[] = ['prerouting', 'input', 'forward', 'output', 'postrouting'];
