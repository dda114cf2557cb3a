// collectNodeDumpsViaPod end to end: the real @kubernetes/client-node against the fake API server
// (the only stand-in: no kube-apiserver or kubelet can run here; see its header), whose "kubelet"
// runs the created Pod's real container script in a network namespace holding real iptables rules
// (testing/pod-netns.ts). Tests that need no container run without root.
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer } from '../cluster/fake-apiserver.js';
import type { FakeApiServer, FakeApiServerOptions } from '../cluster/fake-apiserver.js';
import { writeKubeconfig } from '../cluster/test-kubeconfig.js';
import type { NodeCommandId } from '../node/node-commands.js';
import { collectNodeDumpsViaPod } from './collect-node-dumps-via-pod.js';
import type { CollectNodeDumpsViaPodOptions, PodDumpProgress } from './collect-node-dumps-via-pod.js';
import { PodCollectError, podCreateError } from './pod-collect-error.js';
import { podDumpScript } from './pod-dump-script.js';
import { podNetnsUnavailable, startPodNetns } from './testing/pod-netns.js';
import type { PodNetns } from './testing/pod-netns.js';

const TOKEN = 'pod-test-token-8c1e2f';
const COMMANDS: NodeCommandId[] = ['iptables-save', 'ipvsadm-save', 'kernel-release'];
const unavailable = podNetnsUnavailable();

let scratch: string;
let api: FakeApiServer | undefined;
let netns: PodNetns | undefined;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'svcpath-node-pod-'));
});
afterEach(async () => {
  await api?.close();
  api = undefined;
});
afterAll(() => {
  netns?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

/** A fake API server with `extra`, and options for the collector pointing at it. */
async function setup(
  extra: Partial<FakeApiServerOptions> = {},
  more: Partial<CollectNodeDumpsViaPodOptions> = {},
): Promise<{ server: FakeApiServer; options: CollectNodeDumpsViaPodOptions }> {
  const server = await startFakeApiServer({ objects: {}, tokens: [TOKEN], ...extra });
  api = server;
  const kubeconfigPath = writeKubeconfig(join(scratch, `kubeconfig-${server.port}`), {
    clusters: [{ name: 'kind-kind', server: server.url, caPem: server.caPem }],
    users: [{ name: 'kind-kind', token: TOKEN }],
    contexts: [{ name: 'kind-kind', cluster: 'kind-kind', user: 'kind-kind' }],
    currentContext: 'kind-kind',
  });
  const options: CollectNodeDumpsViaPodOptions = {
    node: 'kind-worker',
    allowHostNetworkPod: true,
    kubeconfigPath,
    env: {},
    commands: COMMANDS,
    pollIntervalMs: 20,
    timeoutMs: 10_000,
    ...more,
  };
  return { server, options };
}

async function rejection(promise: Promise<unknown>): Promise<PodCollectError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PodCollectError) return error;
    throw error;
  }
  throw new Error('expected a PodCollectError, the call succeeded');
}

const methods = (server: FakeApiServer): string[] =>
  server.requests.map((r) => `${r.method} ${r.path.replace(/svcpath-dump-[a-z0-9-]+/, 'POD')}`);

