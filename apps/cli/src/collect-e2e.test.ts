// End to end with the real parts: the real @kubernetes/client-node against the fake API server (the
// only stand-in: no kube-apiserver can run here; see its header) and a real OpenSSH server in a
// network namespace whose kernel holds the rules (apps/collector/src/node/testing/ssh-lab.ts).
// `svcpath collect` → `snapshots list / show / export / import` → `trace --snapshot`, all through
// the CLI's command functions, into temp stores.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeApiServer, type FakeApiServer } from '../../collector/src/cluster/fake-apiserver';
import { fixtureObjects } from '../../collector/src/cluster/test-fixtures';
import { writeKubeconfig } from '../../collector/src/cluster/test-kubeconfig';
import { sshLabUnavailable, startSshLab, type SshLab } from '../../collector/src/node/testing/ssh-lab';
import { collectCommand } from './collect-command';
import type { Io } from './io';
import { snapshotsCommand } from './snapshots-command';
import { traceCommand } from './trace-command';

const TOKEN = 'e2e-token-5d1f0c3b9a7e';
const unavailable = sshLabUnavailable();

/** shop/frontend (10.96.88.5:80 in the fixture cluster), loaded into the lab node's kernel. */
const FRONTEND_RULES = `*nat
:KUBE-SVC-SVCPATHE2EFRONT - [0:0]
:KUBE-SEP-SVCPATHE2E00001 - [0:0]
:KUBE-SEP-SVCPATHE2E00002 - [0:0]
-A KUBE-SERVICES -d 10.96.88.5/32 -p tcp -m comment --comment "shop/frontend:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-SVCPATHE2EFRONT
-A KUBE-SVC-SVCPATHE2EFRONT -m comment --comment "shop/frontend:http -> 10.244.1.7:8080" -m statistic --mode random --probability 0.5 -j KUBE-SEP-SVCPATHE2E00001
-A KUBE-SVC-SVCPATHE2EFRONT -m comment --comment "shop/frontend:http -> 10.244.2.5:8080" -j KUBE-SEP-SVCPATHE2E00002
-A KUBE-SEP-SVCPATHE2E00001 -p tcp -m comment --comment "shop/frontend:http" -m tcp -j DNAT --to-destination 10.244.1.7:8080
-A KUBE-SEP-SVCPATHE2E00002 -p tcp -m comment --comment "shop/frontend:http" -m tcp -j DNAT --to-destination 10.244.2.5:8080
COMMIT
`;

async function run(command: (args: string[], io: Io) => Promise<number>, args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd: '/' };
  const code = await command(args, io);
  return { code, stdout, stderr };
}

