/**
 * `svcpath compare` on dumps rendered by @svcpath/kube-proxy-sim from two states of one cluster: the
 * demo collection (apps/server/demo/demo.svcpath.json, written by scripts/make-demo.ts: worker-2's
 * kube-proxy stale) and, below, three nodes rendered here — two from the current state, one from
 * the state before a Pod moved and a Service was created.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EndpointSlice, Node, Service } from '@svcpath/k8s-model';
import { renderIptablesSave } from '@svcpath/kube-proxy-sim';
import { compareCommand } from './compare-command';
import { CliError, type Io } from './io';
import { snapshotsCommand } from './snapshots-command';

const REPO = join(import.meta.dirname, '..', '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'svcpath-compare-cli-'));

async function run(args: string[], command = compareCommand) {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd: scratch };
  // As main.ts does: a CliError is a message and an exit code.
  const code = await command(args, io).catch((e: unknown) => {
    if (!(e instanceof CliError)) throw e;
    stderr += e.message;
    return e.exitCode;
  });
  return { code, stdout, stderr };
}

const node = (name: string, ip: string): Node => ({ metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
const NODES = [node('node-a', '192.168.0.2'), node('node-b', '192.168.0.3'), node('node-c', '192.168.0.4')];
const svc = (name: string, clusterIP: string): Service => ({ metadata: { namespace: 'shop', name, uid: `uid-${name}` }, spec: { type: 'ClusterIP', clusterIP, selector: { app: name }, ports: [{ name: 'http', protocol: 'TCP', port: 80 }] } });
const slice = (name: string, eps: [ip: string, node: string][]): EndpointSlice => ({
  metadata: { namespace: 'shop', name: `${name}-abcde`, labels: { 'kubernetes.io/service-name': name } },
  addressType: 'IPv4',
  endpoints: eps.map(([ip, nodeName]) => ({ addresses: [ip], conditions: { ready: true, serving: true, terminating: false }, nodeName })),
  ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
});
/** Now: web's second Pod runs on node-b, and the api Service exists. */
const CURRENT = { services: [svc('web', '172.30.0.10'), svc('api', '172.30.0.11')], endpointSlices: [slice('web', [['10.180.0.4', 'node-a'], ['10.180.1.4', 'node-b']]), slice('api', [['10.180.0.7', 'node-a']])], nodes: NODES };
/** A minute ago: web's second Pod ran on node-c, and api did not exist. */
const BEFORE = { services: [svc('web', '172.30.0.10')], endpointSlices: [slice('web', [['10.180.0.4', 'node-a'], ['10.180.2.9', 'node-c']])], nodes: NODES };

function renderNode(name: string, state: typeof CURRENT): string {
  const path = join(scratch, `${name}.txt`);
  writeFileSync(path, `# rendered by @svcpath/kube-proxy-sim in compare-command.test.ts\n${renderIptablesSave(state, { nodeName: name, clusterCIDR: '10.180.0.0/16' })}`);
  return path;
}

