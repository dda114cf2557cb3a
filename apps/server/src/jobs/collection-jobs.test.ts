import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { CollectionRequest, Snapshot as SnapshotDocument } from '@svcpath/api-contract';
import type { CollectionBody } from '../http/schemas';
import { buildSnapshot, type CollectSnapshotOptions, type CollectSnapshotResult } from '@svcpath/collector';
import { startServer, type RunningServer } from '../start-server';

/**
 * POST /api/collections and GET /api/jobs/:id over real HTTP, with a FAKE `collect` injected into
 * the server in place of @svcpath/collector's collectSnapshot: a real collection needs a cluster and
 * an SSH-reachable node (apps/cli/src/collect-e2e.test.ts covers that path). The fake reports
 * progress the way collectNodeDumps does, waits until the test releases it, and returns the demo's
 * worker-1 dumps as a collected snapshot. The store is a real file store in a temp directory.
 */
const DEMO = JSON.parse(readFileSync(new URL('../../demo/demo.svcpath.json', import.meta.url), 'utf8')) as { snapshots: SnapshotDocument[] };
const demoWorker1 = DEMO.snapshots[0]!;

let server: RunningServer;
let store: string;
const calls: CollectSnapshotOptions[] = [];
let release: (() => void) | null = null;

async function fakeCollect(o: CollectSnapshotOptions): Promise<CollectSnapshotResult> {
  calls.push(o);
  o.onProgress?.({ kind: 'connecting', host: o.ssh?.host ?? '', port: 22, hop: 1, hops: 1 });
  o.onProgress?.({ kind: 'command-started', commandId: 'iptables-save', index: 0, total: 2 });
  o.onProgress?.({ kind: 'command-finished', commandId: 'iptables-save', exitCode: 0, durationMs: 40, bytes: 12_000 });
  await new Promise<void>((resolve) => (release = resolve));
  if (o.node === 'explode') throw new Error('a bug in the collector');
  if (o.node === 'nowhere') {
    // What collectSnapshot returns when the host does not resolve: no files, the reason as a problem.
    const empty = buildSnapshot({ collection: 'lab', node: o.node, takenAt: '2025-02-02T10:00:00.000Z', cluster: null, context: null, files: [], clusterState: null, problems: [{ source: 'node', subject: o.node, code: 'host-unresolvable', message: 'no-such-host.invalid does not resolve (getaddrinfo ENOTFOUND)' }] });
    return { snapshot: empty, problems: empty.problems };
  }
  const snapshot = buildSnapshot({
    collection: o.collection ?? 'lab',
    node: o.node,
    takenAt: '2025-02-02T10:00:00.000Z',
    cluster: 'kind-kind',
    context: o.context ?? 'kind-kind',
    files: demoWorker1.files.map((f) => ({ ...f, commandId: 'iptables-save' })),
    clusterState: demoWorker1.clusterState,
    problems: [{ source: 'node', subject: o.node, code: 'command-timeout', message: 'conntrack: no result within 300000 ms' }],
    extraNodeIPs: ['192.168.0.2'],
  });
  return { snapshot, problems: snapshot.problems };
}

beforeAll(async () => {
  store = mkdtempSync(join(tmpdir(), 'svcpath-jobs-'));
  // The server takes SSH keys only from ~/.ssh and the directories it is started with.
  const keys = mkdtempSync(join(tmpdir(), 'svcpath-keys-'));
  writeFileSync(join(keys, 'id_ed25519'), 'not a real key: the fake collect never reads it');
  process.env.SVCPATH_SSH_KEY_DIRS = keys;
  server = await startServer({ port: 0, store, collect: fakeCollect });
});
afterAll(async () => {
  await server?.close();
  rmSync(store, { recursive: true, force: true });
});