describe.skipIf(unavailable !== undefined)('svcpath collect → snapshots → trace --snapshot (real sshd, fake API server)', () => {
  let lab: SshLab;
  let api: FakeApiServer;
  let kubeconfig: string;
  let scratch: string;

  beforeAll(async () => {
    vi.stubEnv('HOME', '/nonexistent-svcpath-home');
    vi.stubEnv('SSH_AUTH_SOCK', '');
    vi.stubEnv('KUBECONFIG', '');
    scratch = mkdtempSync(join(tmpdir(), 'svcpath-collect-e2e-'));
    [lab, api] = await Promise.all([startSshLab(), startFakeApiServer({ objects: fixtureObjects(), tokens: [TOKEN] })]);
    const loaded = spawnSync('ip', ['netns', 'exec', lab.target.ns, 'iptables-restore', '--noflush'], { input: FRONTEND_RULES, encoding: 'utf8' });
    if (loaded.status !== 0) throw new Error(`iptables-restore in the lab failed: ${loaded.stderr}`);
    kubeconfig = writeKubeconfig(join(scratch, 'kubeconfig'), {
      clusters: [{ name: 'kind-kind', server: api.url, caPem: api.caPem }],
      users: [{ name: 'kind-kind', token: TOKEN }],
      contexts: [{ name: 'kind-kind', cluster: 'kind-kind', user: 'kind-kind' }],
      currentContext: 'kind-kind',
    });
  });

  afterAll(async () => {
    await Promise.all([lab?.cleanup(), api?.close()]);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    vi.unstubAllEnvs();
  });

  it('collects a node, moves the snapshot between stores and traces it', { timeout: 120_000 }, async () => {
    const storeA = join(scratch, 'store-a');
    const storeB = join(scratch, 'store-b');
    const fingerprint = lab.fingerprint(lab.target.hostKeys.ed25519);
    const collected = await run(collectCommand, [
      '--kubeconfig', kubeconfig, '--context', 'kind-kind', '--node', 'kind-worker',
      '--ssh', `root@${lab.target.address}:${lab.target.port}`, '--ssh-key', lab.keys.plain,
      '--known-hosts', join(scratch, 'known_hosts'), '--accept-host-key', fingerprint,
      '--collection', 'incident-1', '--store', storeA,
    ]);
    expect(collected.code, collected.stderr).toBe(0);
    expect(collected.stdout).toContain(`saved snapshot incident-1~kind-worker in ${join(storeA, 'incident-1~kind-worker.json')}`);
    expect(collected.stdout).toMatch(/mode iptables, node IPs 172\.18\.0\.3, .*169\.254\./);
    // ipvsadm and ipset are not installed in the lab: reported, not fatal.
    expect(collected.stderr).toMatch(/^problem: node:kind-worker tool-missing: ipvsadm-save: /m);

    const listed = await run(snapshotsCommand, ['list', '--store', storeA]);
    expect(listed.stdout).toMatch(/^incident-1~kind-worker\s+\S+\s+iptables\s+\d+\s+yes\s+/m);
    const shown = await run(snapshotsCommand, ['show', 'incident-1~kind-worker', '--store', storeA]);
    expect(shown.stdout).toContain('cluster: kind-kind  context: kind-kind  mode: iptables');
    expect(shown.stdout).toMatch(/cluster state: 7 Services, 6 EndpointSlices, \d+ Pods, 3 Nodes/);
    expect(shown.stdout).toMatch(/iptables-save\.txt\s+iptables/);

    const exported = join(scratch, 'incident-1.svcpath.json.gz');
    expect((await run(snapshotsCommand, ['export', 'incident-1', exported, '--store', storeA])).code).toBe(0);
    const imported = await run(snapshotsCommand, ['import', exported, '--store', storeB]);
    expect(imported.stdout).toContain('imported incident-1~kind-worker');

    const traced = await run(traceCommand, ['--snapshot', 'incident-1~kind-worker', '--store', storeB, '--src', '10.244.2.9', '--dst', '10.96.88.5', '--dport', '80', '--json']);
    expect(traced.code, traced.stderr).toBe(0);
    const result = JSON.parse(traced.stdout);
    expect(result.outcomes.map((o: { probability: number; verdict: string; destination: string }) => [o.probability, o.verdict, o.destination]).sort()).toEqual([
      [0.5, 'DNAT', '10.244.1.7:8080'],
      [0.5, 'DNAT', '10.244.2.5:8080'],
    ]);
    const dns = JSON.parse((await run(traceCommand, ['--snapshot', 'incident-1~kind-worker', '--store', storeB, '--src', '10.244.2.9', '--dst', '10.96.0.10', '--dport', '53', '--proto', 'udp', '--json'])).stdout);
    expect(dns.outcomes[0]).toMatchObject({ verdict: 'DNAT', destination: '10.244.0.5:53' });
  });

  it('an unreachable node is a problem; the cluster state (and kube-proxy\'s configured mode) is still saved', { timeout: 60_000 }, async () => {
    const store = join(scratch, 'store-c');
    const r = await run(collectCommand, ['--kubeconfig', kubeconfig, '--node', 'kind-worker2', '--ssh', `root@${lab.target.innerAddress}:${lab.target.port}`, '--ssh-key', lab.keys.plain, '--known-hosts', join(scratch, 'known_hosts'), '--timeout', '5', '--collection', 'incident-1', '--store', store]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^problem: node:kind-worker2 (connect-timeout|connect-failed|host-key-unknown): /m);
    expect(r.stdout).toMatch(/0 dump files, mode iptables, node IPs 172\.18\.0\.4, cluster state yes/);
  });
});
