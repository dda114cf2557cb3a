// `svcpath collect --via-pod` end to end: the real @kubernetes/client-node against the fake API
// server (the only stand-in: no kube-apiserver or kubelet can run here; see its header), whose
// "kubelet" runs the dump Pod's real container script in a network namespace holding real
// iptables rules (apps/collector/src/node-pod/testing/pod-netns.ts). Then trace the snapshot.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeApiServer, type FakeApiServer } from '../../collector/src/cluster/fake-apiserver';
import { fixtureObjects } from '../../collector/src/cluster/test-fixtures';
import { writeKubeconfig } from '../../collector/src/cluster/test-kubeconfig';
import {
  podNetnsUnavailable,
  startPodNetns,
  type PodNetns,
} from '../../collector/src/node-pod/testing/pod-netns';
import { collectCommand } from './collect-command';
import type { Io } from './io';
import { traceCommand } from './trace-command';

const TOKEN = 'via-pod-e2e-token-41d9';
const unavailable = podNetnsUnavailable();

async function run(command: (args: string[], io: Io) => Promise<number>, args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    cwd: '/',
  };
  const code = await command(args, io);
  return { code, stdout, stderr };
}

describe('svcpath collect --via-pod: usage', () => {
  it('refuses --via-pod with --ssh, and the Pod flags without --via-pod', async () => {
    await expect(run(collectCommand, ['--node', 'n', '--via-pod', '--ssh', 'root@n'])).rejects.toMatchObject({
      exitCode: 2,
    });
    await expect(run(collectCommand, ['--node', 'n', '--pod-image', 'busybox'])).rejects.toMatchObject({
      exitCode: 2,
    });
  });
});

describe.skipIf(unavailable !== undefined)(
  'svcpath collect --via-pod → trace --snapshot (fake API server, script run in a netns)',
  () => {
    let node: PodNetns;
    let api: FakeApiServer;
    let kubeconfig: string;
    let scratch: string;

    beforeAll(async () => {
      vi.stubEnv('HOME', '/nonexistent-svcpath-home');
      vi.stubEnv('KUBECONFIG', '');
      scratch = mkdtempSync(join(tmpdir(), 'svcpath-via-pod-e2e-'));
      node = startPodNetns();
      api = await startFakeApiServer({
        objects: fixtureObjects(),
        tokens: [TOKEN],
        podLifecycle: { run: (pod, write, signal) => node.run(pod, write, signal) },
      });
      kubeconfig = writeKubeconfig(join(scratch, 'kubeconfig'), {
        clusters: [{ name: 'kind-kind', server: api.url, caPem: api.caPem }],
        users: [{ name: 'kind-kind', token: TOKEN }],
        contexts: [{ name: 'kind-kind', cluster: 'kind-kind', user: 'kind-kind' }],
        currentContext: 'kind-kind',
      });
    });

    afterAll(async () => {
      await api?.close();
      node?.cleanup();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
      vi.unstubAllEnvs();
    });

    it(
      'collects the node through a Pod it deletes after, and the snapshot traces',
      { timeout: 60_000 },
      async () => {
        const store = join(scratch, 'store');
        const collected = await run(collectCommand, [
          '--kubeconfig',
          kubeconfig,
          '--node',
          'kind-worker',
          '--via-pod',
          '--pod-image',
          'registry.example.test/svcpath-dump:1',
          '--collection',
          'incident-2',
          '--store',
          store,
        ]);
        expect(collected.code, collected.stderr).toBe(0);
        expect(collected.stdout).toContain(
          `saved snapshot incident-2~kind-worker in ${join(store, 'incident-2~kind-worker.json')}`,
        );
        expect(collected.stdout).toMatch(/mode iptables, node IPs 172\.18\.0\.3.*cluster state yes/);
        expect(collected.stderr).toMatch(/^problem: node:kind-worker tool-missing: ipvsadm-save: /m);
        expect(collected.stderr).not.toMatch(/not-collected|pod-/);

        const [created] = api.createdPods as {
          metadata: { name: string };
          spec: { nodeName: string; containers: { image: string }[] };
        }[];
        expect(created?.spec.nodeName).toBe('kind-worker');
        expect(created?.spec.containers[0]?.image).toBe('registry.example.test/svcpath-dump:1');
        expect(api.deletedPods).toEqual([`kube-system/${created?.metadata.name}`]);

        const saved = JSON.parse(readFileSync(join(store, 'incident-2~kind-worker.json'), 'utf8')) as {
          source: string;
          files: { name: string; text: string }[];
        };
        expect(saved.source).toMatch(
          /^collected by svcpath through the dump Pod kube-system\/svcpath-dump-kind-worker-[0-9a-f]{8} \(image registry\.example\.test\/svcpath-dump:1\), deleted after$/,
        );
        expect(saved.files.find((f) => f.name === 'iptables-save.txt')?.text).toContain(
          'KUBE-SVC-SVCPATHPODTEST01',
        );

        const traced = await run(traceCommand, [
          '--snapshot',
          'incident-2~kind-worker',
          '--store',
          store,
          '--src',
          '10.244.2.9',
          '--dst',
          '10.96.88.5',
          '--dport',
          '80',
          '--json',
        ]);
        expect(traced.code, traced.stderr).toBe(0);
        const result = JSON.parse(traced.stdout) as {
          outcomes: { probability: number; verdict: string; destination: string }[];
        };
        expect(result.outcomes.map((o) => [o.probability, o.verdict, o.destination])).toEqual([
          [1, 'DNAT', '10.244.1.7:8080'],
        ]);
      },
    );
  },
);
