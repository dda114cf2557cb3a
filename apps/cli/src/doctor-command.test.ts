import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEB, endpointSlice, pod, renderRules, service } from '../../../packages/diagnostics/src/scenario.fixture';
import { doctorCommand } from './doctor-command';

const REPO = join(import.meta.dirname, '..', '..', '..');
const OVERALL = join(REPO, 'packages/tracer/src/fixtures/kube-proxy-conformance/iptables-TestOverallIPTablesRules/iptables-save.txt');

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await doctorCommand(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd: REPO });
  return { code, stdout, stderr };
}

const scratch = mkdtempSync(join(tmpdir(), 'svcpath-doctor-'));
function file(name: string, text: string): string {
  const p = join(scratch, name);
  writeFileSync(p, text);
  return p;
}

// A node whose kube-proxy rendered the rules before the web rollout: 10.244.2.6 is gone, 10.244.3.8 came.
const before = { services: [service(WEB)], endpointSlices: [endpointSlice(WEB, [{ ip: '10.244.1.5', node: 'node-b' }, { ip: '10.244.2.6', node: 'node-c' }], { http: 8080 })] };
const rules = file('node-a.txt', renderRules(before).text);
const after = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    { kind: 'Service', ...service(WEB) },
    { kind: 'EndpointSlice', ...endpointSlice(WEB, [{ ip: '10.244.1.5', node: 'node-b' }, { ip: '10.244.3.8', node: 'node-d' }], { http: 8080 }) },
    pod({ ns: 'shop', name: 'client', ip: '10.244.0.7', labels: { app: 'client' } }),
    pod({ ns: 'shop', name: 'web-1', ip: '10.244.1.5', node: 'node-b', labels: { app: 'web' }, ports: [{ containerPort: 8080 }] }),
  ],
};
const state = file('state.json', JSON.stringify(after));

