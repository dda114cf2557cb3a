import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIptablesSave, generateScaleCluster, renderIptablesRules } from '@svcpath/kube-proxy-sim';
import { startServer, type RunningServer } from './start-server';

/** The API over real HTTP: the server listens on a free port, with the demo collection loaded. */
let server: RunningServer;
const DEMO = 'demo~worker-1';
/** Services with rules on worker-1 of the demo (scripts/make-demo.ts): not the headless or ExternalName ones. */
const DEMO_SERVICES = 9;

beforeAll(async () => {
  server = await startServer({ port: 0, collections: [fileURLToPath(new URL('../demo', import.meta.url))] });
});
afterAll(async () => {
  await server?.close();
});

/** Test-only: response bodies are read loosely and checked field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function api(path: string, init: RequestInit = {}): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await fetch(`${server.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  api(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** fetch cannot send a foreign Host header; node:http can. */
function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, { headers }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('snapshots', () => {
  it('lists the demo collection without dump text', async () => {
    const r = await api('/api/snapshots');
    expect(r.status).toBe(200);
    expect(r.body.snapshots).toEqual([
      { id: DEMO, collection: 'demo', node: 'worker-1', takenAt: '2025-01-01T00:00:00.000Z', nodeIPs: ['192.168.0.2'], files: [{ name: 'iptables-save.txt', bytes: expect.any(Number) }], hasClusterState: true, readOnly: true },
      { id: 'demo~worker-2', collection: 'demo', node: 'worker-2', takenAt: '2025-01-01T00:00:00.000Z', nodeIPs: ['192.168.0.3'], files: [{ name: 'iptables-save.txt', bytes: expect.any(Number) }], hasClusterState: true, readOnly: true },
    ]);
  });

  it('gets one with its parse summary', async () => {
    const r = await api(`/api/snapshots/${DEMO}`);
    expect(r.body.load).toMatchObject({ formats: [{ file: 'iptables-save.txt', format: 'iptables' }], serviceCount: DEMO_SERVICES, diagnosticCount: 0 });
    expect(r.body.load.chainCount).toBeGreaterThan(20);
  });

  it('imports a pasted dump (JSON and text/plain), traces it, deletes it', async () => {
    const text = (await server.snapshots.get(DEMO))!.files[0]!.text;
    const created = await post('/api/snapshots', { node: 'worker-7', nodeIPs: ['192.168.0.2'], files: [{ name: 'dump.txt', text }] });
    expect(created.status).toBe(201);
    expect(created.body.snapshot).toMatchObject({ id: 'imported~worker-7', node: 'worker-7', collection: 'imported' });
    const again = await api('/api/snapshots?x=1', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: text });
    expect(again.status).toBe(201);
    expect(again.body.snapshot.id).toBe('imported~pasted');
    const t = await post('/api/snapshots/imported~worker-7/trace', { src: '10.180.1.10', dst: '172.30.0.60', dport: 8080 });
    expect(t.body.outcomes[0]).toMatchObject({ verdict: 'DNAT', destination: '192.168.10.20:8080' });
    expect((await api('/api/snapshots/imported~worker-7', { method: 'DELETE' })).status).toBe(204);
    expect((await api('/api/snapshots/imported~worker-7')).body.error.code).toBe('SNAPSHOT_NOT_FOUND');
    expect((await api('/api/snapshots/imported~pasted', { method: 'DELETE' })).status).toBe(204);
  });

  it('refuses a file with no rules (422) and a bad body (400)', async () => {
    const none = await post('/api/snapshots', { node: 'n', files: [{ name: 'x.txt', text: 'hello world\n' }] });
    expect(none.status).toBe(422);
    expect(none.body.error.code).toBe('NO_RULES');
    const bad = await post('/api/snapshots', { node: '../etc', files: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'INVALID_REQUEST', details: { issues: expect.arrayContaining([expect.stringMatching(/^node:/), expect.stringMatching(/^files:/)]) } });
    expect((await api('/api/snapshots')).body.snapshots).toHaveLength(2);
  });
});

