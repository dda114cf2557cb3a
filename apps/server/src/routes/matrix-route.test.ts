import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../start-server';

/**
 * GET /api/snapshots/:id/matrix over real HTTP, on the demo collection (scripts/make-demo.ts):
 * two nodes, worker-2's kube-proxy stale; both snapshots carry the cluster state.
 */
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ port: 0, collections: [fileURLToPath(new URL('../../demo', import.meta.url))] });
});
afterAll(async () => {
  await server?.close();
});

/** Test-only: response bodies are read loosely and checked field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, body: await res.json() };
}

describe('GET /api/snapshots/:id/matrix', () => {
  it('judges both nodes against the cluster state: worker-2 is the odd one', async () => {
    const r = await get('/api/snapshots/demo~worker-1/matrix');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ collection: 'demo', nodes: ['worker-1', 'worker-2'], judgedBy: 'cluster-state', matrix: null });
    expect(r.body.findings.map((f: { node: string; service: string }) => `${f.node} ${f.service}`)).toEqual(['worker-2 monitoring/grafana:http', 'worker-2 shop/frontend:http']);
    expect(r.body.findings[0].help).toBe('docs/doctor.md#node_odd_one_out');
  });

  it('traces one packet on every node: outcome per node, the gone endpoint marked', async () => {
    const r = await get('/api/snapshots/demo~worker-2/matrix?src=10.180.1.20&dst=172.30.0.44&dport=80');
    expect(r.status).toBe(200);
    const rows = r.body.matrix.rows.map((o: { outcome: string; shares: object; goneEndpoint?: boolean }) => [o.outcome, o.shares, o.goneEndpoint ?? false]);
    expect(rows).toContainEqual(['DNAT 10.180.1.9:80', { 'worker-1': 0, 'worker-2': 0.5 }, true]);
    expect(r.body.matrix.nodes.map((n: { node: string; delivered: number }) => [n.node, n.delivered])).toEqual([
      ['worker-1', 1],
      ['worker-2', 0.5],
    ]);
  });

  it('refuses a half-given packet and an unknown snapshot with typed errors', async () => {
    const half = await get('/api/snapshots/demo~worker-1/matrix?dst=172.30.0.44');
    expect(half.status).toBe(400);
    expect(half.body.error.code).toBe('INVALID_REQUEST');
    expect((await get('/api/snapshots/demo~worker-1/matrix?src=nope&dst=172.30.0.44&dport=80')).status).toBe(400);
    expect((await get('/api/snapshots/nope~x/matrix')).body.error.code).toBe('SNAPSHOT_NOT_FOUND');
  });
});
