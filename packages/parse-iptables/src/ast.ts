import type { Cidr, IP } from '@svcpath/netaddr';

/** Where something came from: the file the user gave us and the 1-based line in it. */
export interface Span {
  readonly file: string;
  readonly line: number;
}

export type Severity = 'error' | 'warning' | 'info';

/** Stable codes; each has a help anchor in docs/diagnostics.md. */
export type DiagnosticCode =
  | 'IPT_UNKNOWN_LINE'
  | 'IPT_PREFIX_STRIPPED'
  | 'IPT_SHELL_COMMAND'
  | 'IPT_RULE_BEFORE_TABLE'
  | 'IPT_TABLE_INFERRED'
  | 'IPT_UNKNOWN_MATCH'
  | 'IPT_UNKNOWN_OPTION'
  | 'IPT_UNKNOWN_TARGET'
  | 'IPT_BAD_VALUE'
  | 'IPT_UNQUOTED_COMMENT'
  | 'IPT_UNTERMINATED_QUOTE'
  | 'IPT_NO_COMMIT'
  | 'IPT_UNDECLARED_CHAIN'
  | 'IPT_MISSING_CHAIN'
  | 'IPT_BACKEND_NOTE'
  // What a paste is, when it is not a whole dump (paste.ts).
  | 'IPT_PARTIAL_PASTE'
  | 'IPT_LINES_MERGED'
  | 'IPT_LISTING_UNREAD'
  | 'IPT_UNSUPPORTED_REVISION'
  | 'IPT_DIFF_REMOVED';

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
}

export interface Counters {
  readonly packets: number;
  readonly bytes: number;
}

export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/**
 * One condition of a rule. `negate` mirrors iptables' `!`. Each kind is evaluated by the tracer
 * exactly as the kernel's match module does; `opaque` kinds are understood syntactically but depend
 * on state no dump shows (rates, sockets, owners), and `unknown` could not be read at all.
 */
export type Match =
  | { kind: 'addr'; dir: 'src' | 'dst'; negate: boolean; cidr: Cidr }
  | { kind: 'proto'; negate: boolean; proto: string }
  | { kind: 'iface'; dir: 'in' | 'out'; negate: boolean; name: string }
  | { kind: 'fragment'; negate: boolean }
  | { kind: 'ports'; proto: string; dir: 'src' | 'dst' | 'any'; negate: boolean; ranges: readonly PortRange[] }
  | { kind: 'tcp-flags'; negate: boolean; mask: readonly string[]; set: readonly string[] }
  | { kind: 'comment'; text: string }
  | { kind: 'statistic-random'; negate: boolean; probability: number; text: string }
  | { kind: 'statistic-nth'; negate: boolean; every: number; packet: number }
  | {
      kind: 'recent';
      negate: boolean;
      op: 'set' | 'rcheck' | 'update' | 'remove';
      name: string;
      seconds: number | null;
      reap: boolean;
      hitcount: number | null;
      rttl: boolean;
      side: 'src' | 'dst';
      mask: IP | null;
    }
  | { kind: 'mark'; which: 'packet' | 'conn'; negate: boolean; value: number; mask: number }
  | { kind: 'addrtype'; dir: 'src' | 'dst'; negate: boolean; types: readonly string[]; limitIface: 'in' | 'out' | null }
  | { kind: 'ctstate'; negate: boolean; states: readonly string[] }
  | { kind: 'ctstatus'; negate: boolean; statuses: readonly string[] }
  | { kind: 'ctaddr'; which: 'origsrc' | 'origdst' | 'replsrc' | 'repldst'; negate: boolean; cidr: Cidr }
  | { kind: 'ctport'; which: 'origsrc' | 'origdst' | 'replsrc' | 'repldst'; negate: boolean; ranges: readonly PortRange[] }
  | { kind: 'ctproto'; negate: boolean; proto: string }
  | { kind: 'ctdir'; dir: 'ORIGINAL' | 'REPLY' }
  | { kind: 'set'; negate: boolean; name: string; flags: readonly ('src' | 'dst')[] }
  | { kind: 'iprange'; dir: 'src' | 'dst'; negate: boolean; from: IP; to: IP }
  | { kind: 'physdev'; option: string; negate: boolean; value: string | null }
  | { kind: 'pkttype'; negate: boolean; type: string }
  | { kind: 'icmp-type'; negate: boolean; type: string }
  | { kind: 'always'; module: string; text: string }
  | { kind: 'opaque'; module: string; text: string }
  | { kind: 'unknown'; module: string; text: string };

