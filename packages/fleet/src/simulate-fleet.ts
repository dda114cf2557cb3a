import type { ClusterState, Node } from '@svcpath/k8s-model';
import { renderIptablesSave, renderNftablesTransaction } from '@svcpath/kube-proxy-sim';
import { loadRuleset } from '@svcpath/ruleset';
import { describeDisagreement } from './compare-port';
import { detectProxyMode } from '@svcpath/proxy-layout';
import type { FleetReport, NodeDigest, PortState } from './model';
import { digestOfStates } from './node-digest';
import { plantDrift, type DriftKind } from './planted-drift';
import { readPortStates } from './read-port-states';

/** A fleet to simulate: nodes hosting endpoints, nodes hosting none, and nodes with drift planted. */
export interface FleetPlan {
  /** The cluster state every node should follow; its Node objects are the endpoint-hosting nodes. */
  readonly cluster: ClusterState & { readonly nodes: readonly Node[]; readonly clusterCIDR: string };
  /** Total nodes; those beyond the cluster's own host no endpoints. */
  readonly size: number;
  /** How many endpoint-free nodes carry each drift kind (each kind planted on its own Service). */
  readonly drift: Readonly<Partial<Record<DriftKind, number>>>;
  /** How many endpoint-free healthy nodes run nftables mode instead of iptables (default 0). */
  readonly nftables?: number;
}

/** One rendered variant of the rules: every node of `nodes` holds exactly these. */
export interface Variant {
  readonly label: string;
  readonly mode: 'iptables' | 'nftables';
  readonly states: ReadonlyMap<string, PortState>;
  readonly nodes: readonly string[];
  /** Bytes of the dump the variant was read from. */
  readonly dumpBytes: number;
}

/** What the report must say: one line per planted (node, port). */
export interface PlantedLine {
  readonly node: string;
  readonly portName: string;
  readonly lines: readonly string[];
}

export interface SimulatedFleet {
  readonly variants: readonly Variant[];
  readonly planted: readonly PlantedLine[];
  /** The cluster state the fleet is compared with (stale Services removed from it). */
  readonly truth: ClusterState & { readonly nodes: readonly Node[] };
}

function render(state: ClusterState & { nodes?: readonly Node[] }, node: string, cidr: string, mode: 'iptables' | 'nftables', edit?: (t: string) => string) {
  const raw = mode === 'iptables' ? renderIptablesSave(state, { nodeName: node, clusterCIDR: cidr }) : renderNftablesTransaction(state, { nodeName: node, clusterCIDR: cidr });
  const text = edit ? edit(raw) : raw;
  const rs = loadRuleset([{ name: `${node}.${mode}`, text }], { lazy: true }).ruleset;
  if (!rs || detectProxyMode(rs).mode !== mode) throw new Error(`${node}: rendered ${mode} rules did not load`);
  return { states: readPortStates(rs), dumpBytes: text.length };
}

/**
 * Renders a fleet with kube-proxy-sim without rendering every node: each endpoint-hosting node
 * once (its Local-policy chains are its own), one endpoint-free node once for all the healthy rest
 * (their rules are identical: rules name no node address kube-proxy's digest keeps), and each
 * planted drift once for all nodes carrying it.
 */
export function simulateFleet(plan: FleetPlan): SimulatedFleet {
  const hosts = plan.cluster.nodes.map((n) => n.metadata.name!);
  const free = Array.from({ length: plan.size - hosts.length }, (_, i) => `node-${hosts.length + i}`);
  const kinds = Object.entries(plan.drift) as [DriftKind, number][];
  const plants = kinds.map(([kind], i) => plantDrift(plan.cluster, kind, 7 * i + 3));
  // A stale Service is one the cluster no longer has: planted as a Service only the node's view has.
  const truth = plan.cluster;
  const variants: Variant[] = hosts.map((node) => ({ label: `host ${node}`, mode: 'iptables', nodes: [node], ...render(truth, node, plan.cluster.clusterCIDR, 'iptables') }));
  let next = 0;
  const take = (n: number) => free.slice(next, (next += n));
  const planted: PlantedLine[] = [];
  plants.forEach((p, i) => {
    const nodes = take(kinds[i]![1]);
    variants.push({ label: `drift ${p.kind} on ${p.portName}`, mode: 'iptables', nodes, ...render(p.nodeView, nodes[0] ?? 'node-x', plan.cluster.clusterCIDR, 'iptables', p.editRules) });
    for (const node of nodes) planted.push({ node, portName: p.portName, lines: p.expected });
  });
  const nft = take(plan.nftables ?? 0);
  if (nft.length > 0) variants.push({ label: 'healthy, nftables mode', mode: 'nftables', nodes: nft, ...render(truth, nft[0]!, plan.cluster.clusterCIDR, 'nftables') });
  const rest = free.slice(next);
  variants.push({ label: 'healthy, no endpoints', mode: 'iptables', nodes: rest, ...render(truth, rest[0] ?? 'node-x', plan.cluster.clusterCIDR, 'iptables') });
  return { variants, planted, truth };
}

/** A node's digest as it would send it, from its variant: bucket hashes, plus detail when asked. */
export function variantDigest(v: Variant, node: string, detail?: 'all' | readonly number[]): NodeDigest {
  return digestOfStates(v.states, { node, mode: v.mode, ...(detail ? { detail } : {}) });
}

/** Lines the report gives per (node, port), to compare with {@link SimulatedFleet.planted}. */
export function reportedLines(r: FleetReport): PlantedLine[] {
  const out: PlantedLine[] = [];
  for (const p of r.drift)
    for (const g of p.groups) {
      const lines = g.disagreements.map(describeDisagreement).sort();
      for (const node of g.nodes) out.push({ node, portName: p.portName, lines });
    }
  return out;
}
