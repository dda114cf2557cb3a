import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FindingsResponse } from '@svcpath/api-contract';
import { startServer, type RunningServer } from '../start-server';

/**
 * GET /api/snapshots/:id/findings over real HTTP, on the demo collection (scripts/make-demo.ts):
 * worker-2 is the stale node, still sending shop/frontend traffic to a Pod that has moved.
 */
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ port: 0, collections: [fileURLToPath(new URL('../../demo', import.meta.url))] });
});
afterAll(async () => {
  await server?.close();
});

async function findings(path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, body: await res.json() };
}

describe('GET /api/snapshots/:id/findings', () => {
  it('runs the doctor with the snapshot\'s cluster state, node name and IPs, most severe first', async () => {
    const r = await findings('/api/snapshots/demo~worker-2/findings');
    expect(r.status).toBe(200);
    const body = FindingsResponse.parse(r.body);
    const codes = body.findings.map((f) => f.code);
    // Drift needs the cluster state: without it these could not be found.
    expect(codes).toEqual(expect.arrayContaining(['DRIFT_NODE_NOT_SYNCING', 'DRIFT_ENDPOINT_STALE', 'DRIFT_SERVICE_MISSING', 'SVC_NO_ENDPOINTS']));
    const ranks = body.findings.map((f) => ({ critical: 0, warning: 1, info: 2 })[f.severity]);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const stale = body.findings.find((f) => f.code === 'DRIFT_ENDPOINT_STALE')!;
    expect(stale).toMatchObject({ service: 'shop/frontend:http', help: 'docs/doctor.md#drift_endpoint_stale' });
    expect(stale.evidence[0]).toEqual({ kind: 'rule', chain: 'nat/KUBE-SVC-PY4JZH2ITZYEO4CN', file: 'iptables-save.txt', line: 145, raw: expect.stringContaining('KUBE-SEP-') });
    // Confirmed by a trace: the path the kernel takes to the gone endpoint.
    expect(stale.evidence).toContainEqual(expect.objectContaining({ kind: 'trace', verdict: 'DNAT', destination: '10.180.1.9:80' }));
    expect(body.notChecked.some((n) => /cluster state/i.test(n))).toBe(false);
    expect(body.focus).toBeNull();
  });

  it('focuses on one Service with ?service=ns/name and traces to it', async () => {
    const body = FindingsResponse.parse((await findings('/api/snapshots/demo~worker-2/findings?service=shop/frontend')).body);
    expect(body.focus).toBe('shop/frontend');
    expect(body.findings.every((f) => f.service === undefined || f.service.startsWith('shop/frontend'))).toBe(true);
    expect(body.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['FLOW_BLOCKED', 'DRIFT_ENDPOINT_STALE']));
    expect(body.findings.find((f) => f.code === 'FLOW_BLOCKED')!.evidence[0]).toMatchObject({ kind: 'trace', path: expect.arrayContaining([expect.objectContaining({ chain: 'KUBE-SERVICES' })]) });
  });

  it('with a traced packet (from, to, proto), the flow findings are about that packet\'s source', async () => {
    const q = '?service=shop/frontend&from=10.180.1.6&to=172.30.0.44:80&proto=tcp';
    const body = FindingsResponse.parse((await findings(`/api/snapshots/demo~worker-2/findings${q}`)).body);
    expect(body.focus).toBe('shop/frontend');
    const flow = body.findings.filter((f) => f.code.startsWith('FLOW_'));
    expect(flow.length).toBeGreaterThan(0);
    // The source is the traced one, named as the Pod it is and where it runs, not a Pod the doctor picked.
    for (const f of flow) expect(f.title).toContain('Pod monitoring/prometheus-0 (10.180.1.6, on this node)');
    const other = FindingsResponse.parse((await findings('/api/snapshots/demo~worker-2/findings?service=shop/frontend&from=192.168.0.99&to=172.30.0.44:80')).body);
    expect(other.findings.filter((f) => f.code.startsWith('FLOW_')).every((f) => f.title.includes('192.168.0.99'))).toBe(true);
    expect(await findings('/api/snapshots/demo~worker-2/findings?from=10.180.1.6&to=nope')).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST' } } });
  });

  it('the healthy node has no drift', async () => {
    const body = FindingsResponse.parse((await findings('/api/snapshots/demo~worker-1/findings')).body);
    expect(body.findings.filter((f) => f.code.startsWith('DRIFT_'))).toEqual([]);
    expect(body.findings.map((f) => f.code)).toContain('SVC_NO_ENDPOINTS');
  });

  it('refuses a malformed service and an unknown snapshot with typed errors', async () => {
    expect(await findings('/api/snapshots/demo~worker-1/findings?service=nope')).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST' } } });
    expect(await findings('/api/snapshots/nope~x/findings')).toMatchObject({ status: 404, body: { error: { code: 'SNAPSHOT_NOT_FOUND' } } });
  });
});