describe('svcpath doctor', () => {
  it('names the lines it did not understand, on stderr, and says in its notes and JSON that it judged the rest', async () => {
    const text = readFileSync(OVERALL, 'utf8').replace('COMMIT', 'this line is garbage\nCOMMIT');
    const path = file('garbled.txt', text);
    const line = text.split('\n').indexOf('this line is garbage') + 1;
    const r = await run(['--rules', path, '--node', 'test-node', '--node-ip', '192.168.0.2']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${path}:${line}: error: not an iptables-save line`);
    expect(r.stdout).toContain('note: 1 line(s) of the dump were not understood (named above): the doctor judged only the rules it could read');
    const j = JSON.parse((await run(['--rules', path, '--node', 'test-node', '--node-ip', '192.168.0.2', '--json'])).stdout) as { notUnderstood: { file: string; line: number; code: string }[] };
    expect(j.notUnderstood).toEqual([expect.objectContaining({ file: path, line, code: 'IPT_UNKNOWN_LINE' })]);
    // A clean dump's JSON has no such list.
    expect(JSON.parse((await run(['--rules', OVERALL, '--node', 'test-node', '--node-ip', '192.168.0.2', '--json'])).stdout)).not.toHaveProperty('notUnderstood');
  });

  it('prints findings ranked by severity with evidence, next step and help anchor', async () => {
    const r = await run(['--rules', rules, '--cluster-state', state, '--node', 'node-a', '--node-ip', '192.168.0.10']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('svcpath doctor: node-a — 2 finding(s): 1 critical, 1 warning, 0 info');
    expect(lines[2]).toBe('CRITICAL DRIFT_ENDPOINT_STALE  shop/web:http: this node\'s rules send traffic to 1 endpoint(s) that no longer exist');
    expect(r.stdout).toMatch(/node-a\.txt:\d+ {2}-A KUBE-SVC-\S+ .*-> 10\.244\.2\.6:8080/);
    expect(r.stdout).toContain('help: docs/doctor.md#drift_endpoint_stale');
    expect(r.stdout.indexOf('WARNING  DRIFT_ENDPOINT_MISSING')).toBeGreaterThan(r.stdout.indexOf('CRITICAL'));
  });

  it('--json, and --from/--to trace one flow', async () => {
    const r = await run(['--rules', rules, '--cluster-state', state, '--node', 'node-a', '--node-ip', '192.168.0.10', '--from', 'shop/client', '--to', 'shop/web:http', '--json']);
    const json = JSON.parse(r.stdout);
    expect(json.focus).toBe('shop/web');
    expect(json.findings[0]).toMatchObject({ code: 'FLOW_BLOCKED', severity: 'critical', help: 'docs/doctor.md#flow_blocked' });
    expect(json.findings[0].title).toContain('50.0% of new connections from Pod shop/client (10.244.0.7) go to 10.244.2.6:8080');
    expect(json.findings.map((f: { code: string }) => f.code)).toEqual(['FLOW_BLOCKED', 'DRIFT_ENDPOINT_STALE', 'DRIFT_ENDPOINT_MISSING', 'FLOW_DELIVERED']);
  });

  it('reads rules alone and sysctls; says what it could not check', async () => {
    const sysctls = file('sysctl.txt', 'net.ipv4.conf.all.route_localnet = 0\nnet.netfilter.nf_conntrack_max = 1000\nnet.netfilter.nf_conntrack_count = 990\n');
    const r = await run(['--rules', OVERALL, '--node', 'test-node', '--node-ip', '192.168.0.2', '--sysctls', sysctls]);
    expect(r.stdout).toContain('CRITICAL CONNTRACK_TABLE_FULL');
    expect(r.stdout).toContain('WARNING  SYSCTL_ROUTE_LOCALNET');
    expect(r.stdout).toContain('CRITICAL SVC_NO_ENDPOINTS  ns6/svc6:p80 has no endpoints on this node\'s rules');
    expect(r.stdout).toContain('note: No cluster state');
  });

  it('IPVS dumps', async () => {
    const fx = join(REPO, 'packages/parse-ipvs/src/fixtures');
    const addrs = file('kube-ipvs0.txt', '5: kube-ipvs0: <BROADCAST,NOARP> mtu 1500\n    inet 10.96.0.1/32 scope global kube-ipvs0\n');
    const r = await run(['--rules', rules, '--node', 'node-a', '--node-ip', '192.168.49.2', '--ipvs', join(fx, 'kube-proxy-ipvsadm-Sn.txt'), '--ipset', join(fx, 'kube-proxy-ipset-save.txt'), '--ipvs-addresses', addrs, '--json']);
    const codes = JSON.parse(r.stdout).findings.map((f: { code: string }) => f.code);
    expect(codes).toContain('IPVS_VIP_NOT_ON_DUMMY');
  });

  it('usage and input errors', async () => {
    await expect(run(['--rules', rules, '--node-ip', '1.2.3.4'])).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('--node NAME is required') });
    await expect(run(['--rules', rules, '--node', 'a', '--node-ip', 'nope'])).rejects.toMatchObject({ exitCode: 2 });
    await expect(run(['--rules', rules, '--node', 'a', '--node-ip', '1.2.3.4', '--cluster-state', file('bad.json', '{"services":[1]}')])).rejects.toMatchObject({ exitCode: 1, message: expect.stringContaining('services[0] is not a Kubernetes object') });
    await expect(run(['--rules', join(scratch, 'missing.txt'), '--node', 'a', '--node-ip', '1.2.3.4'])).rejects.toMatchObject({ exitCode: 1 });
    expect((await run(['--help'])).stdout).toContain('Usage: svcpath doctor');
  });
});

describe('svcpath doctor --snapshot', () => {
  // The demo collection (apps/server/demo, generated by scripts/make-demo.ts), stored as
  // `svcpath snapshots import` stores it: one <collection>~<node>.json per node.
  const store = mkdtempSync(join(tmpdir(), 'svcpath-doctor-store-'));
  const demo = JSON.parse(readFileSync(join(REPO, 'apps/server/demo/demo.svcpath.json'), 'utf8')) as { snapshots: { id: string }[] };
  for (const s of demo.snapshots) writeFileSync(join(store, `${s.id}.json`), JSON.stringify({ ...s }));

  it('reads the rules, node, addresses and cluster state from the snapshot (worker-2: the drift, no false HOOK critical)', async () => {
    const r = await run(['--snapshot', 'demo~worker-2', '--store', store, '--json']);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ node: 'worker-2', snapshot: 'demo~worker-2' });
    const codes = out.findings.map((f: { code: string }) => f.code);
    expect(codes).toContain('DRIFT_SERVICE_MISSING');
    expect(codes).not.toContain('HOOK_KUBE_SERVICES_UNREACHED');
    expect(out.findings.find((f: { code: string }) => f.code === 'SVC_NO_ENDPOINTS').cause).toEqual({ code: 'SVC_SELECTOR_NO_PODS', service: 'shop/recommendations' });
  });

  it('the text report shows causes and names the flags for what was not checked', async () => {
    const r = await run(['--snapshot', 'demo~worker-1', '--store', store]);
    expect(r.stdout).toContain('follows from SVC_SELECTOR_NO_PODS (shop/recommendations): fix that first');
    expect(r.stdout).toContain('note: No sysctls (--sysctls FILE)');
  });

  it('refuses a missing snapshot, a bad id, and --rules with --snapshot', async () => {
    await expect(run(['--snapshot', 'demo~nope', '--store', store])).rejects.toMatchObject({ exitCode: 1, message: expect.stringContaining('no snapshot "demo~nope"') });
    await expect(run(['--snapshot', 'Bad Id', '--store', store])).rejects.toMatchObject({ exitCode: 2 });
    await expect(run(['--snapshot', 'demo~worker-1', '--rules', rules, '--store', store])).rejects.toMatchObject({ exitCode: 2 });
  });
});
