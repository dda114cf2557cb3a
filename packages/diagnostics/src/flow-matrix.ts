import { parseIP, type IP } from '@svcpath/netaddr';
import type { Ruleset } from '@svcpath/ruleset';
import { trace, type L4Proto, type Outcome } from '@svcpath/tracer';
import type { DiagnoseClusterState } from './context';

/** One node of a collection, as the matrix traces it. */
export interface MatrixNode {
  readonly nodeName: string;
  readonly ruleset: Ruleset;
  /** The node's own addresses (addrtype LOCAL, NodePorts, "from the node"). */
  readonly nodeIPs: readonly string[];
}

/** The packet sent on every node: `src` null means "each node itself, from its first address". */
export interface MatrixPacket {
  readonly src: string | null;
  readonly dst: string;
  readonly dport: number;
  readonly proto: L4Proto;
}

/** One outcome (what happens, not which rules did it) and its share on each node (0 where absent). */
export interface MatrixRow {
  readonly outcome: string;
  readonly service: string | null;
  readonly shares: Readonly<Record<string, number>>;
  /** False when some node gives this outcome a different share. */
  readonly same: boolean;
  /** A DNAT to an address no EndpointSlice of the cluster state lists (only with the cluster state). */
  readonly goneEndpoint?: true;
}

/** What the packet comes to on one node, summed over its outcomes. */
export interface MatrixNodeSummary {
  readonly node: string;
  /** The address it was sent from; null when the node has no known address to send from. */
  readonly src: string | null;
  /** Translated to an endpoint the cluster still lists (any, without cluster state), or accepted by the node. */
  readonly delivered: number;
  /** Translated to an address no EndpointSlice lists any more (only with the cluster state). */
  readonly toGoneEndpoints: number;
  readonly dropped: number;
  readonly rejected: number;
  /** Accepted without translation: routed to the destination as it is. */
  readonly untranslated: number;
  /** The walk reached a part of the node the dump does not show. */
  readonly unknown: number;
}

/** The same packet traced on every node of a collection: outcomes per node. */
export interface FlowMatrix {
  readonly packet: MatrixPacket;
  readonly nodes: readonly MatrixNodeSummary[];
  readonly rows: readonly MatrixRow[];
  /** True when the nodes do not all give the same outcomes with the same shares. */
  readonly differs: boolean;
}

/** How an outcome reads in the matrix: what happens to the connection. */
export function outcomeKey(o: Outcome): string {
  const masq = o.masquerade ? ', masqueraded' : o.snat ? `, SNAT ${o.snat}` : '';
  switch (o.verdict) {
    case 'DNAT':
      return `DNAT ${o.destination ?? '?'}${masq}`;
    case 'ACCEPT':
      return `ACCEPT (${o.delivery === 'local' ? 'to the node' : 'forwarded unchanged'})${masq}`;
    case 'REJECT':
      return `REJECT${o.rejectWith && o.rejectWith !== 'icmp-port-unreachable' ? ` ${o.rejectWith}` : ''}`;
    case 'DROP':
      return 'DROP';
    case 'UNKNOWN':
      return `UNKNOWN (${o.notShown?.subject ?? '?'} not in the dump)`;
    default: {
      const never: never = o.verdict;
      return never;
    }
  }
}

/** Every `ip:port` the cluster state's EndpointSlices list (IPv6 in brackets, as the tracer writes it). */
function liveEndpoints(state: DiagnoseClusterState): Set<string> {
  const out = new Set<string>();
  for (const slice of state.endpointSlices)
    for (const ep of slice.endpoints ?? [])
      for (const addr of ep.addresses)
        for (const port of slice.ports ?? []) if (port.port !== undefined && port.port !== null) out.add(`${addr.includes(':') ? `[${addr}]` : addr}:${port.port}`);
  return out;
}

function summarize(node: string, src: string | null, outcomes: readonly Outcome[], gone: (o: Outcome) => boolean): MatrixNodeSummary {
  const sum = (pred: (o: Outcome) => boolean) => outcomes.filter(pred).reduce((a, o) => a + o.probability, 0);
  return {
    node,
    src,
    delivered: sum((o) => (o.verdict === 'DNAT' && !gone(o)) || (o.verdict === 'ACCEPT' && o.delivery === 'local')),
    toGoneEndpoints: sum(gone),
    dropped: sum((o) => o.verdict === 'DROP'),
    rejected: sum((o) => o.verdict === 'REJECT'),
    untranslated: sum((o) => o.verdict === 'ACCEPT' && o.delivery !== 'local'),
    unknown: sum((o) => o.verdict === 'UNKNOWN'),
  };
}

/**
 * Traces one packet on every node and lines the outcomes up: the view that shows at a glance a
 * node that is stale, or where externalTrafficPolicy/internalTrafficPolicy Local or a NodePort makes
 * nodes answer differently. Node order is kept; rows come in the order nodes first give them.
 */
export function flowMatrix(nodes: readonly MatrixNode[], packet: MatrixPacket, options: { readonly clusterState?: DiagnoseClusterState } = {}): FlowMatrix {
  const dst = parseIP(packet.dst);
  if (!dst) throw new RangeError(`flowMatrix: "${packet.dst}" is not an IP address`);
  const live = options.clusterState ? liveEndpoints(options.clusterState) : null;
  const gone = (o: Outcome) => live !== null && o.verdict === 'DNAT' && o.destination !== null && !live.has(o.destination);
  const rows = new Map<string, { service: string | null; shares: Record<string, number>; gone: boolean }>();
  const summaries: MatrixNodeSummary[] = [];
  for (const n of nodes) {
    const srcText = packet.src ?? n.nodeIPs[0] ?? null;
    const src = srcText === null ? null : parseIP(srcText);
    const local = n.nodeIPs.flatMap((a) => parseIP(a) ?? []) as IP[];
    const outcomes = src ? trace(n.ruleset, { src, dst, dport: packet.dport, proto: packet.proto }, { localAddresses: local }).outcomes : [];
    summaries.push(summarize(n.nodeName, src ? srcText : null, outcomes, gone));
    for (const o of outcomes) {
      const key = outcomeKey(o);
      const row = rows.get(key) ?? { service: o.service, shares: {}, gone: gone(o) };
      row.shares[n.nodeName] = (row.shares[n.nodeName] ?? 0) + o.probability;
      rows.set(key, row);
    }
  }
  const out = [...rows].map(([outcome, row]): MatrixRow => {
    const shares = Object.fromEntries(nodes.map((n) => [n.nodeName, row.shares[n.nodeName] ?? 0]));
    const values = Object.values(shares);
    return { outcome, service: row.service, shares, same: values.every((v) => Math.abs(v - values[0]!) < 1e-9), ...(row.gone ? { goneEndpoint: true as const } : {}) };
  });
  return { packet, nodes: summaries, rows: out, differs: out.some((r) => !r.same) };
}
