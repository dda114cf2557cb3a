/**
 * `svcpath node-digest` and `svcpath fleet` on dumps kube-proxy-sim renders for a small cluster
 * (40 Services over 3 endpoint-hosting nodes): nodes in both modes that agree, one node whose
 * kube-proxy missed a Service deletion (a stale Service), digests with and without detail.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateScaleCluster, renderIptablesSave, renderNftablesTransaction } from '@svcpath/kube-proxy-sim';
import { plantDrift } from '@svcpath/fleet/simulate';
import { fleetCommand } from './fleet-command';
import { CliError, type Io } from './io';
import { chooseIptablesBackend, nodeDigestCommand, parseDetail } from './node-digest-command';

const dir = mkdtempSync(join(tmpdir(), 'svcpath-fleet-cli-'));
const cluster = generateScaleCluster({ services: 40, endpointsPerService: 3, seed: 5, nodes: 3 });
const stale = plantDrift(cluster, 'stale-service', 1);
const cidr = cluster.clusterCIDR;
writeFileSync(join(dir, 'cluster.json'), JSON.stringify({ services: cluster.services, endpointSlices: cluster.endpointSlices, nodes: cluster.nodes }));
writeFileSync(join(dir, 'node-0.rules'), renderIptablesSave(cluster, { nodeName: 'node-0', clusterCIDR: cidr }));
writeFileSync(join(dir, 'node-1.rules'), renderNftablesTransaction(cluster, { nodeName: 'node-1', clusterCIDR: cidr }));
writeFileSync(join(dir, 'node-7.rules'), renderIptablesSave(stale.nodeView, { nodeName: 'node-7', clusterCIDR: cidr }));

async function run(command: typeof fleetCommand, args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd: dir };
  const code = await command(args, io).catch((e: unknown) => {
    if (!(e instanceof CliError)) throw e;
    stderr += e.message;
    return e.exitCode;
  });
  return { code, stdout, stderr };
}

describe('svcpath node-digest', () => {
  it('prints a digest of a few kilobytes, with detail only for the buckets asked', async () => {
    const r = await run(nodeDigestCommand, ['--node', 'node-7', '--rules', 'node-7.rules']);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d).toMatchObject({ kind: 'node-digest', version: 1, node: 'node-7', mode: 'iptables' });
    expect(d.buckets).toHaveLength(256);
    expect(d.detail).toBeUndefined();
    expect(r.stdout.length).toBeLessThan(6000);
    const withDetail = JSON.parse((await run(nodeDigestCommand, ['--node', 'node-7', '--rules', 'node-7.rules', '--detail', '3,200'])).stdout);
    expect(withDetail.detailBuckets).toEqual([3, 200]);
  });

  it('refuses a bad --detail and a missing --node', async () => {
    expect(() => parseDetail('3,x')).toThrow(/bucket numbers 0-255/);
    expect(() => parseDetail('256')).toThrow(CliError);
    expect((await run(nodeDigestCommand, ['--rules', 'node-0.rules'])).code).toBe(2);
  });

  it('chooses the iptables backend as kube-proxy\'s image does', () => {
    const hint = '*mangle\n:KUBE-IPTABLES-HINT - [0:0]\nCOMMIT\n';
    const rules = (n: number) => `*nat\n${'-A KUBE-SERVICES -j ACCEPT\n'.repeat(n)}COMMIT\n`;
    expect(chooseIptablesBackend(rules(50), hint)).toBe('nft');
    expect(chooseIptablesBackend(hint + rules(1), rules(50))).toBe('legacy');
    expect(chooseIptablesBackend(rules(50), rules(3))).toBe('legacy');
    expect(chooseIptablesBackend(rules(3), rules(3))).toBe('nft');
    expect(chooseIptablesBackend(null, rules(3))).toBe('nft');
    expect(chooseIptablesBackend(null, null)).toBeNull();
  });
});

describe('svcpath fleet', () => {
  it('names the node holding a stale Service, from dumps of both modes', async () => {
    const r = await run(fleetCommand, ['--digests', '.', '--cluster-state', 'cluster.json']);
    expect(r.code).toBe(0);
    // cluster.json itself is neither a digest nor a dump: reported, not fatal.
    expect(r.stdout).toMatch(/^3 nodes compared \(2 iptables, 1 nftables\) on \d+ Service ports: 2 agree with the cluster state, 1 do not\./);
    expect(r.stdout).toContain(`  ${stale.portName}  2 agree, 1 disagree\n    1 × stale Service: rules for a port the cluster no longer has: node-7`);
    expect(r.stdout).toMatch(/cluster: cluster.json: neither a node digest nor/);
  });

  it('lists a differing node whose digest has no detail, with the command that tells how', async () => {
    const sub = join(dir, 'digests');
    mkdirSync(sub, { recursive: true });
    for (const node of ['node-0', 'node-7']) writeFileSync(join(sub, `${node}.json`), (await run(nodeDigestCommand, ['--node', node, '--rules', `${node}.rules`])).stdout);
    writeFileSync(join(sub, 'node-9.json'), '{"kind":"node-digest","version":2}');
    const r = await run(fleetCommand, ['--digests', 'digests', '--cluster-state', 'cluster.json', '--json']);
    const report = JSON.parse(r.stdout);
    expect(report.compared).toBe(2);
    expect(report.undetailed).toEqual([{ node: 'node-7', buckets: [expect.any(Number)] }]);
    expect(report.problems).toEqual([{ kind: 'no-digest', node: 'node-9', reason: 'digests/node-9.json: digest version 2, this svcpath reads version 1' }]);
    const text = await run(fleetCommand, ['--digests', 'digests', '--cluster-state', 'cluster.json']);
    expect(text.stdout).toContain(`svcpath node-digest --node node-7 --detail ${report.undetailed[0].buckets[0]}`);
  });

  it('needs both flags', async () => {
    expect((await run(fleetCommand, ['--digests', '.'])).code).toBe(2);
  });
});
