import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../start-server';
import { countersDump as dump } from './counters-fixture';

/**
 * GET /api/snapshots/:id/counters?since=… over real HTTP: two `iptables-save -c` dumps of one node
 * (the same rules, a minute apart) imported through the API, then compared.
 */
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ port: 0 });
});
afterAll(async () => {
  await server?.close();
});

/** Test-only: response bodies are read loosely and checked field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function api(path: string, init: RequestInit = {}): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${server.url}${path}`, init);
  return { status: res.status, body: await res.json() };
}

async function importDump(node: string, takenAt: string, text: string): Promise<string> {
  const r = await api('/api/snapshots', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ collection: 'counters', node, takenAt, files: [{ name: 'iptables-save.txt', text }] }),
  });
  expect(r.status).toBe(201);
  return r.body.snapshot.id as string;
}

describe('GET /api/snapshots/:id/counters', () => {
  let before: string;
  let after: string;
  beforeAll(async () => {
    before = await importDump('worker-1', '2026-01-01T00:00:00.000Z', dump({ svc: 100, sep1: 40, sep2: 60, reject: 3 }));
    after = await importDump('worker-1', '2026-01-01T00:01:00.000Z', dump({ svc: 130, sep1: 52, sep2: 78, reject: 8 }));
  });

  it('reports the rules whose counters moved, per Service, and where packets died', async () => {
    const r = await api(`/api/snapshots/${after}/counters?since=${before}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ node: 'worker-1', since: { id: before }, until: { id: after }, seconds: 60, hasCounters: true });
    expect(r.body.moved.map((d: Json) => `${d.table}/${d.chain}#${d.index}@${d.line} +${d.packets}/${d.bytes}`)).toEqual([
      'filter/KUBE-SERVICES#1@6 +5/300',
      'nat/PREROUTING#1@17 +30/1800',
      'nat/KUBE-SERVICES#1@18 +30/1800',
      'nat/KUBE-SVC-AAAAAAAAAAAAAAAA#1@19 +12/720',
      'nat/KUBE-SVC-AAAAAAAAAAAAAAAA#2@20 +18/1080',
      'nat/KUBE-SEP-BBBBBBBBBBBBBBBB#1@21 +12/720',
      'nat/KUBE-SEP-CCCCCCCCCCCCCCCC#1@22 +18/1080',
    ]);
    expect(r.body.died).toEqual([expect.objectContaining({ chain: 'KUBE-SERVICES', died: 'REJECT', packets: 5, service: 'ns3/svc3:p80' })]);
    expect(r.body.services).toEqual([
      { service: 'ns1/svc1:p80', endpoints: [{ destination: '10.180.0.2:80', connections: 18 }, { destination: '10.180.0.1:80', connections: 12 }], connections: 30, died: 0, rules: 5 },
      { service: 'ns3/svc3:p80', endpoints: [], connections: 0, died: 5, rules: 1 },
    ]);
  });

  it('reparses snapshots the engine has let go of (both are sent again)', async () => {
    // The engine keeps the last 6 parsed snapshots: importing 7 more pushes out both.
    for (let i = 0; i < 7; i++) await importDump(`filler-${i}`, '2026-01-01T00:00:00.000Z', dump({ svc: i, sep1: 0, sep2: 0, reject: 0 }));
    const r = await api(`/api/snapshots/${after}/counters?since=${before}`);
    expect(r.status).toBe(200);
    expect(r.body.moved).toHaveLength(7);
  });

  it('refuses snapshots of another node, without counters, unknown or itself', async () => {
    const other = await importDump('worker-2', '2026-01-01T00:00:30.000Z', dump({ svc: 1, sep1: 1, sep2: 0, reject: 0 }));
    const mismatch = await api(`/api/snapshots/${after}/counters?since=${other}`);
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.error).toMatchObject({ code: 'NODE_MISMATCH', details: { node: 'worker-1', sinceNode: 'worker-2' } });

    const plainBefore = await importDump('plain', '2026-01-01T00:00:00.000Z', dump({ svc: 0, sep1: 0, sep2: 0, reject: 0 }, false));
    const plainAfter = await importDump('plain', '2026-01-01T00:01:00.000Z', dump({ svc: 0, sep1: 0, sep2: 0, reject: 0 }, false));
    const none = await api(`/api/snapshots/${plainAfter}/counters?since=${plainBefore}`);
    expect(none.status).toBe(422);
    expect(none.body.error.code).toBe('NO_COUNTERS');

    expect((await api(`/api/snapshots/${after}/counters?since=nope`)).body.error.code).toBe('SNAPSHOT_NOT_FOUND');
    expect((await api(`/api/snapshots/${after}/counters?since=${after}`)).status).toBe(400);
    const missing = await api(`/api/snapshots/${after}/counters`);
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('INVALID_REQUEST');
  });
});
