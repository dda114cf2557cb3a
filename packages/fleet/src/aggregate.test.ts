import { describe, expect, it } from 'vitest';
import { generateScaleCluster } from '@svcpath/kube-proxy-sim';
import { fleetAggregator } from './aggregate';
import { fleetExpectation } from './fleet-expectation';
import { formatFleetReport } from './format-fleet';
import { DRIFT_KINDS } from './planted-drift';
import { reportedLines, simulateFleet, variantDigest, type PlantedLine } from './simulate-fleet';

// kube-proxy-sim renders: 150 Services over 3 endpoint-hosting nodes, a fleet of 60 nodes with two
// nodes per drift kind, three nodes in nftables mode, the rest healthy and hosting nothing.
const cluster = generateScaleCluster({ services: 150, endpointsPerService: 4, seed: 11, nodes: 3 });
const drift = Object.fromEntries(DRIFT_KINDS.map((k) => [k, 2]));
const fleet = simulateFleet({ cluster, size: 60, drift, nftables: 3 });
const expectation = fleetExpectation(fleet.truth);
const key = (l: PlantedLine) => `${l.node} ${l.portName}: ${l.lines.join('; ')}`;

function aggregate(detailFor: (node: string) => readonly number[] | undefined) {
  const agg = fleetAggregator(expectation);
  for (const v of fleet.variants) for (const node of v.nodes) agg.add(variantDigest(v, node, detailFor(node)));
  return agg.report();
}

describe('fleet aggregation on a simulated fleet', () => {
  const first = aggregate(() => undefined);

  it('finds exactly the drifting nodes from bucket hashes alone', () => {
    const drifting = [...new Set(fleet.planted.map((p) => p.node))].sort();
    expect(first.compared).toBe(60);
    expect(first.modes).toEqual({ iptables: 57, nftables: 3 });
    expect(first.undetailed.map((u) => u.node)).toEqual(drifting);
    expect(first.agreeing).toBe(60 - drifting.length);
    expect(first.drift).toEqual([]);
  });

  it('explains every planted disagreement, and nothing else, once the differing buckets are detailed', () => {
    const buckets = new Map(first.undetailed.map((u) => [u.node, u.buckets]));
    const second = aggregate((node) => buckets.get(node));
    expect(second.undetailed).toEqual([]);
    expect(reportedLines(second).map(key).sort()).toEqual(fleet.planted.map(key).sort());
    for (const p of second.drift) expect(p.agree + p.disagree).toBe(60);
  });

  it('groups nodes that drift the same way and fits one screen', () => {
    const buckets = new Map(first.undetailed.map((u) => [u.node, u.buckets]));
    const report = aggregate((node) => buckets.get(node));
    expect(report.drift.every((p) => p.groups.length === 1 && p.groups[0]!.nodes.length === 2)).toBe(true);
    const text = formatFleetReport(report);
    expect(text.split('\n').length).toBeLessThan(40);
    expect(text).toMatch(/^60 nodes compared \(57 iptables, 3 nftables\) on \d+ Service ports: 48 agree/);
  });
});
