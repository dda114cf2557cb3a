// collectFleet: bounded concurrency, per-node timeouts, failures and cancellation as outcomes, and
// every started collection settled (its Pod deleted) before it returns — first with a scripted
// per-node collector, then with 50 nodes through collectNodeDumpsViaPod against the fake API
// server (the only stand-in, see its header), whose "kubelet" runs each Pod's real container script
// with `sh` (the kernel-release command needs no root).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeApiServer, type FakeApiServer } from '../cluster/fake-apiserver.js';
import { writeKubeconfig } from '../cluster/test-kubeconfig.js';
import { collectFleet, type FleetProgress } from './collect-fleet.js';
import { collectNodeDumpsViaPod } from './collect-node-dumps-via-pod.js';

const nodes = (n: number) => Array.from({ length: n }, (_, i) => `node-${i}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('collectFleet with a scripted collector', () => {
  it('runs at most 20 at a time by default, and every node ends as an outcome', async () => {
    let running = 0;
    let peak = 0;
    const progress: FleetProgress[] = [];
    const r = await collectFleet({
      nodes: nodes(60),
      onProgress: (e) => progress.push(e),
      collectNode: async (node) => {
        peak = Math.max(peak, ++running);
        await sleep(5 + (Number(node.slice(5)) % 7));
        running--;
        if (node === 'node-13') throw new Error('pods "x" is forbidden');
        return node.toUpperCase();
      },
    });
    expect(peak).toBe(20);
    expect(r.outcomes.map((o) => o.node)).toEqual(nodes(60));
    expect(r.outcomes[13]).toEqual({ kind: 'failed', node: 'node-13', reason: 'pods "x" is forbidden' });
    expect(r.outcomes.filter((o) => o.kind === 'collected')).toHaveLength(59);
    expect(r.partial).toBe(true);
    expect(progress.filter((e) => e.kind === 'node-finished').at(-1)).toMatchObject({ done: 60, total: 60 });
  });

  it('times a node out, aborts its signal, and waits for its cleanup before returning', async () => {
    const cleaned: string[] = [];
    const r = await collectFleet({
      nodes: ['fast', 'stuck'],
      nodeTimeoutMs: 50,
      collectNode: async (node, signal) => {
        try {
          if (node === 'stuck') await new Promise((resolve) => signal.addEventListener('abort', () => setTimeout(resolve, 30)));
          return node;
        } finally {
          cleaned.push(node);
        }
      },
    });
    expect(r.outcomes.map((o) => o.kind)).toEqual(['collected', 'timeout']);
    expect(cleaned.sort()).toEqual(['fast', 'stuck']);
  });

  it('on cancel starts no new node, and returns after the running ones cleaned up', async () => {
    const cancel = new AbortController();
    const cleaned = new Set<string>();
    const r = await collectFleet({
      nodes: nodes(30),
      concurrency: 5,
      signal: cancel.signal,
      collectNode: async (node, signal) => {
        try {
          if (node === 'node-7') cancel.abort();
          await sleep(signal.aborted ? 1 : 10);
          return node;
        } finally {
          await sleep(5);
          cleaned.add(node);
        }
      },
    });
    const started = r.outcomes.filter((o) => o.kind !== 'cancelled').map((o) => o.node);
    expect(started.length).toBeLessThan(15);
    expect(r.outcomes.slice(started.length).every((o) => o.kind === 'cancelled')).toBe(true);
    expect([...cleaned].sort()).toEqual([...started].sort());
  });
});

describe('collectFleet through Pods, 50 nodes, against the fake API server', () => {
  let api: FakeApiServer | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  async function fleetOf(count: number, forbidCreate: boolean) {
    api = await startFakeApiServer({
      objects: {},
      tokens: ['fleet-token'],
      ...(forbidCreate ? { forbidden: [{ resource: 'pods', verb: 'create' }] } : {}),
      podLifecycle: {
        // The kubelet's part: run the container's command (sh -c SCRIPT) with its env.
        run: (pod, write, signal) =>
          new Promise((resolve) => {
            const c = (pod as { spec: { containers: { command: string[]; env: { name: string; value: string }[] }[] } }).spec.containers[0]!;
            const env = Object.fromEntries(c.env.map((e) => [e.name, e.value]));
            const child = spawn(c.command[0]!, c.command.slice(1), { env: { PATH: process.env.PATH, ...env, TMPDIR: tmpdir() }, signal });
            child.stdout.setEncoding('utf8').on('data', write);
            child.stderr.setEncoding('utf8').on('data', write);
            child.on('error', () => resolve(137));
            child.on('close', (code) => resolve(code ?? 137));
          }),
      },
    });
    const kubeconfigPath = writeKubeconfig(join(mkdtempSync(join(tmpdir(), 'svcpath-fleet-')), 'kubeconfig'), {
      clusters: [{ name: 'c', server: api.url, caPem: api.caPem }],
      users: [{ name: 'u', token: 'fleet-token' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    let peak = 0;
    const result = await collectFleet({
      nodes: nodes(count),
      onProgress: (e) => {
        if (e.kind === 'node-started') peak = Math.max(peak, e.running);
      },
      collectNode: (node) =>
        collectNodeDumpsViaPod({ node, allowHostNetworkPod: true, kubeconfigPath, env: {}, namespace: 'svcpath-nodes', commands: ['kernel-release'], pollIntervalMs: 10 }),
    });
    return { result, peak, server: api };
  }

  it('collects every node with at most 20 Pods at a time and deletes every Pod', async () => {
    const { result, peak, server } = await fleetOf(50, false);
    expect(result.partial).toBe(false);
    expect(peak).toBe(20);
    for (const o of result.outcomes) {
      expect(o.kind).toBe('collected');
      if (o.kind === 'collected') expect(o.result.files['kernel-release']?.stdout).toMatch(/^\d+\.\d+/);
    }
    expect(server.createdPods).toHaveLength(50);
    expect(new Set(server.deletedPods).size).toBe(50);
    const pinned = server.createdPods.map((p) => (p as { spec: { nodeName: string } }).spec.nodeName).sort();
    expect(pinned).toEqual(nodes(50).sort());
  }, 300_000);

  it('reports an RBAC refusal per node as a failed outcome, and leaves no Pod', async () => {
    const { result, server } = await fleetOf(50, true);
    expect(result.partial).toBe(true);
    expect(result.outcomes.every((o) => o.kind === 'failed' && /forbidden|RBAC|create/i.test(o.reason))).toBe(true);
    expect(server.createdPods).toHaveLength(0);
  }, 300_000);
});
