import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSourceError } from './cluster-source-error.js';
import { startFakeApiServer } from './fake-apiserver.js';
import type { FakeApiServer } from './fake-apiserver.js';
import { createKubeClusterSource } from './kube-cluster-source.js';
import { loadKubeconfig, selectContext } from './kubeconfig-loader.js';
import { fixtureObjects } from './test-fixtures.js';
import { makeTempDir, writeKubeconfig } from './test-kubeconfig.js';

const objects = fixtureObjects();
const byName = (items: unknown[], names: string[]) =>
  items.filter((item) => names.includes((item as { metadata: { name: string } }).metadata.name));

describe('kubeconfig loading and context selection, as kubectl does it', () => {
  let prod: FakeApiServer;
  let staging: FakeApiServer;
  let dir: string;
  let first: string;
  let second: string;

  beforeAll(async () => {
    // Two clusters that hold different Services, so a read shows which one was asked.
    prod = await startFakeApiServer({
      objects: { services: byName(objects.services, ['kubernetes', 'cart']) },
      tokens: ['prod-token-1'],
    });
    staging = await startFakeApiServer({
      objects: { services: byName(objects.services, ['kubernetes']) },
      tokens: ['staging-token-2'],
    });
    dir = makeTempDir();
    first = writeKubeconfig(path.join(dir, 'first.yaml'), {
      clusters: [{ name: 'prod', server: prod.url, caPem: prod.caPem }],
      users: [{ name: 'prod-admin', token: 'prod-token-1' }],
      contexts: [{ name: 'prod', cluster: 'prod', user: 'prod-admin', namespace: 'shop' }],
      currentContext: 'prod',
    });
    second = writeKubeconfig(path.join(dir, 'second.yaml'), {
      clusters: [
        { name: 'staging', server: staging.url, caPem: staging.caPem },
        { name: 'prod', server: 'https://127.0.0.1:1', caPem: prod.caPem }, // shadowed: first file wins
      ],
      users: [{ name: 'staging-admin', token: 'staging-token-2' }],
      contexts: [{ name: 'staging', cluster: 'staging', user: 'staging-admin' }],
      currentContext: 'staging', // ignored: first.yaml set current-context first
    });
  });
  afterAll(async () => Promise.all([prod.close(), staging.close()]));

  it('merges a colon-separated KUBECONFIG first-wins and skips files that do not exist', async () => {
    const env = { KUBECONFIG: [path.join(dir, 'missing.yaml'), first, '', second].join(':') };
    const contexts = await createKubeClusterSource({ env }).listContexts();
    expect(contexts).toEqual([
      {
        name: 'prod',
        cluster: 'prod',
        server: prod.url,
        user: 'prod-admin',
        namespace: 'shop',
        current: true,
      },
      { name: 'staging', cluster: 'staging', server: staging.url, user: 'staging-admin', current: false },
    ]);
  });

  it('reads the cluster of the chosen context, with that context’s credentials', async () => {
    const source = createKubeClusterSource({ env: { KUBECONFIG: `${first}:${second}` } });
    const current = await source.readClusterState();
    const chosen = await source.readClusterState({ context: 'staging' });
    expect(current.state.context).toBe('prod');
    expect(current.state.services.map((s) => s.metadata.name).sort()).toEqual(['cart', 'kubernetes']);
    expect(chosen.state.context).toBe('staging');
    expect(chosen.state.server).toBe(staging.url);
    expect(chosen.state.services.map((s) => s.metadata.name)).toEqual(['kubernetes']);
    expect(staging.requests.every((r) => r.authorization === 'Bearer staging-token-2')).toBe(true);
  });

  it('throws CONTEXT_NOT_FOUND for a context that is not there', async () => {
    const source = createKubeClusterSource({ env: { KUBECONFIG: first } });
    await expect(source.readClusterState({ context: 'staging' })).rejects.toMatchObject({
      name: 'ClusterSourceError',
      code: 'CONTEXT_NOT_FOUND',
      message: 'context "staging" does not exist; known contexts: prod',
    });
  });

  it('uses ~/.kube/config when KUBECONFIG is unset', () => {
    const home = makeTempDir();
    fs.mkdirSync(path.join(home, '.kube'));
    fs.copyFileSync(second, path.join(home, '.kube', 'config'));
    expect(loadKubeconfig({ env: { HOME: home } }).getCurrentContext()).toBe('staging');
  });

  it('resolves a relative certificate-authority against the kubeconfig’s directory', async () => {
    const sub = path.join(makeTempDir(), 'conf');
    fs.mkdirSync(path.join(sub, 'pki'), { recursive: true });
    fs.writeFileSync(path.join(sub, 'pki', 'ca.crt'), staging.caPem);
    const file = writeKubeconfig(path.join(sub, 'config'), {
      clusters: [{ name: 'staging', server: staging.url, caFile: 'pki/ca.crt' }],
      users: [{ name: 'u', token: 'staging-token-2' }],
      contexts: [{ name: 'staging', cluster: 'staging', user: 'u' }],
      currentContext: 'staging',
    });
    const { problems } = await createKubeClusterSource({ env: { KUBECONFIG: file } }).readClusterState();
    expect(problems.filter((p) => p.code === 'TLS_ERROR' || p.code === 'CREDENTIALS_FAILED')).toEqual([]);
  });

  it('uses the in-cluster service account when there is no kubeconfig', async () => {
    const saDir = makeTempDir();
    fs.writeFileSync(path.join(saDir, 'token'), 'staging-token-2');
    fs.writeFileSync(path.join(saDir, 'ca.crt'), staging.caPem);
    fs.writeFileSync(path.join(saDir, 'namespace'), 'svcpath');
    const env = {
      HOME: makeTempDir(),
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: String(staging.port),
    };
    const source = createKubeClusterSource({ env, serviceAccountDir: saDir });
    expect(await source.listContexts()).toEqual([
      {
        name: 'inClusterContext',
        cluster: 'inCluster',
        server: staging.url,
        user: 'inClusterUser',
        namespace: 'svcpath',
        current: true,
      },
    ]);
    const { state, problems } = await source.readClusterState();
    expect(problems.filter((p) => p.code !== 'NOT_FOUND')).toEqual([]); // the staging fake has no kube-proxy ConfigMap
    expect(state.services.map((s) => s.metadata.name)).toEqual(['kubernetes']);
  });

  it('throws KUBECONFIG_NOT_FOUND when there is nothing to load', () => {
    const attempt = () => loadKubeconfig({ env: { HOME: makeTempDir() }, serviceAccountDir: makeTempDir() });
    expect(attempt).toThrow(ClusterSourceError);
    expect(attempt).toThrow(/no kubeconfig found in .*\.kube\/config, and no in-cluster service account/);
  });

  it('throws KUBECONFIG_INVALID, naming the file, for a kubeconfig that is not YAML', () => {
    const bad = path.join(makeTempDir(), 'config');
    fs.writeFileSync(bad, 'clusters: [unclosed\n');
    expect(() => loadKubeconfig({ env: { KUBECONFIG: bad } })).toThrow(
      expect.objectContaining({ code: 'KUBECONFIG_INVALID', details: { file: bad } }),
    );
  });

  it('selectContext leaves the merged configuration untouched', () => {
    const all = loadKubeconfig({ env: { KUBECONFIG: `${first}:${second}` } });
    expect(selectContext(all, 'staging').getCurrentContext()).toBe('staging');
    expect(all.getCurrentContext()).toBe('prod');
  });
});
