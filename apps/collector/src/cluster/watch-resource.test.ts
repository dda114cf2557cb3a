import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeApiServer } from './fake-apiserver.js';
import type { FakeApiServer, FakeApiServerOptions } from './fake-apiserver.js';
import { createKubeClusterSource } from './kube-cluster-source.js';
import { fixtureObjects } from './test-fixtures.js';
import { makeTempDir, writeKubeconfig } from './test-kubeconfig.js';
import type { WatchEvent } from './watch-resource.js';

const TOKEN = 'watch-token-9b2e';
let fake: FakeApiServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setUp(options: Partial<FakeApiServerOptions> = {}) {
  fake = await startFakeApiServer({ objects: { services: [] }, tokens: [TOKEN], ...options });
  const kubeconfig = writeKubeconfig(path.join(makeTempDir(), 'config'), {
    clusters: [{ name: 'c', server: fake.url, caPem: fake.caPem }],
    users: [{ name: 'u', token: TOKEN }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return { server: fake, source: createKubeClusterSource({ env: { KUBECONFIG: kubeconfig } }) };
}

const cart = fixtureObjects().services.find(
  (s) => (s as { metadata: { name: string } }).metadata.name === 'cart',
) as {
  metadata: Record<string, unknown>;
  spec: Record<string, unknown>;
};
const summary = (event: WatchEvent<'services'>) =>
  event.type === 'ERROR'
    ? `ERROR ${event.problem.code}`
    : `${event.type} ${event.object.metadata.name} ${event.object.spec.sessionAffinity}`;

describe('watching Services', () => {
  it('receives ADDED, MODIFIED and DELETED as they happen', async () => {
    const { server, source } = await setUp();
    const events: WatchEvent<'services'>[] = [];
    const stop = source.watchServices((event) => events.push(event));
    await expect.poll(() => server.requests.some((r) => r.query['watch'] === 'true')).toBe(true);

    server.publish('services', 'ADDED', cart);
    const modified = { ...cart, spec: { ...cart.spec, sessionAffinity: 'None' } };
    server.publish('services', 'MODIFIED', modified);
    server.publish('services', 'DELETED', modified); // the API server sends the last state
    await expect.poll(() => events.length).toBe(3);
    stop();

    expect(events.map(summary)).toEqual(['ADDED cart ClientIP', 'MODIFIED cart None', 'DELETED cart None']);
    const watchRequest = server.requests.find((r) => r.query['watch'] === 'true');
    expect(watchRequest).toMatchObject({ path: '/api/v1/services', authorization: `Bearer ${TOKEN}` });
  });

  it('reopens a watch the server closed, from the last resourceVersion, without repeats', async () => {
    const { server, source } = await setUp();
    const events: WatchEvent<'services'>[] = [];
    const stop = source.watchServices((event) => events.push(event), { namespace: 'shop' });
    await expect.poll(() => server.requests.filter((r) => r.query['watch'] === 'true').length).toBe(1);
    server.publish('services', 'ADDED', cart);
    await expect.poll(() => events.length).toBe(1);

    server.endWatches(); // what the API server does at its watch timeout
    server.publish('services', 'MODIFIED', { ...cart, spec: { ...cart.spec, sessionAffinity: 'None' } }); // while no watch is open
    await expect.poll(() => events.length).toBe(2);
    stop();

    const watches = server.requests.filter((r) => r.query['watch'] === 'true');
    expect(watches.map((r) => r.path)).toEqual([
      '/api/v1/namespaces/shop/services',
      '/api/v1/namespaces/shop/services',
    ]);
    expect(watches[1]?.query['resourceVersion']).toBe('5001');
    expect(events.map(summary)).toEqual(['ADDED cart ClientIP', 'MODIFIED cart None']);
  });

  it('stops with EXPIRED when the resourceVersion was compacted away (410 in the stream)', async () => {
    const { server, source } = await setUp();
    const events: WatchEvent<'services'>[] = [];
    source.watchServices((event) => events.push(event), { resourceVersion: '4000' });
    await expect.poll(() => server.requests.filter((r) => r.query['watch'] === 'true').length).toBe(1);
    server.expireWatches();
    await expect.poll(() => events.length).toBe(1);
    expect(events[0]).toMatchObject({
      type: 'ERROR',
      stopped: true,
      problem: { code: 'EXPIRED', verb: 'watch', detail: 'too old resource version: 4999 (5000)' },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.requests.filter((r) => r.query['watch'] === 'true')).toHaveLength(1); // not reopened
  });

  it('stops with a FORBIDDEN problem when the account may not watch', async () => {
    const { source } = await setUp({ forbidden: [{ resource: 'services', verb: 'watch' }] });
    const events: WatchEvent<'services'>[] = [];
    source.watchServices((event) => events.push(event));
    await expect.poll(() => events.length).toBe(1);
    expect(events[0]).toMatchObject({
      type: 'ERROR',
      stopped: true,
      problem: {
        code: 'FORBIDDEN',
        message:
          'cannot watch services in all namespaces: the account needs RBAC permission watch on services (core/v1)',
      },
    });
  });

  it('replays existing objects as ADDED when started without a resourceVersion', async () => {
    const { source } = await setUp({ objects: { pods: fixtureObjects().pods } });
    const events: WatchEvent<'pods'>[] = [];
    const stop = source.watch({ resource: 'pods', namespace: 'kube-system' }, (event) => events.push(event));
    await expect.poll(() => events.length).toBe(2);
    stop();
    expect(events.map((e) => (e.type === 'ERROR' ? e.type : `${e.type} ${e.object.metadata.name}`))).toEqual([
      'ADDED coredns-668d6bf9bc-2xk7m',
      'ADDED coredns-668d6bf9bc-q9wts',
    ]);
    expect(JSON.stringify(events)).not.toContain('serviceAccountToken');
  });
});