describe('services and graphs', () => {
  it('searches Services by name, ClusterIP and NodePort', async () => {
    const ids = async (q: string) => (await api(`/api/snapshots/${DEMO}/services?q=${encodeURIComponent(q)}`)).body.services.map((s: { id: string }) => s.id);
    expect(await ids('frontend')).toEqual(['shop/frontend']);
    expect(await ids('172.30.0.45')).toEqual(['shop/checkout']);
    expect(await ids('30446')).toEqual(['shop/cart']);
    expect((await api(`/api/snapshots/${DEMO}/services`)).body.total).toBe(DEMO_SERVICES);
  });

  it('looks one Service up by its id: what the search lists for it', async () => {
    const one = await api(`/api/snapshots/${DEMO}/services/shop/frontend`);
    expect(one.status).toBe(200);
    const listed = (await api(`/api/snapshots/${DEMO}/services?q=shop/frontend`)).body.services.find((s: { id: string }) => s.id === 'shop/frontend');
    expect(one.body.service).toEqual(listed);
    const missing = await api(`/api/snapshots/${DEMO}/services/ns9/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('SERVICE_NOT_FOUND');
  });

  it('serves the overview and a per-Service graph', async () => {
    const o = await api(`/api/snapshots/${DEMO}/graph`);
    expect(o.body.kind).toBe('overview');
    expect(o.body.nodes.filter((n: { kind: string }) => n.kind === 'service')).toHaveLength(DEMO_SERVICES);
    const g = await api(`/api/snapshots/${DEMO}/services/shop/frontend/graph`);
    expect(g.body.edges.filter((e: { probability?: number; kind: string }) => e.kind === 'jump' && e.probability === 0.5)).toHaveLength(2);
    const missing = await api(`/api/snapshots/${DEMO}/services/ns9/nope/graph`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('SERVICE_NOT_FOUND');
  });
});

describe('trace', () => {
  it('traces a ClusterIP: two endpoints at 50%', async () => {
    const r = await post(`/api/snapshots/${DEMO}/trace`, { src: '10.180.1.10', dst: '172.30.0.44', dport: 80, proto: 'tcp' });
    expect(r.status).toBe(200);
    expect(r.body.outcomes.map((o: { probability: number; destination: string }) => [o.probability, o.destination]).sort()).toEqual([
      [0.5, '10.180.0.4:80'],
      [0.5, '10.180.0.5:80'],
    ]);
  });

  it('uses the snapshot node IPs (NodePort) and affinity for a returning client', async () => {
    const first = await post(`/api/snapshots/${DEMO}/trace`, { src: '203.0.113.2', dst: '192.168.0.2', dport: 30446 });
    expect(first.body.outcomes.map((o: { destination: string }) => o.destination).sort()).toEqual(['10.180.0.8:8080', '10.180.1.8:8080']);
    expect(first.body.outcomes[0]).toMatchObject({ masquerade: true, affinity: { seconds: 10800 } });
    const back = await post(`/api/snapshots/${DEMO}/trace`, { src: '10.180.1.10', dst: '172.30.0.46', dport: 80, returningTo: '10.180.0.8:8080' });
    expect(back.body.outcomes).toHaveLength(1);
    expect(back.body.outcomes[0].path.some((s: { chain: string; rule: number }) => s.chain === 'KUBE-SVC-I5LIAMPLWKMBJ54B' && s.rule === 2)).toBe(true);
  });

  it('validates the flow with FlowInput', async () => {
    const r = await post(`/api/snapshots/${DEMO}/trace`, { src: 'ten', dst: '172.30.0.44', dport: 0 });
    expect(r.status).toBe(400);
    expect(r.body.error.details.issues).toEqual(expect.arrayContaining([expect.stringMatching(/^src:/), expect.stringMatching(/^dport:/)]));
    expect((await post(`/api/snapshots/${DEMO}/trace`, '{"src":')).body.error.code).toBe('INVALID_JSON');
    const big = await post(`/api/snapshots/${DEMO}/trace`, { src: '10.0.0.2', dst: '172.30.0.44', dport: 80, pad: 'x'.repeat(20_000) });
    expect([big.status, big.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });
});

describe('security', () => {
  it('refuses foreign Host headers (DNS rebinding) and cross-origin requests', async () => {
    expect((await rawGet('/api/snapshots', { host: 'attacker.example:80' })).body.error.code).toBe('FORBIDDEN_HOST');
    expect((await rawGet('/api/snapshots', { host: `localhost:${server.port}` })).status).toBe(200);
    const cross = await post(`/api/snapshots/${DEMO}/trace`, { src: '10.0.0.2', dst: '172.30.0.44', dport: 80 }, { origin: 'http://attacker.example' });
    expect([cross.status, cross.body.error.code]).toEqual([403, 'FORBIDDEN_ORIGIN']);
    const same = await post(`/api/snapshots/${DEMO}/trace`, { src: '10.0.0.2', dst: '172.30.0.44', dport: 80 }, { origin: server.url });
    expect(same.status).toBe(200);
  });

  it('sets CSP and related headers; unknown API routes are JSON 404s', async () => {
    const r = await api('/api/nope');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('x-powered-by')).toBeNull();
  });
});

describe('large dumps', () => {
  it('parses off the event loop: health checks answer while a big dump is imported', { timeout: 120_000 }, async () => {
    // kube-proxy's rules for a generated 4,000-Service cluster (@svcpath/kube-proxy-sim).
    const cluster = generateScaleCluster({ services: 4000, endpointsPerService: 4, seed: 3 });
    const text = formatIptablesSave(renderIptablesRules(cluster, { nodeName: cluster.nodeName, clusterCIDR: cluster.clusterCIDR }).tables);
    const importing = post('/api/snapshots', { node: 'big', files: [{ name: 'big.txt', text }] });
    let done = false;
    void importing.finally(() => (done = true));
    const latencies: number[] = [];
    while (!done) {
      const t0 = performance.now();
      await api('/api/health');
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 25));
    }
    const created = await importing;
    expect(created.status).toBe(201);
    expect(created.body.load.serviceCount).toBe(4000);
    console.log(`import of ${(text.length / 1e6).toFixed(1)} MB: parse ${created.body.load.parseMs} ms, ${latencies.length} health checks, slowest ${Math.max(...latencies).toFixed(0)} ms`);
    expect(latencies.length).toBeGreaterThan(5);
    expect(Math.max(...latencies.slice(2))).toBeLessThan(500);
    const overview = await api('/api/snapshots/imported~big/graph');
    expect(overview.body.nodes.length).toBeLessThanOrEqual(1000);
    expect((await api('/api/snapshots/imported~big', { method: 'DELETE' })).status).toBe(204);
  });
});

describe('GET /api/snapshots/:id/sources', () => {
  it("offers the cluster state's Pods and nodes as trace sources", async () => {
    const r = await api(`/api/snapshots/${encodeURIComponent(DEMO)}/sources`);
    expect(r.status).toBe(200);
    const sources = r.body.sources as { kind: string; name: string; ip: string; node: string | null }[];
    expect(sources.some((s) => s.kind === 'node' && s.name === 'worker-1')).toBe(true);
    const pods = sources.filter((s) => s.kind === 'pod');
    expect(pods.length).toBeGreaterThan(3);
    for (const p of pods) expect(p.name).toMatch(/^[a-z0-9-]+\/[a-z0-9.-]+$/);
  });
  it('is a 404 for an unknown snapshot', async () => {
    expect((await api('/api/snapshots/nope/sources')).status).toBe(404);
  });
});
