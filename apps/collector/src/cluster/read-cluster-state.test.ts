import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeApiServer } from './fake-apiserver.js';
import type { FakeApiServer, FakeApiServerOptions } from './fake-apiserver.js';
import { createKubeClusterSource } from './kube-cluster-source.js';
import { fixtureObjects } from './test-fixtures.js';
import { makeTempDir, writeKubeconfig } from './test-kubeconfig.js';

const TOKEN = 'sa-token-77d0c2e4';
let fake: FakeApiServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function sourceFor(server: string, caPem: string | undefined, token = TOKEN) {
  const kubeconfig = writeKubeconfig(path.join(makeTempDir(), 'config'), {
    clusters: [{ name: 'c', server, ...(caPem ? { caPem } : {}) }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return createKubeClusterSource({ env: { KUBECONFIG: kubeconfig }, requestTimeoutMs: 5_000 });
}

async function start(options: Partial<FakeApiServerOptions> = {}) {
  fake = await startFakeApiServer({ objects: fixtureObjects(), tokens: [TOKEN], ...options });
  return fake;
}

describe('readClusterState when parts of the cluster cannot be read', () => {
  it('reports a 403 on pods with the missing permission and still returns the rest', async () => {
    const server = await start({
      forbidden: [{ resource: 'pods', verb: 'list' }],
      user: 'system:serviceaccount:x:y',
    });
    const { state, problems } = await sourceFor(server.url, server.caPem).readClusterState();

    expect(problems).toEqual([
      {
        code: 'FORBIDDEN',
        resource: 'pods',
        verb: 'list',
        message:
          'cannot list pods in all namespaces: the account needs RBAC permission list on pods (core/v1)',
        detail:
          'pods is forbidden: User "system:serviceaccount:x:y" cannot list resource "pods" in API group "" at the cluster scope',
      },
    ]);
    expect(state.pods).toEqual([]);
    expect(state.services).toHaveLength(7);
    expect(state.nodes).toHaveLength(3);
    expect(state.endpoints.kind).toBe('EndpointSlices');
    expect(state.kubeProxyConfig?.mode).toBe('iptables');
  });

  it('names the namespace when a namespaced list is forbidden', async () => {
    const server = await start({ forbidden: [{ resource: 'services', namespace: 'monitoring' }] });
    const { state, problems } = await sourceFor(server.url, server.caPem).readClusterState({
      namespaces: ['shop', 'monitoring'],
    });
    expect(problems.map((p) => p.message)).toEqual([
      'cannot list services in namespace "monitoring": the account needs RBAC permission list on services (core/v1)',
    ]);
    expect(problems[0]?.namespace).toBe('monitoring');
    expect(state.services.map((s) => s.metadata.name).sort()).toEqual(['cart', 'checkout', 'frontend']);
  });

  it('falls back to v1 Endpoints when discovery.k8s.io/v1 answers 404', async () => {
    const server = await start({ endpointSliceApi: false });
    const { state, problems } = await sourceFor(server.url, server.caPem).readClusterState({ pageSize: 4 });

    expect(problems.map((p) => p.code)).toEqual(['ENDPOINTS_FALLBACK']);
    expect(problems[0]?.message).toMatch(
      /^read v1 Endpoints instead of EndpointSlices because the API server does not serve discovery\.k8s\.io\/v1/,
    );
    expect(state.endpoints.kind).toBe('Endpoints');
    if (state.endpoints.kind !== 'Endpoints') return;
    expect(state.endpoints.endpoints).toHaveLength(6);
    const frontend = state.endpoints.endpoints.find((e) => e.metadata.name === 'frontend');
    expect(frontend?.subsets?.[0]?.notReadyAddresses?.map((a) => a.ip)).toEqual(['10.244.2.5']);
    expect(server.requests.some((r) => r.path.includes('endpointslices'))).toBe(false);
  });

  it('falls back to v1 Endpoints when EndpointSlices are forbidden, and says both', async () => {
    const server = await start({ forbidden: [{ resource: 'endpointslices' }] });
    const { state, problems } = await sourceFor(server.url, server.caPem).readClusterState();
    expect(problems.map((p) => p.code)).toEqual(['FORBIDDEN', 'ENDPOINTS_FALLBACK']);
    expect(problems[0]?.message).toBe(
      'cannot list endpointslices in all namespaces: the account needs RBAC permission list on endpointslices (discovery.k8s.io/v1)',
    );
    expect(problems[1]?.message).toContain('the account may not list endpointslices');
    expect(state.endpoints.kind).toBe('Endpoints');
  });

  it("says why kube-proxy's configuration is missing when its ConfigMap cannot be read", async () => {
    const server = await start({ forbidden: [{ resource: 'configmaps', verb: 'get' }] });
    const { state, problems } = await sourceFor(server.url, server.caPem).readClusterState();
    expect(state.kubeProxyConfig).toBeNull();
    expect(problems.map((p) => p.message)).toEqual([
      'cannot get configmaps "kube-proxy" in namespace "kube-system": the account needs RBAC permission get on configmaps (core/v1)',
    ]);

    await fake?.close();
    const objects = { ...fixtureObjects(), configmaps: [] };
    const bare = await start({ objects });
    const missing = await sourceFor(bare.url, bare.caPem).readClusterState();
    expect(missing.problems.map((p) => p.code)).toEqual(['NOT_FOUND']);
    expect(missing.problems[0]?.message).toContain('sets kube-proxy up by flags');
  });

  it('gives up on a request the API server never answers, and keeps the rest', async () => {
    const server = await start({ hang: ['/api/v1/pods'] });
    const kubeconfig = writeKubeconfig(path.join(makeTempDir(), 'config'), {
      clusters: [{ name: 'c', server: server.url, caPem: server.caPem }],
      users: [{ name: 'u', token: TOKEN }],
      contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
      currentContext: 'ctx',
    });
    const source = createKubeClusterSource({ env: { KUBECONFIG: kubeconfig }, requestTimeoutMs: 3000 }); // long enough for the answered requests on a busy machine
    const { state, problems } = await source.readClusterState();
    expect(problems).toEqual([
      {
        code: 'TIMEOUT',
        resource: 'pods',
        verb: 'list',
        message: `API server ${server.url} did not answer within 3000 ms when asked to list pods in all namespaces`,
      },
    ]);
    expect(state.services).toHaveLength(7);
  });

  it('reports an unreachable API server once, with its address and the error code', async () => {
    const port = await closedPort();
    const { state, problems } = await sourceFor(`https://127.0.0.1:${port}`, undefined).readClusterState();
    expect(problems).toEqual([
      { code: 'UNREACHABLE', message: `API server https://127.0.0.1:${port} did not answer: ECONNREFUSED` },
    ]);
    expect(state).toMatchObject({
      services: [],
      pods: [],
      nodes: [],
      endpoints: { kind: 'unavailable' },
      kubeProxyConfig: null,
    });
  });

  it('reports a rejected token as UNAUTHORIZED without echoing it', async () => {
    const server = await start();
    const result = await sourceFor(server.url, server.caPem, 'expired-token-0000').readClusterState();
    expect(result.problems.map((p) => p.code)).toEqual(['UNAUTHORIZED']);
    expect(result.problems[0]?.message).toContain(
      'rejected the credentials of context "ctx" (401 Unauthorized)',
    );
    expect(JSON.stringify(result)).not.toContain('expired-token-0000');
  });

  it('reports an untrusted server certificate as a TLS error', async () => {
    const server = await start();
    const other = await startFakeApiServer({ objects: {}, tokens: [] });
    try {
      const { problems } = await sourceFor(server.url, other.caPem).readClusterState();
      expect(problems.map((p) => p.code)).toEqual(['TLS_ERROR']);
      expect(problems[0]?.message).toMatch(
        /^TLS handshake with API server https:\/\/127\.0\.0\.1:\d+ failed: /,
      );
    } finally {
      await other.close();
    }
  });
});

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
