/**
 * `svcpath fleet --live` end to end against the fake API server (the only stand-in: no
 * kube-apiserver runs here; its kubelet double prints each simulated node's digest, see
 * apps/collector/src/fleet/testing/fleet-stand-in.ts): 52 nodes, drift planted on a few, a node that
 * never runs its Pod, an RBAC refusal; then the built CLI, cancelled with SIGINT mid-run. Every
 * Pod created is deleted. The built CLI is what `npm ci` builds (scripts/build.mjs).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createFileSnapshotStore, DEFAULT_DIGEST_IMAGE, DEFAULT_DIGEST_NAMESPACE } from '@svcpath/collector';
import { startFleetStandIn, type FleetStandIn } from '../../collector/src/fleet/testing/fleet-stand-in';
import { fleetCommand, LIVE_IMAGE, LIVE_NAMESPACE } from './fleet-command';
import { CliError, type Io } from './io';

const REPO = join(import.meta.dirname, '..', '..', '..');

let sim: FleetStandIn | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd: REPO };
  const code = await fleetCommand(args, io).catch((e: unknown) => {
    if (!(e instanceof CliError)) throw e;
    stderr += e.message;
    return e.exitCode;
  });
  return { code, stdout, stderr };
}

function everyPodDeleted(s: FleetStandIn): void {
  const created = s.api.createdPods.map((p) => `svcpath-nodes/${(p as { metadata: { name: string } }).metadata.name}`).sort();
  expect(created.length).toBeGreaterThan(0);
  expect([...s.api.deletedPods].sort()).toEqual(created);
}

describe('svcpath fleet --live', () => {
  it('prints the same report as the offline command, marked partial, with the node that never ran its Pod and why', async () => {
    sim = await startFleetStandIn({ size: 52, neverRun: ['node-50'] });
    const r = await run(['--live', '--kubeconfig', sim.kubeconfigPath, '--node-timeout', '6']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Context sim \(https:\/\/127\.0\.0\.1:\d+\), 52 nodes selected — PARTIAL: 1 not compared\.\n51 nodes compared \(49 iptables, 2 nftables\) on \d+ Service ports: 46 agree with the cluster state, 5 do not\./);
    for (const p of sim.fleet.planted) expect(r.stdout).toContain(p.portName);
    expect(r.stdout).toMatch(/node-50: the digest Pod svcpath-nodes\/svcpath-digest-… did not start within 4000 ms/);
    expect(r.stdout).toMatch(/57 Pods created, 57 deleted/);
    expect(r.stderr).toContain('svcpath fleet: digest Pods on 52 nodes');
    expect(r.stderr).toContain('node-50: failed');
    expect(r.stderr).toContain('[52/52]');
    everyPodDeleted(sim);
  }, 120_000);

  it('--dumps disagreeing stores a snapshot of each node that disagrees, through dump Pods, all deleted', async () => {
    sim = await startFleetStandIn({ size: 52 });
    const store = mkdtempSync(join(tmpdir(), 'svcpath-fleet-store-'));
    const r = await run(['--live', '--kubeconfig', sim.kubeconfigPath, '--node-timeout', '20', '--dumps', 'disagreeing', '--store', store, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { dumps: { node: string; snapshotId: string | null }[] };
    expect(out.dumps.map((d) => d.node)).toEqual([...sim.drifting]);
    const listed = await createFileSnapshotStore(store).list();
    expect(listed.snapshots.map((x) => x.id).sort()).toEqual(out.dumps.map((d) => d.snapshotId).sort());
    expect(r.stderr).toContain(`svcpath fleet: full dumps of ${sim.drifting.length} nodes`);
    everyPodDeleted(sim);
  }, 120_000);

  it('an RBAC refusal: every node not compared and why, exit 1, no Pod left', async () => {
    sim = await startFleetStandIn({ size: 52, forbidden: [{ resource: 'pods', verb: 'create', namespace: 'svcpath-nodes' }] });
    const r = await run(['--live', '--kubeconfig', sim.kubeconfigPath, '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { report: { compared: number; problems: { reason: string }[] } };
    expect(out.report.compared).toBe(0);
    expect(out.report.problems).toHaveLength(52);
    expect(out.report.problems[0]!.reason).toMatch(/403 Forbidden.*kubectl auth can-i create pods -n svcpath-nodes/);
    expect(sim.api.deletedPods).toEqual([]);
  }, 60_000);

  it('refuses live flags without --live, and files with it; its help defaults match the collector', async () => {
    expect((await run(['--selector', 'a=b', '--digests', '.', '--cluster-state', 'x'])).stderr).toMatch(/^--selector needs --live/);
    expect((await run(['--live', '--digests', '.'])).code).toBe(2);
    expect((await run(['--live', '--dumps', 'some'])).stderr).toMatch(/--dumps: expected "disagreeing" or "all"/);
    expect([LIVE_IMAGE, LIVE_NAMESPACE]).toEqual([DEFAULT_DIGEST_IMAGE, DEFAULT_DIGEST_NAMESPACE]);
  });
});

describe('the built svcpath fleet --live', () => {
  it('on SIGINT stops creating Pods, deletes every Pod it created and exits 130', async () => {
    sim = await startFleetStandIn({ size: 52, runMs: 3_000 });
    const child = spawn(process.execPath, [join(REPO, 'node_modules/.bin/svcpath'), 'fleet', '--live', '--kubeconfig', sim.kubeconfigPath], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const api = sim.api;
    while (api.createdPods.length < 20) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('cancelled; deleting the Pods already created');
    expect(stdout).toContain('CANCELLED, partial');
    expect(api.createdPods.length).toBeLessThan(52);
    everyPodDeleted(sim);
  }, 60_000);
});
