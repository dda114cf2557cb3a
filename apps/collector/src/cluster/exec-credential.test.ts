import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer } from './fake-apiserver.js';
import type { FakeApiServer } from './fake-apiserver.js';
import { createKubeClusterSource } from './kube-cluster-source.js';
import { fixtureObjects } from './test-fixtures.js';
import { makeTempDir, writeExecPlugin, writeKubeconfig } from './test-kubeconfig.js';
import type { TestUser } from './test-kubeconfig.js';
import type { WatchEvent } from './watch-resource.js';

const EXEC_TOKEN = 'k8s-aws-v1.exec-plugin-token-5e1d';

describe('exec credential plugins', () => {
  let fake: FakeApiServer;
  beforeAll(async () => {
    fake = await startFakeApiServer({ objects: fixtureObjects(), tokens: [EXEC_TOKEN] });
  });
  afterAll(async () => fake.close());

  function kubeconfigWith(dir: string, user: TestUser): string {
    return writeKubeconfig(path.join(dir, 'config'), {
      clusters: [{ name: 'eks', server: fake.url, caPem: fake.caPem }],
      users: [user],
      contexts: [{ name: 'eks', cluster: 'eks', user: user.name }],
      currentContext: 'eks',
    });
  }

  it('runs the plugin (relative to the kubeconfig) and sends its token, as kubectl does', async () => {
    const dir = makeTempDir();
    writeExecPlugin(path.join(dir, 'bin', 'get-token'), EXEC_TOKEN);
    const kubeconfig = kubeconfigWith(dir, {
      name: 'eks-user',
      exec: { command: './bin/get-token', args: ['--cluster', 'eks'], provideClusterInfo: true },
    });
    fake.requests.length = 0;

    const source = createKubeClusterSource({ env: { KUBECONFIG: kubeconfig } });
    const { state, problems } = await source.readClusterState({ pageSize: 3 });
    await source.readClusterState();

    expect(problems).toEqual([]);
    expect(state.services).toHaveLength(7);
    expect(fake.requests.length).toBeGreaterThan(5);
    expect(fake.requests.every((r) => r.authorization === `Bearer ${EXEC_TOKEN}`)).toBe(true);
    // The token is cached until its expirationTimestamp: one run for two reads.
    expect(
      fs
        .readFileSync(path.join(dir, 'bin', 'exec-runs.txt'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(1);
    const execInfo = JSON.parse(fs.readFileSync(path.join(dir, 'bin', 'exec-info.json'), 'utf8')) as unknown;
    expect(execInfo).toMatchObject({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      spec: {
        interactive: false,
        cluster: {
          server: fake.url,
          'certificate-authority-data': Buffer.from(fake.caPem).toString('base64'),
        },
      },
    });
    expect(JSON.stringify({ state, problems })).not.toContain(EXEC_TOKEN);
  });

  it('authenticates watches through the plugin too', async () => {
    const dir = makeTempDir();
    const plugin = writeExecPlugin(path.join(dir, 'get-token'), EXEC_TOKEN);
    const source = createKubeClusterSource({
      env: { KUBECONFIG: kubeconfigWith(dir, { name: 'eks-user', exec: { command: plugin } }) },
    });
    const events: WatchEvent<'nodes'>[] = [];
    const stop = source.watch({ resource: 'nodes' }, (event) => events.push(event));
    await expect.poll(() => events.length).toBe(3);
    stop();
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'ADDED', 'ADDED']);
  });

  it('reports a failing plugin once, with its message and install hint', async () => {
    const dir = makeTempDir();
    const kubeconfig = kubeconfigWith(dir, {
      name: 'eks-user',
      exec: { command: 'svcpath-no-such-credential-plugin' },
    });
    const { problems } = await createKubeClusterSource({
      env: { KUBECONFIG: kubeconfig },
    }).readClusterState();
    expect(problems).toEqual([
      {
        code: 'CREDENTIALS_FAILED',
        message:
          'the exec credential plugin of user "eks-user" failed: executable "svcpath-no-such-credential-plugin" was not found (ENOENT)',
      },
    ]);
  });
});
