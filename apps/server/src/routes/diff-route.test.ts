import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../start-server';

/**
 * GET /api/snapshots/:id/diff and /timeline over real HTTP, on the demo collection
 * (scripts/make-demo.ts): worker-2 was rendered from an older cluster state than worker-1, before a
 * shop/frontend Pod moved and before monitoring/grafana existed.
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
async function get(path: string): Promise<{ status: number; type: string; body: any }> {
  const res = await fetch(`${server.url}${path}`);
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, type, body: type.includes('json') ? await res.json() : await res.text() };
}

describe('GET /api/snapshots/:id/diff', () => {
  it('a snapshot against itself: no change', async () => {
    const r = await get('/api/snapshots/demo~worker-1/diff?to=demo~worker-1');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ servicePorts: [], node: [], before: { label: 'demo~worker-1', mode: 'iptables' } });
  });

  it('the stale rules against the current ones: the moved endpoint and the new Service, with rule lines', async () => {
    const r = await get('/api/snapshots/demo~worker-2/diff?to=demo~worker-1');
    expect(r.status).toBe(200);
    const byPort = Object.fromEntries(r.body.servicePorts.map((p: { portName: string; changes: { kind: string }[] }) => [p.portName, p.changes.map((c) => c.kind)]));
    expect(byPort['shop/frontend:http']).toEqual(expect.arrayContaining(['endpoint-added', 'endpoint-removed']));
    expect(Object.keys(byPort).some((k) => k.startsWith('monitoring/grafana'))).toBe(true);
    const added = r.body.servicePorts.find((p: { portName: string }) => p.portName === 'shop/frontend:http').changes.find((c: { kind: string }) => c.kind === 'endpoint-added');
    expect(added.evidence.after[0]).toMatchObject({ file: expect.any(String), line: expect.any(Number), text: expect.stringContaining('-A KUBE-') });
  });

  it('format=markdown for change reviews', async () => {
    const r = await get('/api/snapshots/demo~worker-2/diff?to=demo~worker-1&format=markdown');
    expect(r.type).toContain('text/markdown');
    expect(r.body).toMatch(/^## What changed: demo~worker-2 \(iptables\) → demo~worker-1 \(iptables\)/);
  });

  it('typed errors: no `to`, an unknown snapshot', async () => {
    expect((await get('/api/snapshots/demo~worker-1/diff')).body.error.code).toBe('INVALID_REQUEST');
    expect((await get('/api/snapshots/demo~worker-1/diff?to=nope~x')).body.error.code).toBe('SNAPSHOT_NOT_FOUND');
  });

  it('timeline: every snapshot of the node, oldest first (the demo holds one per node)', async () => {
    const r = await get('/api/snapshots/demo~worker-1/timeline');
    expect(r.body).toMatchObject({ node: 'worker-1', snapshots: [{ id: 'demo~worker-1' }], steps: [] });
  });
});
