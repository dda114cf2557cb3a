import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../start-server';

/** Streaming imports and the aggregated overview over real HTTP, with the demo collection loaded. */
let server: RunningServer;
const DEMO = 'demo~worker-1';

beforeAll(async () => {
  server = await startServer({ port: 0, collections: [fileURLToPath(new URL('../../demo', import.meta.url))] });
});
afterAll(async () => {
  await server?.close();
});

/** Test-only: response bodies are read loosely and checked field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function api(path: string, init: RequestInit = {}): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${server.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
const announce = (body: unknown) => api('/api/imports', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A PUT whose body is written by the test, chunk by chunk (fetch would send it all at once). */
function slowPut(path: string): { write: (b: Buffer) => void; end: () => void; response: Promise<{ status: number; body: string } | { error: string }> } {
  const req = httpRequest(`${server.url}${path}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' } });
  const response = new Promise<{ status: number; body: string } | { error: string }>((resolve) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (e) => resolve({ error: e.message }));
  });
  return { write: (b) => req.write(b), end: () => req.end(), response };
}

const demoText = async () => (await server.snapshots.get(DEMO))!.files[0]!.text;

describe('streaming imports', () => {
  it('announces, streams the body in chunks, reports its phases and stores the snapshot', async () => {
    const text = Buffer.from(await demoText());
    const started = await announce({ node: 'stream-1', nodeIPs: ['192.168.0.2'], bytes: text.length });
    expect(started.status).toBe(201);
    expect(started.body.import).toMatchObject({ phase: 'waiting', total: text.length, received: 0 });
    const id = started.body.import.id as string;
    const put = slowPut(`/api/imports/${id}/body`);
    put.write(text.subarray(0, 1000));
    await expect.poll(async () => (await api(`/api/imports/${id}`)).body.import.received).toBe(1000);
    expect((await api(`/api/imports/${id}`)).body.import.phase).toBe('receiving');
    put.write(text.subarray(1000));
    put.end();
    const res = await put.response;
    expect('status' in res && res.status).toBe(201);
    const body = JSON.parse((res as { body: string }).body);
    expect(body.snapshot).toMatchObject({ id: 'imported~stream-1', node: 'stream-1' });
    expect(body.load.serviceCount).toBe(9);
    const done = (await api(`/api/imports/${id}`)).body.import;
    expect(done).toMatchObject({ phase: 'done', received: text.length, snapshotId: 'imported~stream-1', error: null });
    expect(Object.keys(done.phaseMs)).toEqual(expect.arrayContaining(['receiving', 'parsing', 'storing']));
    expect((await api('/api/snapshots/imported~stream-1/trace', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ src: '10.180.1.10', dst: '172.30.0.60', dport: 8080 }) })).body.outcomes[0].verdict).toBe('DNAT');
  });

  it('cancels an import while its body arrives: nothing is stored', async () => {
    const started = await announce({ node: 'stream-cancel', bytes: 1_000_000 });
    const id = started.body.import.id as string;
    const put = slowPut(`/api/imports/${id}/body`);
    put.write(Buffer.from('*nat\n:KUBE-SERVICES - [0:0]\n'));
    await expect.poll(async () => (await api(`/api/imports/${id}`)).body.import.phase).toBe('receiving');
    const cancelled = await api(`/api/imports/${id}`, { method: 'DELETE' });
    expect(cancelled.body.import).toMatchObject({ phase: 'cancelled', error: { code: 'CANCELLED' } });
    const res = await put.response;
    expect('error' in res || res.status === 499).toBe(true);
    expect((await api('/api/snapshots')).body.snapshots.map((s: Json) => s.node)).not.toContain('stream-cancel');
    // A cancelled import takes no body any more.
    expect((await api(`/api/imports/${id}/body`, { method: 'PUT', body: 'x' })).status).toBe(400);
  });

  it('refuses bytes that are not UTF-8, an empty body and a file without rules, naming what was wrong', async () => {
    const bad = await announce({ node: 'bad' });
    const r1 = await api(`/api/imports/${bad.body.import.id}/body`, { method: 'PUT', body: new Uint8Array([0x2a, 0x6e, 0xff, 0xfe]) });
    expect(r1.status).toBe(400);
    expect(r1.body.error.message).toMatch(/not UTF-8/);
    expect((await api(`/api/imports/${bad.body.import.id}`)).body.import.phase).toBe('failed');
    const empty = await announce({ node: 'empty' });
    expect((await api(`/api/imports/${empty.body.import.id}/body`, { method: 'PUT', body: '' })).body.error.message).toBe('empty dump');
    const none = await announce({ node: 'none' });
    const r3 = await api(`/api/imports/${none.body.import.id}/body`, { method: 'PUT', body: 'hello world\n' });
    expect(r3.status).toBe(422);
    expect(r3.body.error.code).toBe('NO_RULES');
    expect((await announce({ node: '../etc' })).status).toBe(400);
    expect((await api('/api/imports/nope')).status).toBe(404);
  });

  it('two imports of one node at once get two ids', async () => {
    const text = await demoText();
    const go = async () => {
      const a = await announce({ node: 'twin' });
      return (await api(`/api/imports/${a.body.import.id}/body`, { method: 'PUT', body: text })).body.snapshot.id as string;
    };
    const ids = await Promise.all([go(), go()]);
    expect(new Set(ids).size).toBe(2);
  });
});

describe('aggregated overview', () => {
  it('counts Services per namespace and lists one namespace as rows', async () => {
    const o = (await api(`/api/snapshots/${DEMO}/overview`)).body;
    expect(o.services).toBe(9);
    expect(o.namespaces.reduce((n: number, x: Json) => n + x.services, 0)).toBe(9);
    const ns = o.namespaces[0].name as string;
    const rows = (await api(`/api/snapshots/${DEMO}/namespaces/${ns}/services`)).body;
    expect(rows.namespace).toBe(ns);
    expect(rows.services).toHaveLength(o.namespaces[0].services);
    expect(rows.services[0]).toMatchObject({ id: expect.stringMatching(new RegExp(`^${ns}/`)), endpoints: expect.any(Number) });
    expect((await api(`/api/snapshots/${DEMO}/namespaces/no-such-ns/services`)).body.services).toEqual([]);
    expect((await api(`/api/snapshots/${DEMO}/namespaces/..%2Fx/services`)).status).toBe(400);
  });
});
