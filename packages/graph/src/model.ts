/**
 * The renderer-agnostic graph svcpath draws: nodes (chains, Services, endpoints, verdicts) and the
 * edges between them, each pointing back at the rules it stands for. A web adapter turns it into
 * React Flow nodes; the Markdown export and tests read it as plain data.
 */

/** What a chain is in kube-proxy's layout; defined beside the catalogue in @svcpath/proxy-layout. */
import type { ChainKind } from '@svcpath/proxy-layout';

export type { ChainKind };

export type GraphNodeKind = 'hook' | 'chain' | 'service' | 'namespace' | 'group' | 'endpoint' | 'verdict';

/** One rule a node or edge stands for, with what is needed to cite it. */
export interface RuleRef {
  /** `table/chain`. */
  readonly chainId: string;
  /** 1-based position in the chain. */
  readonly index: number;
  readonly file: string;
  /** Line in the dump; 0 when svcpath assumed the rule (kube-proxy's standard hook jumps). */
  readonly line: number;
  readonly raw: string;
  readonly assumed: boolean;
}

export type BadgeKind = 'masquerade' | 'affinity' | 'assumed' | 'no-endpoints' | 'load-balanced' | 'truncated';

export interface Badge {
  readonly kind: BadgeKind;
  readonly text: string;
}

export interface GraphNode {
  readonly id: string;
  readonly kind: GraphNodeKind;
  /** Set for `hook` and `chain` nodes. */
  readonly chainKind?: ChainKind;
  /** The chain name verbatim, `ns/svc`, `ip:port` or a verdict. */
  readonly label: string;
  /** A second line: table, ServicePortName, rule counts. */
  readonly detail: string;
  /** The `group` node this node sits in (namespaces in the overview). */
  readonly parentId?: string;
  /** The chains (`table/chain`) this node stands for; a trace step in any of them lights it. */
  readonly chainIds: readonly string[];
  /** The rules shown for this node, in dump order. */
  readonly rules: readonly RuleRef[];
  /** How many rules the chain has in all, when `rules` shows only the relevant ones. */
  readonly totalRules: number;
  /** What this chain or node does, in plain words, for someone new to kube-proxy. */
  readonly explanation: string;
  readonly badges: readonly Badge[];
  /** The Service (`ns/svc`) this node belongs to or stands for, when there is one. */
  readonly service?: string;
}

export type GraphEdgeKind = 'jump' | 'goto' | 'dnat' | 'verdict' | 'masquerade-mark' | 'aggregate';

/** Rule reference used to match trace steps to edges: `table/chain` and 1-based index. */
export interface EdgeRule {
  readonly chainId: string;
  readonly index: number;
}

export interface GraphEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly kind: GraphEdgeKind;
  /** Short text: the rule's conditions, a share of traffic, a count. */
  readonly label: string;
  /**
   * The share of the traffic entering the source chain that takes this edge, from the statistic
   * ladder (a rule with probability p reached with remaining share r carries r·p). Absent where the
   * choice depends on the packet rather than chance.
   */
  readonly probability?: number;
  /** The edge is a ClientIP-affinity shortcut (`-m recent --rcheck`) taken by returning clients. */
  readonly affinity?: boolean;
  readonly rules: readonly EdgeRule[];
}

export interface Graph {
  /** Stable for the same ruleset and view: a layout cache key. */
  readonly key: string;
  readonly kind: 'overview' | 'service';
  readonly title: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  /** Set when nodes were aggregated or left out to stay drawable. */
  readonly truncated: { readonly shown: number; readonly total: number; readonly reason: string } | null;
  /** Assumptions made while reading the ruleset (synthesized hook jumps). */
  readonly assumptions: readonly string[];
}
