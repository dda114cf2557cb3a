/**
 * `svcpath diff` on dumps rendered by @svcpath/kube-proxy-sim from states of one small cluster (an
 * endpoint goes, a Service gains a NodePort), as files and as snapshots imported into a scratch store.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EndpointSlice, Service } from '@svcpath/k8s-model';
import { renderIptablesSave, renderNftablesTransaction } from '@svcpath/kube-proxy-sim';
import { diffCommand } from './diff-command';
import { CliError, type Io } from './io';
import { snapshotsCommand } from './snapshots-command';

const scratch = mkdtempSync(join(tmpdir(), 'svcpath-diff-cli-'));

async function run(args: string[], command = diffCommand) {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd: scratch };
  const code = await command(args, io).catch((e: unknown) => {
    if (!(e instanceof CliError)) throw e;
    stderr += e.message;
    return e.exitCode;
  });
  return { code, stdout, stderr };
}

const svc = (name: string, clusterIP: string, nodePort?: number): Service => ({
  metadata: { namespace: 'shop', name },
  spec: { type: nodePort ? 'NodePort' : 'ClusterIP', clusterIP, selector: { app: name }, ports: [{ name: 'http', protocol: 'TCP', port: 80, ...(nodePort ? { nodePort } : {}) }] },
});
const slice = (name: string, ips: string[]): EndpointSlice => ({
  metadata: { namespace: 'shop', name: `${name}-1`, labels: { 'kubernetes.io/service-name': name } },
  addressType: 'IPv4',
  endpoints: ips.map((ip) => ({ addresses: [ip], nodeName: 'other', conditions: { ready: true, serving: true, terminating: false } })),
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
});
const OPTS = { nodeName: 'node-a', nodeIPs: ['192.168.0.2'], clusterCIDR: '10.180.0.0/16' };
const T0 = { services: [svc('web', '172.30.0.10'), svc('db', '172.30.0.20')], endpointSlices: [slice('web', ['10.180.0.1', '10.180.0.2', '10.180.0.3']), slice('db', ['10.180.9.9'])] };
const T1 = { ...T0, endpointSlices: [slice('web', ['10.180.0.1', '10.180.0.3']), slice('db', ['10.180.9.9'])] };
const T2 = { ...T1, services: [svc('web', '172.30.0.10', 30080), svc('db', '172.30.0.20')] };

function write(name: string, text: string): string {
  writeFileSync(join(scratch, name), `# rendered by @svcpath/kube-proxy-sim in diff-command.test.ts\n${text}`);
  return name;
}
const t0 = write('t0.txt', renderIptablesSave(T0, OPTS));
const t1 = write('t1.txt', renderIptablesSave(T1, OPTS));
const t2 = write('t2.txt', renderIptablesSave(T2, OPTS));

describe('svcpath diff', () => {
  it('prints each change with the rule lines on both sides', async () => {
    const r = await run([t0, t1, '--node-ip', '192.168.0.2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 of 2 Service port(s) changed');
    expect(r.stdout).toContain('- endpoint 10.180.0.2:8080 removed (had 33.3%)');
    expect(r.stdout).toContain('- endpoint 10.180.0.1:8080: share 33.3% → 50%');
    expect(r.stdout).toMatch(/before:\n\s+t0\.txt:\d+ {2}-A KUBE-SERVICES .*\n\s+t0\.txt:\d+ {2}-A KUBE-SVC-\S+ .*10\.180\.0\.1:8080.*--probability 0\.33/);
    expect(r.stdout).toMatch(/after:\n\s+t1\.txt:\d+ {2}-A KUBE-SERVICES .*\n\s+t1\.txt:\d+ {2}-A KUBE-SVC-\S+ .*10\.180\.0\.1:8080.*--probability 0\.5/);
    expect(r.stdout).not.toContain('KUBE-POSTROUTING');
  });

  it('says so when nothing changed', async () => {
    const r = await run([t0, t0]);
    expect(r.stdout).toContain('No change: every Service port is programmed the same way.');
  });

  it('--json is the report; --markdown is for change reviews', async () => {
    const json = JSON.parse((await run([t0, t1, '--json'])).stdout);
    expect(json.servicePorts[0].changes.map((c: { kind: string }) => c.kind)).toEqual(['endpoint-removed', 'share-changed', 'share-changed']);
    const md = (await run([t0, t1, '--markdown'])).stdout;
    expect(md).toMatch(/^## What changed: t0\.txt \(iptables\) → t1\.txt \(iptables\)/);
    expect(md).toContain('### `shop/web:http`');
    expect(md).toMatch(/- \*\*endpoint 10\.180\.0\.2:8080 removed \(had 33\.3%\)\*\*\n {2}before:\n {4}- `t0\.txt:\d+`/);
  });

  it('more than two sides make a timeline', async () => {
    const r = await run([t0, t1, t2, '--node-ip', '192.168.0.2', '--markdown']);
    expect(r.stdout).toContain('| t0.txt | t1.txt | `shop/web:http` | — |');
    expect(r.stdout).toContain('| t1.txt | t2.txt | `shop/web:http` | — |');
    expect(r.stdout).toContain('**NodePort none → 30080**');
  });

  it('across modes: iptables → nftables of the same cluster shows only the NodePort on 127.0.0.1', async () => {
    const nft = write('t2.nft', renderNftablesTransaction(T2, OPTS));
    const r = await run([t2, nft, '--node-ip', '192.168.0.2', '--json']);
    const changes = JSON.parse(r.stdout).servicePorts.flatMap((p: { changes: { kind: string; probe?: { dst: string } }[] }) => p.changes);
    expect(changes.map((c: { kind: string; probe?: { dst: string } }) => `${c.kind} ${c.probe?.dst}`)).toEqual(['reachability-changed 127.0.0.1']);
  });

  it('reads stored snapshots, and every snapshot of one node as a timeline', async () => {
    const store = join(scratch, 'store');
    for (const [file, collection] of [[t0, 'monday'], [t1, 'tuesday']] as const)
      expect((await run(['import', file, '--node', 'node-a', '--collection', collection, '--node-ip', '192.168.0.2', '--store', store], snapshotsCommand)).code).toBe(0);
    const r = await run(['--snapshot', 'monday~node-a', '--snapshot', 'tuesday~node-a', '--store', store]);
    expect(r.stdout).toContain('monday~node-a (iptables) → tuesday~node-a (iptables)');
    expect(r.stdout).toContain('endpoint 10.180.0.2:8080 removed');
    const timeline = await run(['--node', 'node-a', '--store', store, '--json']);
    expect(JSON.parse(timeline.stdout)).toHaveLength(1);
  });

  it('bad input: a missing file, one side, an unknown dump', async () => {
    expect(await run([t0, 'nope.txt'])).toMatchObject({ code: 1, stderr: expect.stringContaining('cannot read dump "nope.txt": no such file') });
    expect(await run([t0])).toMatchObject({ code: 2, stderr: expect.stringContaining('diff needs two sides') });
    const junk = write('junk.txt', 'hello\n');
    expect(await run([t0, junk])).toMatchObject({ code: 1, stderr: expect.stringContaining('junk.txt: not a dump svcpath knows') });
  });
});
