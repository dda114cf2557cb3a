/**
 * `svcpath counters` with counters the kernel kept: a lab restores worker-1's rules from the demo
 * collection (apps/server/demo/demo.svcpath.json, rendered by kube-proxy-sim via scripts/make-demo.ts),
 * `iptables-save -c` runs before and after real connections, and the deltas must point at exactly
 * the rules the connections took. Skipped with the reason where no lab can be built.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CounterDeltaReport } from '@svcpath/counters';
import { createLab, labAvailable, summarize, type Lab } from '@svcpath/kernel-lab';
import { countersCommand } from './counters-command';
import { CliError, type Io } from './io';

const REPO = join(import.meta.dirname, '..', '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'svcpath-counters-cli-'));
const demo = JSON.parse(readFileSync(join(REPO, 'apps/server/demo/demo.svcpath.json'), 'utf8')) as { snapshots: { id: string; collection: string; node: string; files: { text: string }[] }[] };
const WORKER_1 = demo.snapshots.find((s) => s.node === 'worker-1')!.files[0]!.text;

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd: scratch };
  // As main.ts does: a CliError is a message and an exit code.
  const code = await countersCommand(args, io).catch((e: unknown) => {
    if (!(e instanceof CliError)) throw e;
    stderr += e.message;
    return e.exitCode;
  });
  return { code, stdout, stderr };
}

const available = await labAvailable();

describe.skipIf(!available.ok)(`svcpath counters on kernel counters${available.ok ? '' : ` (skipped: ${available.why})`}`, () => {
  let lab: Lab;
  let observed: Map<string, number>;
  let report: CounterDeltaReport;
  let text: string;
  beforeAll(async () => {
    const endpoints = ['10.180.0.4', '10.180.0.5'].map((ip) => ({ ip, port: 80, proto: 'tcp' as const }));
    lab = await createLab({ nodeIPs: ['192.168.0.2'], clientIPs: ['10.180.1.20'], endpoints }, { name: 'counters' });
    await lab.restoreIptables(WORKER_1);
    writeFileSync(join(scratch, 'before.txt'), await lab.saveIptables());
    // 40 connections to shop/frontend's ClusterIP, 5 to shop/recommendations (no endpoints: REJECT).
    observed = summarize(await lab.probe({ src: '10.180.1.20', dst: '172.30.0.44', dport: 80, proto: 'tcp', tries: 40 }));
    const rejected = summarize(await lab.probe({ src: '10.180.1.20', dst: '172.30.0.47', dport: 80, proto: 'tcp', tries: 5 }));
    expect(rejected).toEqual(new Map([['REJECT', 5]]));
    writeFileSync(join(scratch, 'after.txt'), await lab.saveIptables());
    report = JSON.parse((await run(['--before', 'before.txt', '--after', 'after.txt', '--json'])).stdout);
    text = (await run(['--before', 'before.txt', '--after', 'after.txt'])).stdout;
  }, 120_000);
  afterAll(async () => lab?.destroy());

  it('counts each connection once on the DNAT rule of the endpoint the kernel chose', () => {
    const frontend = report.services.find((s) => s.service === 'shop/frontend:http')!;
    expect(frontend.connections).toBe(40);
    expect(Object.fromEntries(frontend.endpoints.map((e) => [`DNAT ${e.destination}`, e.connections]))).toEqual(Object.fromEntries(observed));
    const dnat = report.moved.filter((d) => d.dnat !== null);
    expect(dnat.every((d) => d.chain.startsWith('KUBE-SEP-') && d.basis === 'before')).toBe(true);
  });

  it('follows the path: the ClusterIP rule and the KUBE-SVC chain saw all 40, the endpoint jumps split them', () => {
    const inChain = (prefix: string) => report.moved.filter((d) => d.table === 'nat' && d.chain.startsWith(prefix) && d.service === 'shop/frontend:http');
    expect(inChain('KUBE-SERVICES').map((d) => d.packets)).toEqual([40]);
    const jumps = inChain('KUBE-SVC-');
    expect(jumps.reduce((n, d) => n + d.packets, 0)).toBe(40);
    expect(jumps.every((d) => /-j KUBE-SEP-/.test(d.raw))).toBe(true);
  });

  it('says where the packets died: the no-endpoints REJECT, five times', () => {
    expect(report.died).toEqual([expect.objectContaining({ table: 'filter', chain: 'KUBE-SERVICES', died: 'REJECT', packets: 5, service: 'shop/recommendations:http' })]);
    expect(report.services.find((s) => s.service === 'shop/recommendations:http')).toMatchObject({ connections: 0, died: 5 });
    expect(text).toContain('shop/frontend:http: 40 connection(s) → ');
    expect(text).toMatch(/Where packets died:\n\s+\+5 pkts\s+\+\d+ B {2}filter\/KUBE-SERVICES#\d+ {2}after\.txt:\d+ {2}-A KUBE-SERVICES -d 172\.30\.0\.47\/32/);
  });

  it('reads the same two dumps from stored snapshots (--snapshot later --since earlier)', async () => {
    const store = join(scratch, 'store');
    storeDump(store, 'before', 'worker-1', readFileSync(join(scratch, 'before.txt'), 'utf8'));
    storeDump(store, 'after', 'worker-1', readFileSync(join(scratch, 'after.txt'), 'utf8'));
    const fromStore = JSON.parse((await run(['--snapshot', 'after~worker-1', '--since', 'before~worker-1', '--store', 'store', '--json'])).stdout) as CounterDeltaReport;
    expect(fromStore.services).toEqual(report.services);
    expect(fromStore.died.map((d) => d.packets)).toEqual(report.died.map((d) => d.packets));
  });

  it('moves no rule of a Service nobody reached', () => {
    expect(report.moved.some((d) => d.service === 'monitoring/grafana:http' || d.service === 'shop/cart:http')).toBe(false);
  });
});

/** Stores `text` as the only dump of a snapshot `collection~node`, shaped like the demo's. */
function storeDump(store: string, collection: string, node: string, text: string) {
  const base = demo.snapshots.find((s) => s.node === 'worker-1')!;
  mkdirSync(store, { recursive: true });
  writeFileSync(join(store, `${collection}~${node}.json`), JSON.stringify({ ...base, id: `${collection}~${node}`, collection, node, files: [{ ...base.files[0]!, text }] }));
}

describe('svcpath counters refuses', () => {
  it('snapshots of two nodes, a lone --snapshot, and files mixed with snapshots', async () => {
    const store = join(scratch, 'refusals');
    storeDump(store, 'a', 'worker-1', WORKER_1);
    storeDump(store, 'b', 'worker-2', WORKER_1);
    const r = await run(['--snapshot', 'b~worker-2', '--since', 'a~worker-1', '--store', 'refusals']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('two snapshots of one node');
    expect((await run(['--snapshot', 'b~worker-2', '--store', 'refusals'])).stderr).toContain('--snapshot ID and --since ID go together');
    expect((await run(['--snapshot', 'b~worker-2', '--before', 'x.txt'])).code).toBe(2);
  });

  it('dumps without counters and a missing flag', async () => {
    writeFileSync(join(scratch, 'plain.txt'), WORKER_1); // as rendered: counters on chain lines only, as iptables-save prints them
    const r = await run(['--before', 'plain.txt', '--after', 'plain.txt']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('iptables-save -c');
    expect((await run(['--before', 'plain.txt'])).code).toBe(2);
  });
});
