import type { ClusterState, IPFamily, Node } from '@svcpath/k8s-model';
import { bucketHash, bucketOf, portHash } from './digest-hash';
import { expectedPortState, planPorts, zonesOf, NO_NODE, type PortPlan } from './expected-states';
import { BUCKETS, type PortState } from './model';

interface Entry {
  readonly state: PortState;
  readonly hash: string;
}

/** What one node should hold: bucket hashes to compare, and each port's state to explain with. */
export interface NodeExpectation {
  readonly buckets: readonly string[];
  state(portName: string): PortState | undefined;
  /** The ServicePortNames expected in a bucket. */
  portsIn(bucket: number): readonly string[];
}

/** The cluster state read once for a whole fleet. */
export interface FleetExpectation {
  /** Service ports the cluster state proxies. */
  readonly servicePorts: number;
  /** Nodes the cluster state lists (empty when it has no Node objects). */
  readonly knownNodes: ReadonlySet<string>;
  forNode(node: string): NodeExpectation;
}

interface Baseline {
  readonly entries: Map<string, Entry>;
  readonly byBucket: (readonly [string, string])[][];
  readonly buckets: string[];
}

function entry(state: PortState): Entry {
  return { state, hash: portHash(state) };
}

/**
 * Reads the cluster state once for a fleet: every node's expected state is the answer for "a node
 * with no endpoints" in its zone, overridden for the few ports where the node's own endpoints
 * (Local traffic policy) or hints change it. A node's bucket hashes are then the baseline's, with
 * only its overridden buckets rehashed.
 */
export function fleetExpectation(state: ClusterState & { readonly nodes?: readonly Node[] }, family: IPFamily = 'IPv4'): FleetExpectation {
  const plans = planPorts(state, family);
  const zones = zonesOf(state.nodes);
  const common = new Map<string, Entry>();
  for (const p of plans) if (!p.zonal) common.set(p.sp.info.nameString, entry(expectedPortState(p.sp, NO_NODE, null)));
  const baselines = new Map<string | null, Baseline>();
  const baselineFor = (zone: string | null): Baseline => {
    let b = baselines.get(zone);
    if (!b) baselines.set(zone, (b = makeBaseline(plans, common, zone)));
    return b;
  };
  const special = specialEntries(plans, zones, baselineFor);
  return {
    servicePorts: plans.length,
    knownNodes: new Set(zones.keys()),
    forNode(node) {
      const base = baselineFor(zones.get(node) ?? null);
      return nodeExpectation(base, special.get(node));
    },
  };
}

function makeBaseline(plans: readonly PortPlan[], common: ReadonlyMap<string, Entry>, zone: string | null): Baseline {
  const entries = new Map<string, Entry>();
  const byBucket: (readonly [string, string])[][] = Array.from({ length: BUCKETS }, () => []);
  for (const p of plans) {
    const name = p.sp.info.nameString;
    const e = common.get(name) ?? entry(expectedPortState(p.sp, NO_NODE, zone));
    entries.set(name, e);
    byBucket[bucketOf(name)]!.push([name, e.hash]);
  }
  return { entries, byBucket, buckets: byBucket.map(bucketHash) };
}

/** Per node, the ports whose expected state differs from its zone's baseline. */
function specialEntries(
  plans: readonly PortPlan[],
  zones: ReadonlyMap<string, string | null>,
  baselineFor: (zone: string | null) => Baseline,
): Map<string, Map<string, Entry>> {
  const out = new Map<string, Map<string, Entry>>();
  for (const p of plans)
    for (const node of p.specialNodes) {
      const zone = zones.get(node) ?? null;
      const e = entry(expectedPortState(p.sp, node, zone));
      const name = p.sp.info.nameString;
      if (baselineFor(zone).entries.get(name)?.hash === e.hash) continue;
      let m = out.get(node);
      if (!m) out.set(node, (m = new Map()));
      m.set(name, e);
    }
  return out;
}

function nodeExpectation(base: Baseline, over: ReadonlyMap<string, Entry> | undefined): NodeExpectation {
  const portsIn = (b: number) => (base.byBucket[b] ?? []).map(([name]) => name);
  if (!over) return { buckets: base.buckets, state: (n) => base.entries.get(n)?.state, portsIn };
  const buckets = [...base.buckets];
  const touched = new Set([...over.keys()].map(bucketOf));
  for (const b of touched) buckets[b] = bucketHash(base.byBucket[b]!.map(([name, h]) => [name, over.get(name)?.hash ?? h] as const));
  return { buckets, state: (n) => (over.get(n) ?? base.entries.get(n))?.state, portsIn };
}