export type MatchKind = Match['kind'];

/** A NAT destination: `--to-destination 10.0.0.1:80`, ranges and IPv6 brackets allowed. */
export interface NatRange {
  readonly text: string;
  readonly from: IP | null;
  readonly to: IP | null;
  readonly ports: PortRange | null;
}

export type Target =
  | { kind: 'jump'; chain: string }
  | { kind: 'goto'; chain: string }
  | { kind: 'ACCEPT' }
  | { kind: 'DROP' }
  | { kind: 'RETURN' }
  | { kind: 'REJECT'; rejectWith: string }
  | { kind: 'DNAT'; to: readonly NatRange[]; random: boolean; persistent: boolean }
  | { kind: 'SNAT'; to: readonly NatRange[]; random: boolean; randomFully: boolean; persistent: boolean }
  | { kind: 'MASQUERADE'; toPorts: PortRange | null; random: boolean; randomFully: boolean }
  | { kind: 'REDIRECT'; toPorts: PortRange | null; random: boolean }
  /** Kernel semantics of xt_MARK / xt_CONNMARK set: new = (old & ~mask) ^ value. */
  | { kind: 'MARK'; which: 'packet' | 'conn'; value: number; mask: number }
  | { kind: 'CONNMARK-save'; nfmask: number; ctmask: number }
  | { kind: 'CONNMARK-restore'; nfmask: number; ctmask: number }
  | { kind: 'NOTRACK' }
  | { kind: 'nonterminal'; name: string; text: string }
  | { kind: 'unknown'; name: string; text: string };

export interface Rule {
  readonly table: string;
  readonly chain: string;
  /** 1-based position in its chain, as `iptables -L --line-numbers` shows it. */
  readonly index: number;
  readonly span: Span;
  /** The rule as written, without counters or line noise. */
  readonly raw: string;
  readonly counters: Counters | null;
  readonly matches: readonly Match[];
  /** null for a rule without `-j`/`-g` (it only counts packets). */
  readonly target: Target | null;
  /** The comment text, if any, for convenience. */
  readonly comment: string | null;
  /** True when the table of this rule was inferred (an `iptables -S` paste without `*table`). */
  readonly tableInferred: boolean;
  /** The same as `matches` and `target`, named as the ruleset model names them. */
  readonly conds: readonly Match[];
  readonly action: Target | null;
  /** What was not understood in this rule's body (empty once parsed cleanly). */
  readonly problems: readonly { code: DiagnosticCode; severity: Severity; message: string }[];
}

export interface Chain {
  /** `table/name`: the chain's key in the ruleset model. */
  readonly id: string;
  readonly table: string;
  readonly name: string;
  readonly builtin: boolean;
  /** Built-in chains' policy; null for user chains. */
  readonly policy: 'ACCEPT' | 'DROP' | null;
  readonly counters: Counters | null;
  /** Where it was declared, or null when only rules mention it. */
  readonly span: Span | null;
  readonly rules: Rule[];
  /** Its rules' skip-index keys, when known without reading them (a scanned dump's chain). */
  ruleKeys?(): RuleKeys;
  /** How many rules it has, and rule i (`rules[i]`) alone, when they can be read one by one (a scanned dump's chain). */
  readonly ruleCount?: number;
  rule?(i: number): Rule;
}

