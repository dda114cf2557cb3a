import type { Cidr, IP } from '@svcpath/netaddr';

/** Where a node came from. Lines and columns are 1-based; `endCol` is exclusive. */
export interface Span {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
}

export type Severity = 'error' | 'warning' | 'info';

/** A problem found while reading a dump. `code` is stable (see diagnostics.ts). */
export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
}

/** Text that was kept but not understood. It reaches the tracer as "unknown — may match". */
export interface Unparsed {
  readonly kind: 'unparsed';
  readonly raw: string;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Constant values. `raw` is the token as written (text) or as JSON text (JSON).

export type Value =
  | { readonly kind: 'ip'; readonly ip: IP; readonly raw: string }
  | { readonly kind: 'prefix'; readonly cidr: Cidr; readonly raw: string }
  | { readonly kind: 'range'; readonly from: Value; readonly to: Value; readonly raw: string }
  | { readonly kind: 'number'; readonly value: number; readonly raw: string }
  /** Symbolic constant: `tcp`, `local`, `new`, an interface name, an ICMP type. */
  | { readonly kind: 'symbol'; readonly name: string; readonly raw: string }
  /** Comma list without spaces, as in `ct state established,related` (a bit set). */
  | { readonly kind: 'list'; readonly items: readonly Value[]; readonly raw: string }
  | { readonly kind: 'verdict'; readonly verdict: Verdict; readonly raw: string };

export type VerdictCode = 'accept' | 'drop' | 'continue' | 'return' | 'jump' | 'goto' | 'queue';

/** A verdict; `chain` is set for jump and goto. */
export interface Verdict {
  readonly code: VerdictCode;
  readonly chain?: string;
}

// ---------------------------------------------------------------------------------------------
// Expressions (the left side of a match, keys of lookups, values that are computed).

export type PayloadProtocol = string; // ip, ip6, th, tcp, udp, sctp, icmp, icmpv6, ether, ...

export type Expr =
  | Value
  | { readonly kind: 'payload'; readonly protocol: PayloadProtocol; readonly field: string; readonly raw: string }
  | { readonly kind: 'meta'; readonly key: string; readonly raw: string }
  | { readonly kind: 'ct'; readonly key: string; readonly dir?: 'original' | 'reply'; readonly raw: string }
  /** `fib saddr . iif type`: `flags` are the inputs, `result` is type / oif / oifname. */
  | { readonly kind: 'fib'; readonly flags: readonly string[]; readonly result: string; readonly raw: string }
  | { readonly kind: 'numgen'; readonly mode: 'random' | 'inc'; readonly mod: number; readonly offset: number; readonly raw: string }
  | { readonly kind: 'concat'; readonly parts: readonly Expr[]; readonly raw: string }
  | { readonly kind: 'binop'; readonly op: BinOp; readonly left: Expr; readonly right: Expr; readonly raw: string }
  /** An anonymous set or map `{ a, b }` / `{ k : v, ... }`. */
  | { readonly kind: 'set'; readonly elements: readonly SetElement[]; readonly raw: string }
  /** A named set or map, `@name`. */
  | { readonly kind: 'setref'; readonly name: string; readonly raw: string }
  /** `key map @m` / `key map { ... }`: the value stored for the key. */
  | { readonly kind: 'map'; readonly key: Expr; readonly data: SetLike; readonly raw: string }
  | { readonly kind: 'unparsed'; readonly raw: string };

export type BinOp = '&' | '|' | '^' | '<<' | '>>';
export type SetLike = Extract<Expr, { kind: 'set' } | { kind: 'setref' }>;

/**
 * How a match compares. Text with no operator means `==`, except for bit-set keys (ct state,
 * ct status, tcp flags) compared to a flag value, which nft evaluates as "any of these bits"
 * and prints as `in` in JSON.
 */
export type RelOp = '==' | '!=' | '<' | '>' | '<=' | '>=' | 'in';

/** One element of a set or map: `key [comment "…"] [: data]`. */
export interface SetElement {
  readonly key: Expr;
  readonly data?: Expr;
  readonly comment?: string;
  /** Seconds, for elements of sets with timeouts. */
  readonly timeout?: number;
  readonly raw: string;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Statements: a rule is an ordered list of them; a match is a statement that can stop the rule.

interface StmtBase {
  readonly raw: string;
  readonly span: Span;
}

export type NatFlag = string; // random, fully-random, persistent

export type Stmt =
  | (StmtBase & { readonly kind: 'match'; readonly left: Expr; readonly op: RelOp; readonly right: Expr })
  | (StmtBase & { readonly kind: 'counter'; readonly packets?: number; readonly bytes?: number; readonly name?: string })
  | (StmtBase & { readonly kind: 'verdict'; readonly verdict: Verdict })
  /** `key vmap @map` / `key vmap { k : verdict, ... }`. */
  | (StmtBase & { readonly kind: 'vmap'; readonly key: Expr; readonly data: SetLike })
  | (StmtBase & { readonly kind: 'reject'; readonly type: 'icmp' | 'icmpv6' | 'icmpx' | 'tcp reset'; readonly code?: string })
  | (StmtBase & {
      readonly kind: 'dnat' | 'snat';
      readonly family?: 'ip' | 'ip6';
      readonly addr?: Expr;
      readonly port?: Expr;
      readonly flags: readonly NatFlag[];
    })
  | (StmtBase & { readonly kind: 'masquerade' | 'redirect'; readonly port?: Expr; readonly flags: readonly NatFlag[] })
  /** `meta mark set …`, `ct mark set …`: writes `value` into `target`. */
  | (StmtBase & { readonly kind: 'mangle'; readonly target: Expr; readonly value: Expr })
  | (StmtBase & { readonly kind: 'notrack' })
  | (StmtBase & { readonly kind: 'log'; readonly prefix?: string; readonly level?: string; readonly group?: number })
  | (StmtBase & { readonly kind: 'limit'; readonly rate: number; readonly per: string; readonly unit: string; readonly burst: number; readonly over: boolean })
  /** `update @set { expr }`: adds the packet's key to a dynamic set (kube-proxy session affinity). */
  | (StmtBase & { readonly kind: 'setUpdate'; readonly op: 'add' | 'update' | 'delete'; readonly set: string; readonly elem: Expr; readonly timeout?: number })
  /** An iptables-nft extension nft cannot translate (`xt match recent`); its meaning is unknown. */
  | (StmtBase & { readonly kind: 'xt'; readonly xtType: 'match' | 'target' | 'watcher'; readonly name: string })
  | (StmtBase & { readonly kind: 'unparsed' });

// ---------------------------------------------------------------------------------------------
// Containers.

export interface NftRule {
  /** Kernel handle, when the dump was made with `-a` or in JSON. */
  readonly handle?: number;
  /** Position in the chain, from 0. */
  readonly index: number;
  readonly span: Span;
  /** The rule's own text (statements and comment), without `add rule …` or `# handle`. */
  readonly raw: string;
  readonly statements: readonly Stmt[];
  readonly comment?: string;
}

export type Family = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';

export interface BaseChain {
  readonly type: string;
  readonly hook: string;
  /** The priority as a number (named priorities such as `dstnat - 10` resolved). */
  readonly priority: number;
  readonly priorityRaw: string;
  /** The kernel's default policy for a base chain is accept. */
  readonly policy: 'accept' | 'drop';
  readonly devices: readonly string[];
}

export interface NftChain {
  readonly name: string;
  readonly handle?: number;
  readonly base?: BaseChain;
  readonly comment?: string;
  readonly rules: readonly NftRule[];
  readonly span: Span;
  /** The chain's header as written. */
  readonly raw: string;
}

export interface NftSet {
  readonly name: string;
  readonly isMap: boolean;
  readonly handle?: number;
  /** Key data types, one per concatenated part (`ipv4_addr . inet_proto . inet_service`). */
  readonly keyType: readonly string[];
  /** The data type of a map (`verdict`, `ipv4_addr . inet_service`, `mark`). */
  readonly dataType?: string;
  /** The `typeof` expressions when the set was declared with them (text only). */
  readonly typeofKey?: readonly Expr[];
  readonly flags: readonly string[];
  readonly timeout?: number;
  readonly size?: number;
  readonly comment?: string;
  readonly elements: readonly SetElement[];
  readonly span: Span;
  readonly raw: string;
}

export interface NftTable {
  readonly family: Family;
  readonly name: string;
  readonly handle?: number;
  readonly comment?: string;
  readonly flags: readonly string[];
  readonly chains: readonly NftChain[];
  readonly sets: readonly NftSet[];
  readonly unparsed: readonly Unparsed[];
  readonly span: Span;
  readonly raw: string;
}

export interface NftRuleset {
  readonly tables: readonly NftTable[];
  /** Top-level lines that were not understood. */
  readonly unparsed: readonly Unparsed[];
}

export interface ParseResult {
  readonly ruleset: NftRuleset;
  readonly diagnostics: readonly Diagnostic[];
}

export interface ParseOptions {
  /** The file name put into every span. */
  readonly file: string;
  /** Text: read every chain's rules at once, not when first asked for (same result, slower on large dumps). */
  readonly eager?: boolean;
}
