import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError, type Io } from './io';
import { snapshotsCommand } from './snapshots-command';
import { traceCommand } from './trace-command';

const REPO = join(import.meta.dirname, '..', '..', '..');
const OVERALL = join(REPO, 'packages/tracer/src/fixtures/kube-proxy-conformance/iptables-TestOverallIPTablesRules/iptables-save.txt');
const scratch = mkdtempSync(join(tmpdir(), 'svcpath-snapshots-cli-'));

async function run(command: (args: string[], io: Io) => Promise<number>, args: string[]) {
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

describe('svcpath snapshots', () => {
  it('imports a folder of plain dumps, shows what needs cluster state, traces it, deletes it', async () => {
    const dir = join(scratch, 'node-a');
    mkdirSync(dir);
    writeFileSync(join(dir, 'iptables-save.txt'), readFileSync(OVERALL, 'utf8'));
    writeFileSync(join(dir, 'ipvsadm.txt'), '');
    const store = ['--store', 'store'];
    const imported = await run(snapshotsCommand, ['import', 'node-a', '--node-ip', '192.168.0.2', ...store]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('imported imported~node-a (2 files, mode iptables) from folder node-a');
    expect(imported.stderr).toContain('note: without cluster state, svcpath cannot tell:');
    const shown = await run(snapshotsCommand, ['show', 'imported~node-a', ...store]);
    expect(shown.stdout).toMatch(/ipvsadm\.txt\s+ipvsadm\s+0 bytes/);
    expect(shown.stdout).toContain('- Which endpoints are ready');
    const traced = await run(traceCommand, ['--snapshot', 'imported~node-a', ...store, '--src', '203.0.113.2', '--dst', '192.168.0.2', '--dport', '3002', '--json']);
    expect(JSON.parse(traced.stdout).outcomes[0]).toMatchObject({ destination: '10.180.0.3:80' }); // NodePort: the stored node IP counts
    expect((await run(snapshotsCommand, ['delete', 'imported~node-a', ...store])).code).toBe(0);
    expect((await run(snapshotsCommand, ['list', ...store])).stdout).toMatch(/^no snapshots in /);
  });

  it('exits 1 with the file and line for a bad import, 2 for a bad command line', async () => {
    writeFileSync(join(scratch, 'broken.svcpath.json'), '{\n  "formatVersion": 1,\n  "kind": "svcpath-collection",\n');
    const bad = await run(snapshotsCommand, ['import', 'broken.svcpath.json', '--store', 'store2']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/broken\.svcpath\.json:4: not valid JSON/);
    expect((await run(snapshotsCommand, ['show', 'nope~x', '--store', 'store2'])).stderr).toMatch(/no snapshot "nope~x"/);
    expect((await run(snapshotsCommand, ['export', 'only-one-arg', '--store', 'store2'])).code).toBe(2);
  });
});
