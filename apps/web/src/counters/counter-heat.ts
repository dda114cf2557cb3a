import type { RuleDelta } from '@svcpath/counters';
import type { Graph } from '@svcpath/graph';

/** How much moved through one graph node or edge between two snapshots. */
export interface Heat {
  readonly packets: number;
  /** 0 (nothing) to 1 (the busiest node or edge of this graph), on a log scale. */
  readonly intensity: number;
  /** A DROP/REJECT rule (or DROP policy) here counted packets: they died here. */
  readonly died: boolean;
}

export interface CounterHeat {
  readonly nodes: Readonly<Record<string, Heat>>;
  readonly edges: Readonly<Record<string, Heat>>;
  /** Moved rules this graph does not show (another Service's chains, the filter table). */
  readonly unmatched: number;
  /** The busiest node or edge: intensity 1. */
  readonly max: number;
}

/**
 * Colours a graph by counter deltas. A moved rule is found as evidence is: the edge carrying it
 * (`table/chain` and index), else the node showing it or standing for its chain. An edge takes its
 * rules' packets; a node takes the packets of the moved edges into it (a chain's rules each count
 * the same packets again, so summing them would overcount), and a node nothing counted into (a
 * hook) its busiest rule. Intensity is log-scaled against the busiest, so a trickle still shows.
 */
export function counterHeat(graph: Graph, moved: readonly RuleDelta[]): CounterHeat {
  const nodeOfChain = new Map<string, string>();
  const nodeOfRule = new Map<string, string>();
  for (const n of graph.nodes) {
    for (const c of n.chainIds) if (!nodeOfChain.has(c)) nodeOfChain.set(c, n.id);
    for (const r of n.rules) nodeOfRule.set(`${r.chainId}#${r.index}`, n.id);
  }
  const edgesOfRule = new Map<string, string[]>();
  for (const e of graph.edges)
    for (const r of e.rules) {
      const k = `${r.chainId}#${r.index}`;
      (edgesOfRule.get(k) ?? edgesOfRule.set(k, []).get(k)!).push(e.id);
    }
  const targetOf = new Map(graph.edges.map((e) => [e.id, e.target]));

  const edgePackets = new Map<string, number>();
  const ownPackets = new Map<string, number>();
  const died = new Set<string>();
  let unmatched = 0;
  for (const d of moved) {
    const chainId = `${d.table}/${d.chain}`;
    const key = `${chainId}#${d.index}`;
    const edges = d.index > 0 ? (edgesOfRule.get(key) ?? []) : [];
    const nodeId = nodeOfRule.get(key) ?? nodeOfChain.get(chainId) ?? (edges[0] !== undefined ? graph.edges.find((e) => e.id === edges[0])?.source : undefined);
    if (!nodeId && edges.length === 0) {
      unmatched += 1;
      continue;
    }
    if (nodeId) ownPackets.set(nodeId, Math.max(ownPackets.get(nodeId) ?? 0, d.packets));
    for (const id of edges) edgePackets.set(id, (edgePackets.get(id) ?? 0) + d.packets);
    if (d.died) {
      if (nodeId) died.add(nodeId);
      for (const id of edges) {
        died.add(id);
        died.add(targetOf.get(id)!);
      }
    }
  }
  const inbound = new Map<string, number>();
  for (const [id, p] of edgePackets) inbound.set(targetOf.get(id)!, (inbound.get(targetOf.get(id)!) ?? 0) + p);
  const nodePackets = new Map<string, number>();
  for (const id of new Set([...ownPackets.keys(), ...inbound.keys()])) nodePackets.set(id, inbound.get(id) ?? ownPackets.get(id)!);

  const max = Math.max(0, ...edgePackets.values(), ...nodePackets.values());
  const heat = (id: string, packets: number): Heat => ({ packets, intensity: max > 0 ? Math.round((Math.log1p(packets) / Math.log1p(max)) * 100) / 100 : 0, died: died.has(id) });
  return {
    nodes: Object.fromEntries([...nodePackets].map(([id, p]) => [id, heat(id, p)])),
    edges: Object.fromEntries([...edgePackets].map(([id, p]) => [id, heat(id, p)])),
    unmatched,
    max,
  };
}

/** The colour of a heated node or edge: pale amber for a trickle to deep orange for the busiest; red where packets died. */
export function heatColor(h: Heat): string {
  if (h.died) return 'var(--died)';
  const t = Math.min(1, Math.max(0, h.intensity));
  return `hsl(${Math.round(48 - 28 * t)} 95% ${Math.round(62 - 14 * t)}%)`;
}

/** `1234` → `1.2k`: packet counts on the graph. */
export function formatPackets(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 1 : 0)}M`;
}
