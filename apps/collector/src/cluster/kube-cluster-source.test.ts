import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer } from './fake-apiserver.js';
import type { FakeApiServer } from './fake-apiserver.js';
import { createKubeClusterSource } from './kube-cluster-source.js';
import { PLANTED_SECRET, fixtureObjects } from './test-fixtures.js';
import { makeTempDir, writeKubeconfig } from './test-kubeconfig.js';

const TOKEN = 'sa-token-3f9a1c7e5b2d4e60a8c1';

describe('KubeClusterSource against the fake API server', () => {
  let fake: FakeApiServer;
  let kubeconfig: string;
  const objects = fixtureObjects();

  beforeAll(async () => {
    fake = await startFakeApiServer({ objects, tokens: [TOKEN] });
    kubeconfig = writeKubeconfig(path.join(makeTempDir(), 'config'), {
      clusters: [{ name: 'kind-kind', server: fake.url, caPem: fake.caPem }],
      users: [{ name: 'kind-kind', token: TOKEN }],
      contexts: [{ name: 'kind-kind', cluster: 'kind-kind', user: 'kind-kind' }],
      currentContext: 'kind-kind',
    });
  });
  afterAll(async () => fake.close());

  const source = () => createKubeClusterSource({ env: { KUBECONFIG: kubeconfig } });

  it('lists every object through pages smaller than the lists', async () => {
    fake.requests.length = 0;
    const { state, problems } = await source().readClusterState({ pageSize: 2 });

    expect(problems).toEqual([]);
    expect(state.context).toBe('kind-kind');
    expect(state.services.map((s) => `${s.metadata.namespace}/${s.metadata.name}`).sort()).toEqual([
      'default/external-db',
      'default/kubernetes',
      'kube-system/kube-dns',
      'monitoring/prometheus',
      'shop/cart',
      'shop/checkout',
      'shop/frontend',
    ]);
    expect(state.endpoints.kind).toBe('EndpointSlices');
    if (state.endpoints.kind === 'EndpointSlices')
      expect(state.endpoints.slices).toHaveLength(objects.endpointslices.length);
    expect(state.pods).toHaveLength(objects.pods.length);
    expect(state.nodes.map((n) => n.metadata.name)).toEqual([
      'kind-control-plane',
      'kind-worker',
      'kind-worker2',
    ]);

    // 7 services in pages of 2: four requests, the last three carrying the continue token.
    const serviceRequests = fake.requests.filter((r) => r.path === '/api/v1/services');
    expect(serviceRequests.map((r) => r.query['limit'])).toEqual(['2', '2', '2', '2']);
    expect(serviceRequests.filter((r) => r.query['continue'] !== undefined)).toHaveLength(3);
    expect(fake.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('keeps the fields kube-proxy routes by, in API JSON shape', async () => {
    const { state } = await source().readClusterState();
    const frontend = state.services.find((s) => s.metadata.name === 'frontend');
    expect(frontend?.spec).toMatchObject({
      type: 'NodePort',
      clusterIP: '10.96.88.5',
      externalTrafficPolicy: 'Local',
      ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080, protocol: 'TCP' }],
    });
    expect(frontend?.metadata.annotations).toEqual({ 'service.kubernetes.io/topology-mode': 'Auto' });
    const terminating = state.pods.find((p) => p.metadata.name === 'frontend-7d9c8b6f5d-m8vqz');
    expect(terminating?.metadata.deletionTimestamp).toBe('2025-03-14T11:01:40Z');
    if (state.endpoints.kind !== 'EndpointSlices') throw new Error('expected EndpointSlices');
    const slice = state.endpoints.slices.find(
      (s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'frontend',
    );
    expect(slice?.endpoints?.[1]).toMatchObject({
      addresses: ['10.244.2.5'],
      conditions: { ready: false, serving: true, terminating: true },
      hints: { forZones: [{ name: 'zone-b' }] },
    });
  });

  it("reads kube-proxy's configuration from its ConfigMap", async () => {
    const { state } = await source().readClusterState();
    expect(state.kubeProxyConfig).toMatchObject({
      mode: 'iptables',
      clusterCIDR: '10.244.0.0/16',
      detectLocalMode: '',
      iptables: { masqueradeAll: false },
      ipvs: { scheduler: '' },
    });
    expect(state.kubeProxyConfig?.iptables?.masqueradeBit).toBeUndefined(); // null in config.conf: kube-proxy defaults it to 14
    expect(state.kubeProxyConfig?.nodePortAddresses).toBeUndefined();
  });

  it('reads only the requested namespaces (nodes stay cluster-wide)', async () => {
    const { state, problems } = await source().readClusterState({ namespaces: ['shop'] });
    expect(problems).toEqual([]);
    expect(new Set(state.services.map((s) => s.metadata.namespace))).toEqual(new Set(['shop']));
    expect(new Set(state.pods.map((p) => p.metadata.namespace))).toEqual(new Set(['shop']));
    expect(state.nodes).toHaveLength(3);
  });

  it('never returns a credential or a secret from the cluster', async () => {
    const cs = source();
    const result = await cs.readClusterState();
    const contexts = await cs.listContexts();
    const text = JSON.stringify({ result, contexts });
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(Buffer.from(fake.caPem).toString('base64').slice(0, 40));
    expect(text).not.toContain('BEGIN CERTIFICATE');
    expect(text).not.toContain(PLANTED_SECRET); // a Pod env value and a last-applied annotation
    expect(text).not.toContain('last-applied-configuration');
    expect(text).not.toContain('kubeconfig.conf'); // kube-proxy's own kubeconfig in the ConfigMap
    expect(text).not.toMatch(/"env"|"volumes"|serviceAccountToken/);
    expect(contexts).toEqual([
      { name: 'kind-kind', cluster: 'kind-kind', server: fake.url, user: 'kind-kind', current: true },
    ]);
  });
});
