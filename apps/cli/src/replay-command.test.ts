/**
 * `svcpath replay` for real: each case builds a lab of network namespaces, restores a stored
 * snapshot's rules there and opens real connections (skipped with the reason where no lab can be
 * built). Snapshots: apps/server/demo/demo.svcpath.json (two nodes rendered by kube-proxy-sim by
 * scripts/make-demo.ts; worker-2's rules are stale) and kube-proxy's own test dumps
 * (packages/tracer/src/fixtures/kube-proxy-conformance), which the kernel refuses as they are.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { labAvailable } from '@svcpath/kernel-lab';
import { CliError, type Io } from './io';
import { replayCommand } from './replay-command';
import { snapshotsCommand } from './snapshots-command';

const REPO = join(import.meta.dirname, '..', '..', '..');
const DEMO = join(REPO, 'apps/server/demo/demo.svcpath.json');
const KP = join(REPO, 'packages/tracer/src/fixtures/kube-proxy-conformance');
const scratch = mkdtempSync(join(tmpdir(), 'svcpath-replay-cli-'));
const STORE = ['--store', 'store'];

async function run(args: string[], command: (args: string[], io: Io) => Promise<number> = replayCommand) {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd: scratch };
  // As main.ts does: a CliError is a message and an exit code.
  const code = await command(args, io).catch((e: unknown) => {
    if (!(e instanceof CliError)) throw e;
    stderr += e.message;
    return e.exitCode;
  });
  return { code, stdout, stderr };
}

async function importDump(fixture: string, collection: string, nodeIPs: string): Promise<void> {
  const file = join(scratch, `${collection}.txt`);
  copyFileSync(join(KP, fixture), file);
  const r = await run(['import', file, '--collection', collection, '--node', 'test-node', '--node-ip', nodeIPs, ...STORE], snapshotsCommand);
  expect(r.code, r.stderr).toBe(0);
}

type Row = { outcome: string; predicted: number; observed: number; agrees: boolean };
const replayJson = async (args: string[]) => {
  const r = await run([...args, ...STORE, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { agree: boolean; changes: string[]; endpoints: string[]; outcomes: Row[]; mismatches: string[]; tries: number };
};

beforeAll(async () => {
  expect((await run(['import', DEMO, ...STORE], snapshotsCommand)).code).toBe(0);
  await importDump('iptables-TestOverallIPTablesRules/iptables-save.txt', 'overall', '192.168.0.2,192.168.1.2,192.168.99.11');
  await importDump('iptables-TestTracePacket/iptables-save.txt', 'tracepacket', '192.168.0.2,192.168.99.11');
  await importDump('nftables-TestOverallNFTablesRules/nft-ruleset.txt', 'nfttx', '192.168.0.2');
  // Hand-written: REJECT in the nat table, which the kernel refuses (REJECT belongs to filter).
  writeFileSync(join(scratch, 'natreject.txt'), '*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -d 172.30.0.9/32 -p tcp -m tcp --dport 80 -j REJECT\nCOMMIT\n');
  const r = await run(['import', 'natreject.txt', '--collection', 'natreject', '--node', 'test-node', '--node-ip', '192.168.0.2', ...STORE], snapshotsCommand);
  expect(r.code, r.stderr).toBe(0);
});

const available = await labAvailable();

describe.skipIf(!available.ok)(`svcpath replay in a real lab${available.ok ? '' : ` (skipped: ${available.why})`}`, () => {
  it('replays a ClusterIP with two endpoints: both 50%, the kernel agrees', async () => {
    const out = await replayJson(['--snapshot', 'demo~worker-1', '--from', '10.180.1.20', '--to', '172.30.0.44:80', '--tries', '80']);
    expect(out.changes).toEqual([]);
    expect(out.endpoints.sort()).toEqual(['10.180.0.4:80', '10.180.0.5:80']);
    expect(out.outcomes.map((o) => [o.outcome, o.predicted]).sort()).toEqual([
      ['DNAT 10.180.0.4:80 from 10.180.1.20', 0.5],
      ['DNAT 10.180.0.5:80 from 10.180.1.20', 0.5],
    ]);
    expect(out.mismatches).toEqual([]);
    expect(out.agree).toBe(true);
    expect(out.outcomes.reduce((s, o) => s + o.observed, 0)).toBeCloseTo(1);
  }, 60_000);

  it('shows the stale node sending traffic to the Pod that moved away, in the readable report', async () => {
    const r = await run(['--snapshot', 'demo~worker-2', '--from', '10.180.0.20', '--to', '172.30.0.44:80', '--tries', '60', ...STORE]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('svcpath replay: demo~worker-2 — 10.180.0.20 → 172.30.0.44:80/tcp, 60 connection(s)');
    expect(r.stdout).toMatch(/DNAT 10\.180\.1\.9:80 from 10\.180\.0\.20\s+50\.0%\s+\d+\.\d% \(\d+\)\s+yes/);
    expect(r.stdout).toContain('The kernel and svcpath agree.');
  }, 60_000);

  it('replays a Service without endpoints: REJECT, every time', async () => {
    const out = await replayJson(['--snapshot', 'demo~worker-1', '--from', '10.180.1.20', '--to', '172.30.0.47:80', '--tries', '10']);
    expect(out.endpoints).toEqual([]);
    expect(out.outcomes).toEqual([expect.objectContaining({ outcome: 'REJECT', predicted: 1, observed: 1, agrees: true })]);
  }, 60_000);

  it('replays from the node itself (OUTPUT hook): the endpoint sees the node address', async () => {
    const out = await replayJson(['--snapshot', 'demo~worker-1', '--from', '192.168.0.2', '--to', '172.30.0.81:9090', '--tries', '10']);
    expect(out.outcomes).toEqual([expect.objectContaining({ outcome: 'DNAT 10.180.1.6:9090 from 192.168.0.2', predicted: 1, observed: 1 })]);
    expect(out.agree).toBe(true);
  }, 60_000);

  it("fixes kube-proxy's test dump (nfacct, missing jumps), names each change, and agrees", async () => {
    const out = await replayJson(['--snapshot', 'overall~test-node', '--from', '203.0.113.130', '--to', '5.6.7.8:80', '--tries', '10']);
    expect(out.changes).toEqual([
      expect.stringMatching(/^removed 4 `-m nfacct` match\(es\)/),
      expect.stringMatching(/^added kube-proxy's \d+ standard jump\(s\) into its filter chains/),
      expect.stringMatching(/^added kube-proxy's 3 standard jump\(s\) into its nat chains/),
    ]);
    expect(out.outcomes).toEqual([expect.objectContaining({ outcome: 'DROP', predicted: 1, agrees: true })]); // LB source range blocks
  }, 60_000);

  it('quotes unquoted multi-word comments and replays a Service with two endpoints', async () => {
    const out = await replayJson(['--snapshot', 'tracepacket~test-node', '--from', '10.0.0.2', '--to', '172.30.0.44:80', '--tries', '90']);
    expect(out.changes).toEqual([expect.stringMatching(/^quoted \d+ multi-word comment\(s\)/)]);
    expect(out.endpoints.sort()).toEqual(['10.180.0.4:80', '10.180.0.5:80']);
    expect(out.mismatches).toEqual([]);
  }, 60_000);

  it("puts kube-proxy's nftables transaction in the order nft takes, and replays it", async () => {
    const out = await replayJson(['--snapshot', 'nfttx~test-node', '--from', '10.0.0.2', '--to', '172.30.0.44:80', '--tries', '60']);
    expect(out.changes).toEqual([expect.stringMatching(/^put the nft transaction's \d+ lines in the order nft creates objects/)]);
    expect(out.outcomes.map((o) => [o.outcome, o.predicted]).sort()).toEqual([
      ['DNAT 10.180.0.4:80 from 10.0.0.2', 0.5],
      ['DNAT 10.180.0.5:80 from 10.0.0.2', 0.5],
    ]);
    expect(out.mismatches).toEqual([]);
  }, 60_000);

  it('passes on the kernel\'s own words when it refuses a dump svcpath cannot fix', async () => {
    const r = await run(['--snapshot', 'natreject~test-node', '--from', '10.0.0.2', '--to', '172.30.0.9:80', '--tries', '3', ...STORE]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^the kernel refused the dump \(iptables-restore\): .*line 3: RULE_APPEND failed \(Invalid argument\)/s);
    expect(r.stderr).toContain('line 3 as restored: -A PREROUTING -d 172.30.0.9/32 -p tcp -m tcp --dport 80 -j REJECT');
  }, 60_000);
});

describe('svcpath replay refuses clearly', () => {
  it('when not root: says why and that nothing runs on the node', async () => {
    // The refusal logic in this process with the uid of nobody injected: a child process dropped
    // to uid 65534 could not read a checkout under a 0700 directory (issue 16).
    const getuid = vi.spyOn(process, 'getuid').mockReturnValue(65534);
    try {
      const r = await run(['--snapshot', 'demo~worker-1', '--from', '10.180.1.20', '--to', '172.30.0.44:80', ...STORE]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/cannot build a lab on this machine: not root \(uid 65534\)/);
      expect(r.stderr).toContain('never on the node');
    } finally {
      getuid.mockRestore();
    }
  });

  it('on a bad command line or a missing snapshot', async () => {
    expect((await run(['--snapshot', 'demo~worker-1', '--from', '10.180.1.20', '--to', '172.30.0.44', ...STORE])).stderr).toContain('--to: "172.30.0.44" is not IPv4:PORT');
    expect((await run(['--snapshot', 'demo~worker-1', '--from', '10.180.1.20', '--to', '172.30.0.44:80', '--proto', 'sctp', ...STORE])).code).toBe(2);
    expect((await run(['--from', '10.180.1.20', '--to', '172.30.0.44:80'])).stderr).toContain('--snapshot ID is required');
    const missing = await run(['--snapshot', 'nope~x', '--from', '10.180.1.20', '--to', '172.30.0.44:80', ...STORE]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no snapshot "nope~x"/);
  });
});
