// The fleet API: a live fleet run as a server job, through the real collectLiveFleet against the
// fake API server (the only stand-in; its kubelet double prints each simulated node's digest, see
// apps/collector/src/fleet/testing/fleet-stand-in.ts), 52 nodes.
import { afterEach, describe, expect, it } from 'vitest';
import { collectLiveFleet } from '@svcpath/collector';
import { startFleetStandIn, type FleetStandIn } from '../../../collector/src/fleet/testing/fleet-stand-in';
import { startServer, type RunningServer } from '../start-server';
import type { FleetRunView } from '@svcpath/api-contract';

let sim: FleetStandIn | undefined;
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  await sim?.close();
  server = sim = undefined;
});

async function start(o: { runMs?: number } = {}) {
  sim = await startFleetStandIn({ size: 52, neverRun: ['node-50'], ...o });
  const kubeconfigPath = sim.kubeconfigPath;
  server = await startServer({ port: 0, webDist: null, fleet: (opts) => collectLiveFleet({ ...opts, kubeconfigPath, env: {}, pollIntervalMs: 10, startTimeoutMs: 1_000 }) });
  return server.url;
}

const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as { run: FleetRunView | null; error?: { code: string } } });
const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(json);

async function until(url: string, done: (r: FleetRunView) => boolean): Promise<FleetRunView> {
  for (;;) {
    const { body } = await fetch(`${url}/api/fleet/runs/latest`).then(json);
    if (body.run && done(body.run)) return body.run;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('/api/fleet/runs', () => {
  it('runs the live fleet collection as a job, stores the dumps of the nodes that disagree, serves its report; one run at a time', async () => {
    const url = await start();
    expect((await fetch(`${url}/api/fleet/runs/latest`).then(json)).body).toEqual({ run: null });
    const started = await post(`${url}/api/fleet/runs`, { dumps: 'disagreeing' });
    expect(started.status).toBe(202);
    expect(started.body.run).toMatchObject({ state: 'running', progress: { round: 0 } });
    const again = await post(`${url}/api/fleet/runs`, {});
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'FLEET_RUN_RUNNING' } } });
    const run = await until(url, (r) => r.state !== 'running');
    expect(run.state).toBe('succeeded');
    expect(run.result?.nodes).toBe(52);
    expect(run.result?.report.compared).toBe(51);
    expect(run.result?.report.drift.map((d) => d.portName).sort()).toEqual([...new Set(sim!.fleet.planted.map((p) => p.portName))].sort());
    expect(run.result?.report.problems).toEqual([expect.objectContaining({ node: 'node-50', kind: 'no-digest' })]);
    expect(run.result?.pods.created).toBe(run.result?.pods.deleted);
    expect((await fetch(`${url}/api/fleet/runs/${run.id}`).then(json)).body.run?.id).toBe(run.id);
    // Round 3 stored a snapshot of each node that disagrees: the fleet view links them to their trace.
    expect(run.result?.dumps.map((d) => d.node)).toEqual([...sim!.drifting]);
    const listed = (await (await fetch(`${url}/api/snapshots`)).json()) as { snapshots: { id: string; node: string }[] };
    expect(listed.snapshots.map((x) => x.id).sort()).toEqual(run.result!.dumps.map((d) => d.snapshotId).sort());
  }, 120_000);

  it('cancels a run: every Pod deleted, the run ends cancelled with what it has', async () => {
    const url = await start({ runMs: 1_000 });
    const { body } = await post(`${url}/api/fleet/runs`, { selector: 'svcpath.test/pool=even', concurrency: 5 });
    await until(url, (r) => r.progress.round === 1);
    await post(`${url}/api/fleet/runs/${body.run!.id}/cancel`, {});
    const run = await until(url, (r) => r.state !== 'running');
    expect(run.state).toBe('cancelled');
    expect(sim!.api.deletedPods.length).toBe(sim!.api.createdPods.length);
  }, 60_000);

  it('refuses a bad request and names a missing run', async () => {
    const url = await start();
    expect((await post(`${url}/api/fleet/runs`, { concurrency: 0 })).body.error?.code).toBe('INVALID_REQUEST');
    expect((await fetch(`${url}/api/fleet/runs/nope`).then(json)).body.error?.code).toBe('FLEET_RUN_NOT_FOUND');
  });
});