describe('svcpath compare --rules (three nodes, node-c stale)', () => {
  const rules: string[] = [];
  beforeAll(() => {
    rules.push('--rules', `node-a=${renderNode('node-a', CURRENT)}`, '--rules', `node-b=${renderNode('node-b', CURRENT)}`, '--rules', `node-c=${renderNode('node-c', BEFORE)}`);
  });

  it('names the odd node per Service port and the difference', async () => {
    const r = await run([...rules, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.nodes).toEqual(['node-a', 'node-b', 'node-c']);
    expect(out.findings.map((f: { service: string; node: string; code: string }) => [f.service, f.node, f.code])).toEqual([
      ['shop/api:http', 'node-c', 'NODE_ODD_ONE_OUT'],
      ['shop/web:http', 'node-c', 'NODE_ODD_ONE_OUT'],
    ]);
    const web = out.findings.find((f: { service: string }) => f.service === 'shop/web:http');
    expect(web.explanation).toContain('node-c sends it to 10.180.0.4:8080, 10.180.2.9:8080, while node-a, node-b sends it to 10.180.0.4:8080, 10.180.1.4:8080');
  });

  it('traces the same packet on every node, side by side, marking where they differ', async () => {
    const r = await run([...rules, '--from', '10.180.0.20', '--to', '172.30.0.10:80']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('svcpath compare: 3 nodes (node-a, node-b, node-c) — 2 Service port(s) programmed differently');
    expect(r.stdout).toContain('shop/web:http: odd node(s) node-c');
    expect(r.stdout).toMatch(/^ {2}DNAT 10\.180\.0\.4:8080\s+50\.0%\s+50\.0%\s+50\.0%\s+shop\/web:http$/m);
    expect(r.stdout).toMatch(/^\* DNAT 10\.180\.1\.4:8080\s+50\.0%\s+50\.0%\s+0\.0%/m);
    expect(r.stdout).toMatch(/^\* DNAT 10\.180\.2\.9:8080\s+0\.0%\s+0\.0%\s+50\.0%/m);
    const json = JSON.parse((await run([...rules, '--from', '10.180.0.20', '--to', '172.30.0.11:80', '--json'])).stdout);
    expect(json.matrix.differs).toBe(true);
    expect(json.matrix.rows.map((o: { outcome: string; shares: object }) => [o.outcome, o.shares])).toEqual([
      ['DNAT 10.180.0.7:8080', { 'node-a': 1, 'node-b': 1, 'node-c': 0 }],
      ['ACCEPT (forwarded unchanged)', { 'node-a': 0, 'node-b': 0, 'node-c': 1 }],
    ]);
  });

  it('traces from each node itself with --from node and per-node addresses', async () => {
    const ips = ['--node-ip', 'node-a=192.168.0.2', '--node-ip', 'node-b=192.168.0.3', '--node-ip', 'node-c=192.168.0.4'];
    const json = JSON.parse((await run([...rules, ...ips, '--from', 'node', '--to', '172.30.0.10:80', '--json'])).stdout);
    expect(json.matrix.nodes.map((n: { node: string; src: string; delivered: number }) => [n.node, n.src, n.delivered])).toEqual([
      ['node-a', '192.168.0.2', 1],
      ['node-b', '192.168.0.3', 1],
      ['node-c', '192.168.0.4', 1],
    ]);
    expect(json.matrix.rows.find((o: { outcome: string }) => o.outcome === 'DNAT 10.180.0.4:8080, masqueraded').same).toBe(true);
  });

  it('says so when every node agrees', async () => {
    const r = await run([rules[0]!, rules[1]!, rules[2]!, rules[3]!, '--from', '10.180.0.20', '--to', '172.30.0.10:80']);
    expect(r.stdout).toContain('Every node programs every Service port the same way.');
    expect(r.stdout).toContain('Every node gives the same outcomes.');
  });

  it('refuses bad command lines and a single node', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['--rules', 'oops'])).stderr).toContain('expected NODE=FILE');
    expect((await run([rules[0]!, rules[1]!, '--from', '10.180.0.20'])).stderr).toContain('--from and --to go together');
    const one = await run([rules[0]!, rules[1]!]);
    expect(one.code).toBe(1);
    expect(one.stderr).toContain('compare needs at least two nodes');
  });
});