/**
 * What the tracer's skip index over a long chain keys each rule on (see its chain-index.ts), per
 * rule: `dst`, its last positive single-host IPv4 destination as a number; `dport`, its last
 * positive single destination port; -1 when it has none, -2 when only its body can tell.
 */
export interface RuleKeys {
  readonly dst: Float64Array;
  readonly dport: Int32Array;
}

export interface Table {
  readonly name: string;
  readonly span: Span | null;
  readonly chains: Map<string, Chain>;
  /** How many rules its chains hold, when known without reading them (a scanned dump). */
  readonly ruleCount?: number;
}

export interface UnparsedLine {
  readonly span: Span;
  readonly raw: string;
}

export interface IptablesDump {
  readonly file: string;
  readonly family: 4 | 6;
  readonly tables: Map<string, Table>;
  /** Every chain of every table by `table/name` (the ruleset model's key). */
  readonly chainsById: Map<string, Chain>;
  /** Lines kept verbatim because they were not understood (also reported as diagnostics). */
  readonly unparsed: readonly UnparsedLine[];
  readonly ruleCount: number;
  /** The chains' jumps by chain number, when a scan found them (see scan.ts): whole-graph checks read no rule. */
  readonly jumpGraph?: JumpGraph;
  /**
   * Whether a rule's line says `--match-set KUBE-CLUSTER-IP`, `KUBE-LOOP-BACK` or `KUBE-NODE-PORT`
   * (kube-proxy's IPVS mode), when a scan found out: mode detection then reads no rule.
   */
  readonly kubeIpsetRules?: boolean;
}

/**
 * Every chain of a dump by number (0 … size - 1, in the order the dump's chainsById lists them) and
 * the chains each one's rules jump or go to, in rule order: edgeTo[edgeStart[k] … edgeEnd[k]), one
 * per rule whose jump names a chain of its table.
 */
export interface JumpGraph {
  readonly size: number;
  readonly edgeStart: Int32Array;
  readonly edgeEnd: Int32Array;
  readonly edgeTo: Int32Array;
  /** The number of the chain `table/name`, or -1. */
  numberOf(id: string): number;
  chain(k: number): Chain;
  /**
   * Chain k's rules read from their lines, without a rule object each (a scanned dump's: see
   * scan.ts). Reading every rule of a 10,000-Service dump for its catalog of Services then makes
   * none of the ~330,000 rule objects. One reader is reused: valid until the next call.
   */
  lines?(k: number): RuleLines;
  /**
   * Every chain's name as bytes (plain ASCII), chain k's `bytes[at[k] … at[k] + length[k])`: a walk
   * of every chain tests names without a string made for each (a scanned dump's).
   */
  readonly names?: { readonly bytes: Uint8Array; readonly at: Int32Array; readonly length: Int32Array };
  /** `table/name` of chain k, without its chain object (a scanned dump's). */
  id?(k: number): string;
  /** Whether a rule of chain k jumps or goes to a chain the dump does not hold (a scanned dump's). */
  lacking?(k: number): boolean;
}

/**
 * One chain's rules by position (0 … count - 1), each answer what the rule itself gives (Rule's
 * comment, jumpTarget, natDestinations, byShape): told by the rule's shape and line when they
 * can, else by the rule, read then.
 */
export interface RuleLines {
  readonly count: number;
  comment(i: number): string | null;
  /** Whether rule i jumps or goes to a chain (jumpTarget(i) !== null, without its name when the shape tells). */
  jumps(i: number): boolean;
  jumpTarget(i: number): string | null;
  natDestinations(i: number): readonly string[] | null;
  /** Rule i's line as the dump has it (Rule.raw). */
  raw(i: number): string;
  byShape<T>(i: number, question: (rule: { readonly conds: readonly Match[]; readonly action: Target | null }) => T): T;
}

export interface ParseResult {
  readonly dump: IptablesDump;
  readonly diagnostics: readonly Diagnostic[];
}

export const BUILTIN_CHAINS: Readonly<Record<string, readonly string[]>> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};
