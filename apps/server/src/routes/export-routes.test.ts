import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Snapshot } from '@svcpath/api-contract';
import { redactText, type RedactionMapping } from '@svcpath/redact';
import { startServer, type RunningServer } from '../start-server';

/** GET /api/snapshots/:id/export over real HTTP, on the demo collection. */
let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0, collections: [fileURLToPath(new URL('../../demo', import.meta.url))] });
});
afterAll(async () => {
  await server?.close();
});

const get = async (path: string) => {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, disposition: res.headers.get('content-disposition') };
};

describe('GET /api/snapshots/:id/export', () => {
  it('returns the stored snapshot document as it is', async () => {
    const r = await get('/api/snapshots/demo~worker-1/export');
    expect(r.status).toBe(200);
    const s = Snapshot.parse(r.body);
    expect(s.node).toBe('worker-1');
    expect(JSON.stringify(s)).toContain('shop/frontend');
  });

  it('redacts names and addresses with ?redact=1, as a valid snapshot', async () => {
    // A fixed seed: with a fresh one, a private address can now and then map onto one of the originals.
    const r = await get('/api/snapshots/demo~worker-1/export?redact=1&seed=0123456789');
    expect(r.status).toBe(200);
    const s = Snapshot.parse(r.body);
    const text = JSON.stringify(s);
    for (const name of ['frontend', 'checkout', 'shop', 'payments', 'worker-1', 'worker-2', 'kind-demo', '192.168.0.2', '10.180.0.4']) expect(text).not.toContain(name);
    expect(s.node).toMatch(/^node-\d+$/);
    expect(s.files[0]!.text).toMatch(/--comment "?ns-\d+\/svc-\d+:http/);
    expect(r.disposition).toContain(`${s.id}.svcpath.json`);
  });

  it('uses a fresh seed each time unless one is given, and returns the mapping when asked', async () => {
    const a = await get('/api/snapshots/demo~worker-1/export?redact=1');
    const b = await get('/api/snapshots/demo~worker-1/export?redact=1');
    expect(JSON.stringify(a.body)).not.toBe(JSON.stringify(b.body));
    const c = await get('/api/snapshots/demo~worker-1/export?redact=1&mapping=1&seed=0123456789');
    const d = await get('/api/snapshots/demo~worker-1/export?redact=1&seed=0123456789');
    expect(c.body.snapshot).toEqual(d.body);
    const mapping = c.body.mapping as RedactionMapping;
    expect(mapping.names.service.frontend).toMatch(/^svc-\d+$/);
    expect(redactText('shop/frontend:http 10.180.0.4:80', mapping)).toBe(`${mapping.names.namespace.shop}/${mapping.names.service.frontend}:http ${mapping.addresses['10.180.0.4'] ?? redactText('10.180.0.4', mapping)}:80`);
  });

  it('answers unknown snapshots and bad queries with the usual errors', async () => {
    expect((await get('/api/snapshots/nope~x/export')).status).toBe(404);
    const bad = await get('/api/snapshots/demo~worker-1/export?redact=maybe');
    expect(bad.status).toBe(400);
    expect((bad.body.error as { code: string }).code).toBe('INVALID_REQUEST');
  });
});