describe('svcpath compare on a stored collection (the demo: worker-2 stale)', () => {
  beforeAll(async () => {
    expect((await run(['import', join(REPO, 'apps/server/demo/demo.svcpath.json'), '--store', 'store'], snapshotsCommand)).code).toBe(0);
  });

  it('judges each node against the collection\'s cluster state: two nodes are enough to name worker-2', async () => {
    const r = await run(['--snapshot', 'demo', '--store', 'store', '--from', '10.180.1.20', '--to', '172.30.0.44:80', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.nodes).toEqual(['worker-1', 'worker-2']);
    expect(out.judgedBy).toBe('cluster-state');
    expect(out.findings.map((f: { service: string; node: string }) => `${f.service} ${f.node}`)).toEqual(['monitoring/grafana:http worker-2', 'shop/frontend:http worker-2']);
    expect(out.matrix.rows.map((o: { outcome: string; shares: object; goneEndpoint?: boolean }) => [o.outcome, o.shares, o.goneEndpoint ?? false])).toEqual(
      expect.arrayContaining([
        ['DNAT 10.180.0.5:80', { 'worker-1': 0.5, 'worker-2': 0 }, false],
        ['DNAT 10.180.1.9:80', { 'worker-1': 0, 'worker-2': 0.5 }, true],
      ]),
    );
    expect(out.matrix.nodes.map((n: { node: string; delivered: number; toGoneEndpoints: number }) => [n.node, n.delivered, n.toGoneEndpoints])).toEqual([
      ['worker-1', 1, 0],
      ['worker-2', 0.5, 0.5],
    ]);
  });

  it('the same with --collection NAME and with two snapshot ids; the text names the judge', async () => {
    const byIds = await run(['--snapshot', 'demo~worker-1', '--snapshot', 'demo~worker-2', '--store', 'store']);
    expect(byIds.stdout).toContain('Each node is judged against the cluster state in snapshot demo~worker-1.');
    expect(byIds.stdout).toContain('shop/frontend:http: odd node(s) worker-2');
    expect((await run(['--collection', 'demo', '--store', 'store'])).stdout).toBe(byIds.stdout);
    expect((await run(['--collection', 'nope', '--store', 'store'])).code).toBe(1);
    expect((await run(['--snapshot', 'demo~worker-1', '--snapshot', 'demo~worker-1', '--store', 'store'])).stderr).toContain('compare needs at least two nodes');
  });

  it('without cluster state, two nodes that differ are shown unranked, with the difference', async () => {
    const files = ['worker-1', 'worker-2'].map((n) => {
      const doc = JSON.parse(readFileSync(join(REPO, 'apps/server/demo/demo.svcpath.json'), 'utf8')) as { snapshots: { node: string; files: { text: string }[] }[] };
      const path = join(scratch, `demo-${n}.txt`);
      writeFileSync(path, doc.snapshots.find((s) => s.node === n)!.files[0]!.text);
      return `${n}=${path}`;
    });
    const r = await run(['--rules', files[0]!, '--rules', files[1]!, '--json']);
    const out = JSON.parse(r.stdout);
    expect(out.judgedBy).toBe('majority');
    expect(out.findings.map((f: { service: string; node?: string; title: string }) => [f.service, f.node ?? null])).toEqual([
      ['monitoring/grafana:http', null],
      ['shop/frontend:http', null],
    ]);
    const text = (await run(['--rules', files[0]!, '--rules', files[1]!])).stdout;
    expect(text).toContain('two nodes that differ cannot be ranked (give --cluster-state FILE)');
    expect(text).toContain('worker-1 sends it to 10.180.0.4:80, 10.180.0.5:80; worker-2 sends it to 10.180.0.4:80, 10.180.1.9:80');
    // The cluster state from a file breaks the tie the same way the collection's does.
    const state = join(scratch, 'demo-state.json');
    const cs = (JSON.parse(readFileSync(join(REPO, 'apps/server/demo/demo.svcpath.json'), 'utf8')) as { snapshots: { clusterState: { services: unknown[]; endpoints: { slices: unknown[] } } }[] }).snapshots[0]!.clusterState;
    writeFileSync(state, JSON.stringify({ services: cs.services, endpointSlices: cs.endpoints.slices }));
    const judged = JSON.parse((await run(['--rules', files[0]!, '--rules', files[1]!, '--cluster-state', state, '--json'])).stdout);
    expect(judged.findings.map((f: { node: string }) => f.node)).toEqual(['worker-2', 'worker-2']);
  });
});
