// collectLiveFleet against the fake API server (the only stand-in; its kubelet double prints each
// simulated node's digest, see testing/fleet-stand-in.ts): 52 nodes, drift found in two rounds,
// a node that never runs its Pod, RBAC refusals, a selector, cancellation — and every Pod created
// is deleted.
import type { Snapshot } from '@svcpath/api-contract';
import { reportedLines, type PlantedLine } from '@svcpath/fleet/simulate';
import { afterEach, describe, expect, it } from 'vitest';
import { collectLiveFleet, type LiveFleetProgress } from './collect-live-fleet.js';
import { startFleetStandIn, type FleetStandIn } from './testing/fleet-stand-in.js';

const key = (l: PlantedLine) => `${l.node} ${l.portName}: ${[...l.lines].sort().join('; ')}`;
const FAST = { pollIntervalMs: 10, requestTimeoutMs: 5_000 } as const;

let sim: FleetStandIn | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** Every Pod created was deleted, and nothing else was. */
function everyPodDeleted(s: FleetStandIn): void {
  const created = s.api.createdPods.map((p) => `svcpath-nodes/${(p as { metadata: { name: string } }).metadata.name}`).sort();
  expect([...s.api.deletedPods].sort()).toEqual(created);
}

describe('collectLiveFleet through digest Pods, 52 nodes', () => {
  it('finds every planted disagreement, names the node that never ran its Pod, and deletes every Pod', async () => {
    sim = await startFleetStandIn({ size: 52, neverRun: ['node-50'] });
    const events: LiveFleetProgress[] = [];
    let running = 0;
    let peak = 0;
    const r = await collectLiveFleet({
      kubeconfigPath: sim.kubeconfigPath,
      env: {},
      startTimeoutMs: 1_500,
      ...FAST,
      onProgress: (e) => {
        events.push(e);
        if (e.kind === 'node-started') peak = Math.max(peak, e.running);
        running += e.kind === 'node-started' ? 1 : e.kind === 'node-finished' ? -1 : 0;
      },
    });
    expect(r.nodes).toHaveLength(52);
    expect(r.report.compared).toBe(51);
    expect(r.report.problems).toEqual([{ kind: 'no-digest', node: 'node-50', reason: expect.stringMatching(/^the digest Pod svcpath-nodes\/svcpath-digest-node-50-\w+ did not start within 1500 ms/) }]);
    expect(reportedLines(r.report).map(key).sort()).toEqual(sim.fleet.planted.map(key).sort());
    expect(r.report.undetailed).toEqual([]);
    // The second round asked only the drifting nodes, and only for the buckets that differ.
    const second = sim.runs.filter((x) => x.detail !== '');
    expect(second.map((x) => x.node).sort()).toEqual([...sim.drifting]);
    expect(second.every((x) => x.detail.split(',').length <= 4)).toBe(true);
    expect(peak).toBe(20);
    expect(running).toBe(0);
    expect(events.filter((e) => e.kind === 'round').map((e) => e.kind === 'round' && e.nodes)).toEqual([52, sim.drifting.length]);
    expect(r.pods).toEqual({ created: 52 + sim.drifting.length, deleted: 52 + sim.drifting.length, notDeleted: [] });
    everyPodDeleted(sim);
    // Kilobytes per node, whatever the cluster size: bucket hashes only in the first round.
    expect(r.digestBytes[0] / 51).toBeLessThan(8_000);
  }, 120_000);

  it('with dumps, fetches a snapshot of each node that disagrees (and only those), through dump Pods, all deleted', async () => {
    sim = await startFleetStandIn({ size: 52 });
    const stored: Snapshot[] = [];
    const r = await collectLiveFleet({
      kubeconfigPath: sim.kubeconfigPath,
      env: {},
      ...FAST,
      dumps: { which: 'disagreeing', store: async (s) => (stored.push(s), s.id) },
    });
    expect(r.dumps.map((d) => d.node)).toEqual([...sim.drifting]);
    expect(r.dumps.every((d) => d.snapshotId !== null)).toBe(true);
    expect(stored.map((s) => s.node).sort()).toEqual([...sim.drifting]);
    const one = stored[0]!;
    expect(one.files.map((f) => f.name)).toContain('iptables-save.txt');
    expect(one.files.find((f) => f.name === 'iptables-save.txt')!.text).toContain('KUBE-SERVICES');
    expect(one.clusterState?.services.length).toBe(sim.fleet.truth.services.length);
    expect(new Set(stored.map((s) => s.collection)).size).toBe(1);
    everyPodDeleted(sim);
    // One cluster read for the whole run: the snapshots reuse it.
    expect(sim.api.requests.filter((q) => q.method === 'GET' && q.path === '/api/v1/services')).toHaveLength(1);
  }, 120_000);

  it('reports an RBAC refusal to read Pod logs on every node, and still deletes every Pod', async () => {
    sim = await startFleetStandIn({ size: 52, forbidden: [{ resource: 'pods/log', verb: 'get', namespace: 'svcpath-nodes' }] });
    const r = await collectLiveFleet({ kubeconfigPath: sim.kubeconfigPath, env: {}, ...FAST });
    expect(r.report.compared).toBe(0);
    expect(r.report.problems).toHaveLength(52);
    for (const p of r.report.problems) expect(p.kind === 'no-digest' && p.reason).toMatch(/cannot read the log of the digest Pod .*needs RBAC permission "get" on "pods\/log" in namespace "svcpath-nodes"/);
    expect(sim.api.createdPods).toHaveLength(52);
    everyPodDeleted(sim);
  }, 120_000);

  it('reports an RBAC refusal to create Pods per selected node; --selector picks nodes by label', async () => {
    sim = await startFleetStandIn({ size: 52, forbidden: [{ resource: 'pods', verb: 'create' }] });
    const r = await collectLiveFleet({ kubeconfigPath: sim.kubeconfigPath, env: {}, selector: 'svcpath.test/pool=odd', ...FAST });
    expect(r.nodes.length).toBeGreaterThan(20);
    expect(r.nodes.length).toBeLessThan(30);
    expect(r.report.problems.map((p) => p.node)).toEqual(r.nodes);
    for (const p of r.report.problems) expect(p.kind === 'no-digest' && p.reason).toMatch(/cannot create the dump Pod \(403 Forbidden\).*"create" on "pods"/);
    expect(sim.api.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/pods'))).toHaveLength(r.nodes.length);
    expect(sim.api.deletedPods).toEqual([]);
  }, 120_000);

  it('on cancel creates no new Pod and deletes every Pod it created before returning', async () => {
    sim = await startFleetStandIn({ size: 52, runMs: 200 });
    const cancel = new AbortController();
    let created = 0;
    const r = await collectLiveFleet({
      kubeconfigPath: sim.kubeconfigPath,
      env: {},
      ...FAST,
      signal: cancel.signal,
      onProgress: (e) => {
        if (e.kind === 'node-started' && ++created === 25) cancel.abort();
      },
    });
    expect(r.cancelled).toBe(true);
    expect(sim.api.createdPods.length).toBeLessThan(52);
    everyPodDeleted(sim);
    expect(r.report.problems.some((p) => p.kind === 'no-digest' && p.reason === 'not started: the run was cancelled')).toBe(true);
  }, 120_000);

  it('says so when no node matches the selector, before creating any Pod', async () => {
    sim = await startFleetStandIn({ size: 52 });
    await expect(collectLiveFleet({ kubeconfigPath: sim.kubeconfigPath, env: {}, selector: 'pool=none', ...FAST })).rejects.toThrow(/no node matches --selector pool=none \(of 52\)/);
    expect(sim.api.createdPods).toEqual([]);
  });
});