describe('the dump Pod', () => {
  it('is pinned to the node, host-network, NET_ADMIN/NET_RAW only, labelled, tolerant, and deleted after', async () => {
    const { server, options } = await setup();
    await collectNodeDumpsViaPod(options);
    const pod = server.createdPods[0] as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(pod.metadata.name).toMatch(/^svcpath-dump-kind-worker-[0-9a-f]{8}$/);
    expect(pod.metadata.namespace).toBe('kube-system');
    expect(pod.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'svcpath' });
    expect(pod.spec).toMatchObject({
      nodeName: 'kind-worker',
      hostNetwork: true,
      hostPID: false,
      hostIPC: false,
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      tolerations: [{ operator: 'Exists' }],
    });
    expect(pod.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    expect(pod.spec.volumes).toEqual([{ name: 'scratch', emptyDir: {} }]); // no host mounts
    expect(pod.spec.containers).toHaveLength(1);
    expect(pod.spec.containers[0].securityContext).toEqual({
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsUser: 0,
      runAsNonRoot: false,
      capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(server.deletedPods).toEqual([`kube-system/${pod.metadata.name}`]);
  });

  it('runs a command built only from the catalogue: no node, namespace or image text in it', async () => {
    const image = 'registry.example.test/tools/dump@sha256:' + 'a'.repeat(64);
    const { server, options } = await setup(
      {},
      { node: 'ip-10-0-3-7.eu-west-1.compute.internal', namespace: 'svcpath-debug', image },
    );
    await collectNodeDumpsViaPod(options);
    const pod = server.createdPods[0] as {
      spec: {
        containers: {
          image: string;
          command: string[];
          args?: unknown;
          env: { name: string; value: string }[];
        }[];
      };
    };
    const container = pod.spec.containers[0];
    expect(container?.image).toBe(image);
    expect(container?.command).toEqual(['/bin/sh', '-c', podDumpScript(COMMANDS)]);
    expect(container?.args).toBeUndefined();
    for (const text of ['ip-10-0-3-7', 'svcpath-debug', 'registry.example.test', 'kind-worker'])
      expect(container?.command.join(' ')).not.toContain(text);
    // The limits reach the script as numbers in env, not as script text.
    expect(container?.env).toEqual([
      { name: 'SVCPATH_TIMEOUT_SECONDS', value: '10' },
      { name: 'SVCPATH_MAX_BYTES', value: String(64 * 1024 * 1024) },
      { name: 'TMPDIR', value: '/tmp' },
    ]);
  });

  it('is never created unless asked for, nor for a command string smuggled in as an id', async () => {
    const { server, options } = await setup();
    const notAsked = { ...options, allowHostNetworkPod: false } as unknown as CollectNodeDumpsViaPodOptions;
    expect((await rejection(collectNodeDumpsViaPod(notAsked))).code).toBe('not-opted-in');
    const smuggled = {
      ...options,
      commands: ['iptables-save -c; reboot'],
    } as unknown as CollectNodeDumpsViaPodOptions;
    await expect(collectNodeDumpsViaPod(smuggled)).rejects.toMatchObject({ code: 'unknown-command-id' });
    const badNode = { ...options, node: 'worker; rm -rf /' };
    expect((await rejection(collectNodeDumpsViaPod(badNode))).code).toBe('invalid-options');
    expect(server.requests).toEqual([]);
  });

  it('keeps the node-pod sources to one Pod builder and one script builder (a source guard)', async () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const sources = (await readdir(dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const text = new Map(
      await Promise.all(sources.map(async (f) => [f, await readFile(join(dir, f), 'utf8')] as const)),
    );
    const matching = (re: RegExp): string[] => sources.filter((f) => re.test(text.get(f) ?? '')).sort();
    expect(matching(/from '@kubernetes\/client-node'/)).toEqual([
      'collect-node-dumps-via-pod.ts',
      'wait-for-pod.ts',
    ]);
    expect(matching(/\b(Exec|Attach|Cp|PortForward)\b/)).toEqual([]); // logs only: no exec into anything
    expect(matching(/\bcommand: \[/)).toEqual(['node-dump-pod.ts']);
    expect(text.get('node-dump-pod.ts')).toContain(`command: ['/bin/sh', '-c', spec.script],`);
    expect(matching(/\bscript: \w+\(/)).toEqual(['collect-node-dumps-via-pod.ts']);
    expect(text.get('collect-node-dumps-via-pod.ts')).toMatch(/script: podDumpScript\(ids\),/);
  });
});

describe.skipIf(unavailable !== undefined)(
  'collecting through the Pod (its script run in a network namespace)',
  () => {
    beforeAll(() => {
      netns = startPodNetns();
    });

    it('splits the log into per-command results: the namespace ruleset comes back, the Pod is deleted', async () => {
      const events: PodDumpProgress[] = [];
      const { server, options } = await setup(
        { podLifecycle: { run: (pod, write, signal) => netns!.run(pod, write, signal) } },
        { onProgress: (e) => events.push(e) },
      );
      const result = await collectNodeDumpsViaPod(options);
      const save = result.files['iptables-save'];
      expect(save).toMatchObject({
        command: 'iptables-save -c',
        exitCode: 0,
        timedOut: false,
        truncated: false,
      });
      expect(save?.stdout).toContain(
        '-A KUBE-SEP-SVCPATHPODTEST01 -p tcp -m comment --comment "shop/frontend:http" -m tcp -j DNAT --to-destination 10.244.1.7:8080',
      );
      expect(save?.stderr).toBe('');
      expect(result.files['kernel-release']?.stdout.trim()).toMatch(/^\d+\.\d+/);
      expect(result.problems.map((p) => p.kind)).toEqual(['tool-missing']); // ipvsadm is not installed here
      expect(result.partial).toBe(false);
      expect(result.node).toEqual({
        name: 'kind-worker',
        namespace: 'kube-system',
        pod: expect.stringMatching(/^svcpath-dump-/),
        image: 'docker.io/nicolaka/netshoot:v0.13',
      });
      expect(server.deletedPods).toEqual([`kube-system/${result.node.pod}`]);
      const calls = methods(server);
      expect(calls[0]).toBe('POST /api/v1/namespaces/kube-system/pods');
      expect(calls.slice(-2)).toEqual([
        'GET /api/v1/namespaces/kube-system/pods/POD/log',
        'DELETE /api/v1/namespaces/kube-system/pods/POD',
      ]);
      expect(server.requests.find((r) => r.path.endsWith('/log'))?.query).toMatchObject({
        container: 'dump',
        limitBytes: expect.stringMatching(/^\d+$/),
      });
      expect(events.map((e) => (e.kind === 'pod-phase' ? e.phase : e.kind))).toEqual([
        'pod-created',
        'Pending',
        'Running',
        'Succeeded',
        'pod-deleted',
      ]);
    });

    it('on a failed Pod keeps what its log holds, reports the failure and deletes it', async () => {
      const { server, options } = await setup({
        podLifecycle: {
          phases: ['Pending', 'Running', 'Failed'],
          failure: { reason: 'OOMKilled', exitCode: 137 },
          run: (pod, write, signal) => netns!.run(pod, write, signal),
        },
      });
      const result = await collectNodeDumpsViaPod(options);
      expect(result.problems[0]).toMatchObject({ kind: 'pod-failed', reason: 'OOMKilled' });
      expect(result.problems[0]?.message).toContain('(container exit 137)');
      expect(result.files['iptables-save']?.stdout).toContain('KUBE-SVC-SVCPATHPODTEST01');
      expect(result.partial).toBe(true);
      expect(server.deletedPods).toHaveLength(1);
    });
  },
);

describe('when the Pod does not run to the end', () => {
  it('deletes a Pod that never starts, at the start timeout, and skips every command', async () => {
    const { server, options } = await setup(
      { podLifecycle: { phases: ['Pending'] } },
      { startTimeoutMs: 300 },
    );
    const result = await collectNodeDumpsViaPod(options);
    expect(result.problems.map((p) => p.kind)).toEqual([
      'pod-start-timeout',
      'skipped',
      'skipped',
      'skipped',
    ]);
    expect(result.problems[0]?.message).toMatch(
      /did not start within 300 ms \(last seen: ContainerCreating\)/,
    );
    expect(result.partial).toBe(true);
    expect(server.deletedPods).toEqual([`kube-system/${result.node.pod}`]);
    expect(methods(server).some((m) => m.endsWith('/log'))).toBe(false);
  });

  it('gives up at once on an image that cannot be pulled, and deletes the Pod', async () => {
    const waiting = {
      reason: 'ImagePullBackOff',
      message: 'Back-off pulling image "docker.io/nicolaka/netshoot:v0.13"',
    };
    const { server, options } = await setup(
      { podLifecycle: { phases: ['Pending'], waiting } },
      { startTimeoutMs: 60_000 },
    );
    const result = await collectNodeDumpsViaPod(options);
    expect(result.problems[0]).toMatchObject({ kind: 'pod-failed', reason: 'ImagePullBackOff' });
    expect(result.problems[0]?.message).toContain('Back-off pulling image');
    expect(server.deletedPods).toHaveLength(1);
  });

  it('reports an unreadable log (RBAC on pods/log) and still deletes the Pod', async () => {
    const { server, options } = await setup({ forbidden: [{ resource: 'pods/log', verb: 'get' }] });
    const result = await collectNodeDumpsViaPod(options);
    expect(result.problems[0]?.kind).toBe('log-unreadable');
    expect(result.problems[0]?.message).toContain(
      'needs RBAC permission "get" on "pods/log" in namespace "kube-system"',
    );
    expect(server.deletedPods).toHaveLength(1);
  });

  it('names a Pod it could not delete, and how to delete it', async () => {
    const { server, options } = await setup({ forbidden: [{ resource: 'pods', verb: 'delete' }] });
    const result = await collectNodeDumpsViaPod(options);
    const leftover = result.problems.find((p) => p.kind === 'pod-not-deleted');
    const name = result.node.pod;
    expect(leftover?.message).toContain(`the dump Pod kube-system/${name} could not be deleted`);
    expect(leftover?.message).toContain('needs RBAC permission "delete" on "pods"');
    expect(leftover?.message).toContain(`kubectl delete pod -n kube-system ${name}`);
    expect(server.deletedPods).toEqual([]);
    expect(methods(server)).toContain('DELETE /api/v1/namespaces/kube-system/pods/POD');
  });
});

describe('when the Pod is refused', () => {
  it('names the missing RBAC permission (403 on pods/create), and deletes nothing', async () => {
    const { server, options } = await setup({
      forbidden: [{ resource: 'pods', verb: 'create', namespace: 'kube-system' }],
    });
    const error = await rejection(collectNodeDumpsViaPod(options));
    expect(error.info).toMatchObject({
      code: 'rbac-forbidden',
      namespace: 'kube-system',
      verb: 'create',
      resource: 'pods',
    });
    expect(error.message).toContain(
      'the account needs RBAC permission "create" on "pods" in namespace "kube-system"',
    );
    expect(error.message).toContain('pods: create, get, delete; pods/log: get');
    expect(error.message).toContain('kubectl auth can-i create pods -n kube-system');
    expect(methods(server).filter((m) => m.startsWith('DELETE'))).toEqual([]);
  });

  it('says which namespace label Pod Security needs (403 "violates PodSecurity")', async () => {
    const { server, options } = await setup(
      { admission: { kind: 'pod-security', level: 'baseline' } },
      { namespace: 'tools' },
    );
    const error = await rejection(collectNodeDumpsViaPod(options));
    expect(error.info).toMatchObject({
      code: 'pod-security-rejected',
      namespace: 'tools',
      level: 'baseline',
    });
    expect(error.message).toContain('namespace "tools" enforces level "baseline"');
    expect(error.message).toContain('pod-security.kubernetes.io/enforce=privileged');
    expect(error.message).toContain(
      'kubectl label namespace tools pod-security.kubernetes.io/enforce=privileged',
    );
    // The API server's own words, computed by the fake from the Pod as Pod Security would:
    expect(error.message).toMatch(
      /violates PodSecurity "baseline:latest": host namespaces \(hostNetwork=true\), non-default capabilities \(container "dump" must not include "NET_ADMIN", "NET_RAW" in securityContext.capabilities.add\)/,
    );
    expect(server.deletedPods).toEqual([]);
  });

  it('passes on other admission rejections (422 from a ValidatingAdmissionPolicy)', async () => {
    const { options } = await setup({
      admission: {
        kind: 'validating-admission-policy',
        policy: 'deny-host-network',
        binding: 'deny-host-network-all',
        expression: 'object.spec.hostNetwork != true',
      },
    });
    const error = await rejection(collectNodeDumpsViaPod(options));
    expect(error.info).toMatchObject({ code: 'admission-rejected', status: 422, namespace: 'kube-system' });
    expect(error.message).toContain(
      `ValidatingAdmissionPolicy 'deny-host-network' with binding 'deny-host-network-all' denied request: failed expression: object.spec.hostNetwork != true`,
    );
    expect(error.message).toContain('--pod-namespace');
  });

  it('says when the namespace does not exist (404 on create)', () => {
    // client-node's ApiException carries `code` and the Status body; the fake does not model namespaces.
    const thrown = {
      code: 404,
      body: JSON.stringify({
        kind: 'Status',
        code: 404,
        reason: 'NotFound',
        message: 'namespaces "svcpath-debug" not found',
      }),
    };
    const error = podCreateError(thrown, 'svcpath-debug', 'https://127.0.0.1:6443');
    expect(error.info).toMatchObject({ code: 'namespace-not-found', namespace: 'svcpath-debug' });
    expect(error.message).toContain('namespace "svcpath-debug" does not exist');
  });
});
