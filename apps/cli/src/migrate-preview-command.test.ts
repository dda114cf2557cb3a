/**
 * `svcpath migrate-preview` on a snapshot imported from a folder: kube-proxy's TestOverall*Rules
 * cluster (packages/kube-proxy-sim/src/overall-rules.fixture.ts) as cluster-state.json, and the
 * iptables-save that @svcpath/kube-proxy-sim renders for it as the node's dump.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderIptablesSave } from '@svcpath/kube-proxy-sim';
import { overallEndpointSlices, overallServices } from '../../../packages/kube-proxy-sim/src/overall-rules.fixture';
import { CliError, type Io } from './io';
import { migratePreviewCommand } from './migrate-preview-command';
import { snapshotsCommand } from './snapshots-command';

const scratch = mkdtempSync(join(tmpdir(), 'svcpath-migrate-cli-'));
const store = join(scratch, 'store');

async function run(args: string[], command = migratePreviewCommand) {
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

beforeAll(async () => {
  const folder = join(scratch, 'node');
  mkdirSync(folder);
  const state = { services: overallServices, endpointSlices: overallEndpointSlices };
  writeFileSync(join(folder, 'iptables-save.txt'), renderIptablesSave(state, { nodeName: 'test-node', nodeIPs: ['192.168.0.2', '192.168.1.2'], clusterCIDR: '10.0.0.0/8' }));
  const node = { metadata: { name: 'test-node' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.0.2' }] } };
  const clusterState = { context: 'test', server: 'https://127.0.0.1:6443', services: overallServices, endpoints: { kind: 'EndpointSlices', slices: overallEndpointSlices }, pods: [], nodes: [node], kubeProxyConfig: null };
  writeFileSync(join(folder, 'cluster-state.json'), JSON.stringify(clusterState));
  const imported = await run(['import', folder, '--node', 'test-node', '--collection', 'before-upgrade', '--node-ip', '192.168.0.2,192.168.1.2', '--store', store], snapshotsCommand);
  expect(imported).toMatchObject({ code: 0 });
});

describe('svcpath migrate-preview', () => {
  it('--to nftables lists the flows that change, grouped by cause, with the option that governs each', async () => {
    const r = await run(['--snapshot', 'before-upgrade~test-node', '--store', store, '--to', 'nftables', '--service-cidr', '172.30.0.0/16']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Migration preview: iptables → nftables');
    expect(r.stdout).toContain('NodePorts no longer answer on 127.0.0.1');
    expect(r.stdout).toContain('NodePorts answer only on the node\'s primary IP');
    expect(r.stdout).toContain('Option: --nodeport-addresses');
    expect(r.stdout).toContain('A ClusterIP on a port the Service does not define is rejected');
    expect(r.stdout).toMatch(/ns3\/svc3:p80: node-port 127\.0\.0\.1:3003\/tcp from the node \(127\.0\.0\.1\): DNAT to 1 endpoint, masqueraded → not translated/);
    expect(r.stdout).not.toContain('rules are not what kube-proxy would program');
  });

  it('--json groups by cause; --nodeport-addresses 0.0.0.0/0 keeps NodePorts on every address', async () => {
    const all = JSON.parse((await run(['--snapshot', 'before-upgrade~test-node', '--store', store, '--to', 'nftables', '--nodeport-addresses', '0.0.0.0/0', '--json'])).stdout);
    expect(all.groups.map((g: { cause: string }) => g.cause).sort()).toEqual(['clusterip-wrong-port', 'localhost-nodeports']);
  });

  it('--markdown, and clear errors', async () => {
    expect((await run(['--snapshot', 'before-upgrade~test-node', '--store', store, '--to', 'nftables', '--markdown'])).stdout).toMatch(/^## Migration preview: iptables → nftables\n/);
    expect(await run(['--snapshot', 'before-upgrade~test-node', '--store', store, '--to', 'iptables'])).toMatchObject({ code: 1, stderr: expect.stringContaining('already in iptables mode') });
    expect(await run(['--snapshot', 'before-upgrade~test-node', '--store', store, '--to', 'ipvs'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--to must be nftables or iptables') });
  });
});