/** Test-only: response bodies are read loosely and checked field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function api(path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: Json }> {
  const res = await fetch(`${server.url}${path}`, init);
  return { status: res.status, headers: res.headers, body: await res.json() };
}
const startJob = (body: unknown) => api('/api/collections', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('collection jobs', () => {
  it('starts a background collection, reports its progress, stores the snapshot and never returns the SSH secrets', async () => {
    const started = await startJob({ node: 'worker-9', context: 'kind-kind', collection: 'lab', ssh: { host: '10.0.0.9', user: 'root', passphrase: 's3cret-pass', privateKeyPath: 'id_ed25519' } });
    expect(started.status).toBe(202);
    const id = started.body.job.id as string;
    expect(started.headers.get('location')).toBe(`/api/jobs/${id}`);
    expect(started.body.job).toMatchObject({ kind: 'collection', state: 'running', node: 'worker-9', result: null });

    const running = await api(`/api/jobs/${id}`);
    expect(running.body.job).toMatchObject({ state: 'running', progress: { done: 1, total: 2, step: 'iptables-save: done, 12000 bytes in 40 ms' } });
    expect(running.body.job.progress.log).toEqual(['connecting to 10.0.0.9:22', 'running iptables-save (1 of 2)', 'iptables-save: done, 12000 bytes in 40 ms']);
    expect(calls[0]).toMatchObject({ node: 'worker-9', context: 'kind-kind', collection: 'lab', ssh: { host: '10.0.0.9', user: 'root', passphrase: 's3cret-pass' } });

    release!();
    await expect.poll(async () => (await api(`/api/jobs/${id}`)).body.job.state, { timeout: 30_000 }).toBe('succeeded'); // the store writer's worker starts slowly on a busy machine
    const done = (await api(`/api/jobs/${id}`)).body.job;
    expect(done).toMatchObject({ result: { snapshotId: 'lab~worker-9', hasClusterState: true }, problems: [{ source: 'node', code: 'command-timeout' }], error: null });
    expect(done.finishedAt).toEqual(expect.any(String));
    for (const text of [JSON.stringify(started.body), JSON.stringify(running.body), JSON.stringify(done)]) {
      expect(text).not.toContain('s3cret');
      expect(text).not.toContain('id_ed25519');
    }

    // Stored, listed and traceable like any snapshot.
    expect((await api('/api/snapshots')).body.snapshots.map((s: { id: string }) => s.id)).toContain('lab~worker-9');
    const trace = await api('/api/snapshots/lab~worker-9/trace', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ src: '10.180.1.10', dst: '172.30.0.44', dport: 80, proto: 'tcp' }) });
    expect(trace.body.outcomes).toHaveLength(2);
    expect(readFileSync(join(store, 'lab~worker-9.json'), 'utf8')).toContain('"commandId": "iptables-save"');
  });

  it('a key file outside ~/.ssh and SVCPATH_SSH_KEY_DIRS is refused alike whether it exists or not, without echoing it', async () => {
    for (const privateKeyPath of ['/etc/shadow', '/etc/no-such-file', '../../etc/shadow']) {
      const r = await startJob({ node: 'worker-9', ssh: { host: '10.0.0.9', privateKeyPath } });
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.body)).toMatch(/keys come only from the server's own ~\/\.ssh/);
      expect(JSON.stringify(r.body)).not.toContain('etc');
    }
  });

  it('a collection that throws ends as a failed job with a plain message', async () => {
    const { body } = await startJob({ node: 'explode', skipCluster: true });
    release!();
    await expect.poll(async () => (await api(`/api/jobs/${body.job.id}`)).body.job.state).toBe('failed');
    expect((await api(`/api/jobs/${body.job.id}`)).body.job.error).toEqual({ code: 'INTERNAL', message: 'the collection failed; the server log says why' });
  });

  it('a collection that brought nothing back from the node is a failure with its reason, and stores no snapshot', async () => {
    const { body } = await startJob({ node: 'nowhere', skipCluster: true, ssh: { host: 'no-such-host.invalid' } });
    release!();
    await expect.poll(async () => (await api(`/api/jobs/${body.job.id}`)).body.job.state, { timeout: 30_000 }).toBe('failed');
    const job = (await api(`/api/jobs/${body.job.id}`)).body.job;
    expect(job.error).toEqual({ code: 'host-unresolvable', message: 'nowhere: no-such-host.invalid does not resolve (getaddrinfo ENOTFOUND)' });
    expect(job.result).toBeNull();
    expect(job.problems).toHaveLength(1);
    expect((await api('/api/snapshots')).body.snapshots.map((s: { id: string }) => s.id)).not.toContain('lab~nowhere');
  });

  it('validates the body and knows its jobs', async () => {
    expect(await startJob({ node: 'w', ssh: { host: 'a b' } })).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST' } } });
    expect(await startJob({ node: 'w', ssh: { host: 'h', sshConfigPath: '/etc/passwd' } })).toMatchObject({ status: 400 });
    expect(await startJob({ node: 'w', extra: 1 })).toMatchObject({ status: 400 });
    expect(await api('/api/jobs/nope')).toMatchObject({ status: 404, body: { error: { code: 'JOB_NOT_FOUND' } } });
  });
});

describe('the collection request the web app sends', () => {
  it("is a body the server's schema takes (checked when the tests are typechecked)", () => {
    expectTypeOf<CollectionRequest>().toMatchTypeOf<z.input<typeof CollectionBody>>();
  });
});
