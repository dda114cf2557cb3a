import { comparePort, describeDisagreement } from './compare-port';
import { bucketOf } from './digest-hash';
import type { FleetExpectation, NodeExpectation } from './fleet-expectation';
import { BUCKETS, type Disagreement, type DriftGroup, type FleetReport, type NodeDigest, type NodeProblem, type PortDrift } from './model';

/** Collects node digests one at a time (so 5,000 never sit in memory at once) into a fleet report. */
export interface FleetAggregator {
  add(digest: NodeDigest): void;
  /** A node that could not be collected: counted, named, never compared. */
  problem(p: NodeProblem): void;
  report(): FleetReport;
}

interface Group {
  readonly disagreements: readonly Disagreement[];
  readonly nodes: string[];
}

const DIGESTIBLE = new Set(['iptables', 'nftables']);

/**
 * The fleet aggregation: each node's bucket hashes against the hashes its expected state gives;
 * only differing buckets are opened, and explained port by port when the digest carries them.
 * Nodes that differ the same way on a port are grouped, so the answer stays one screen long.
 */
export function fleetAggregator(expect: FleetExpectation): FleetAggregator {
  const drift = new Map<string, Map<string, Group>>();
  const perNode = new Map<string, number>();
  const modes: Partial<Record<NodeDigest['mode'], number>> = {};
  const undetailed: { node: string; buckets: number[] }[] = [];
  const problems: NodeProblem[] = [];
  const seen = new Set<string>();
  let compared = 0;
  let agreeing = 0;

  const record = (node: string, portName: string, ds: readonly Disagreement[]) => {
    const key = ds.map(describeDisagreement).join('; ');
    let groups = drift.get(portName);
    if (!groups) drift.set(portName, (groups = new Map()));
    const g = groups.get(key);
    if (g) g.nodes.push(node);
    else groups.set(key, { disagreements: ds, nodes: [node] });
  };

  return {
    add(d) {
      if (seen.has(d.node)) return void problems.push({ kind: 'duplicate-digest', node: d.node });
      seen.add(d.node);
      modes[d.mode] = (modes[d.mode] ?? 0) + 1;
      if (!DIGESTIBLE.has(d.mode)) return void problems.push({ kind: 'unsupported-mode', node: d.node, mode: d.mode });
      compared++;
      const r = compareNode(d, expect.forNode(d.node));
      for (const [portName, ds] of r.ports) record(d.node, portName, ds);
      if (r.ports.size > 0) perNode.set(d.node, r.ports.size);
      if (r.undetailed.length > 0) undetailed.push({ node: d.node, buckets: r.undetailed });
      if (r.ports.size === 0 && r.undetailed.length === 0) agreeing++;
    },
    problem(p) {
      problems.push(p);
    },
    report() {
      return {
        compared,
        agreeing,
        modes,
        servicePorts: expect.servicePorts,
        drift: [...drift].map(([portName, groups]) => portDrift(portName, groups, compared)).sort((a, b) => b.disagree - a.disagree || a.portName.localeCompare(b.portName)),
        nodes: [...perNode].map(([node, ports]) => ({ node, ports })).sort((a, b) => b.ports - a.ports || a.node.localeCompare(b.node)),
        undetailed: undetailed.sort((a, b) => a.node.localeCompare(b.node)),
        problems,
      };
    },
  };
}

/** One node: differing buckets, explained port by port where the digest has their detail. */
function compareNode(d: NodeDigest, exp: NodeExpectation): { ports: Map<string, Disagreement[]>; undetailed: number[] } {
  const ports = new Map<string, Disagreement[]>();
  const undetailed: number[] = [];
  const detailed = new Set(d.detailBuckets ?? []);
  let namesByBucket: Map<number, string[]> | null = null;
  for (let b = 0; b < BUCKETS; b++) {
    if (d.buckets[b] === exp.buckets[b]) continue;
    if (!detailed.has(b) || !d.detail) {
      undetailed.push(b);
      continue;
    }
    namesByBucket ??= groupNames(Object.keys(d.detail));
    const names = new Set([...exp.portsIn(b), ...(namesByBucket.get(b) ?? [])]);
    for (const name of names) {
      const ds = comparePort(exp.state(name), d.detail[name]);
      if (ds.length > 0) ports.set(name, ds);
    }
  }
  return { ports, undetailed };
}

function groupNames(names: readonly string[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const n of names) {
    const b = bucketOf(n);
    (out.get(b) ?? out.set(b, []).get(b)!).push(n);
  }
  return out;
}

function portDrift(portName: string, groups: ReadonlyMap<string, Group>, compared: number): PortDrift {
  const list: DriftGroup[] = [...groups.values()]
    .map((g) => ({ disagreements: g.disagreements, nodes: [...g.nodes].sort() }))
    .sort((a, b) => b.nodes.length - a.nodes.length);
  const disagree = list.reduce((n, g) => n + g.nodes.length, 0);
  return { portName, agree: compared - disagree, disagree, groups: list };
}
