import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './main';

const REPO = join(import.meta.dirname, '..', '..', '..');
const PASTES = join(REPO, 'packages/tracer/src/fixtures/partial-pastes');

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd: REPO });
  return { code, stdout, stderr };
}

const grepBlocks = ['trace', '--rules', join(PASTES, 'grep-blocks.txt'), '--node-ip', '192.168.0.2', '--src', '192.168.7.7', '--dst', '172.30.0.41', '--dport', '80'];

describe('svcpath trace on a partial paste', () => {
  it('the tree tells traced, not-shown and assumed parts apart, and what to paste next', async () => {
    const r = await run(grepBlocks);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('[IPT_PARTIAL_PASTE]');
    expect(r.stdout).toContain('DNAT → 10.244.3.7:8080: endpoint not shown in the paste (KUBE-SEP-A3A3A3A3A3A3A3A3 is not in it)');
    expect(r.stdout).toContain('masqueraded: not known');
    expect(r.stdout).toContain('[not in the paste] → DNAT 10.244.3.7:8080');
    expect(r.stdout).toContain('nat KUBE-MARK-MASQ #1 [assumed] → MARK set 0x4000');
    expect(r.stdout).toMatch(/assumed \(not in the dump\): chain KUBE-MARK-MASQ is not in the paste/);
    expect(r.stdout).toMatch(/33\.3% of this traffic depends on what the paste does not show\. Paste the output of:\n {2}iptables -t nat -S KUBE-SEP-A3A3A3A3A3A3A3A3\n$/);
  });

  it('--json carries outcome.kind and notShown (docs/cli.md)', async () => {
    const r = await run([...grepBlocks, '--json']);
    const json = JSON.parse(r.stdout);
    const kinds = json.outcomes.map((o: { kind: string }) => o.kind).sort();
    expect(kinds).toEqual(['endpoint-not-shown', 'traced', 'traced']);
    const open = json.outcomes.find((o: { kind: string }) => o.kind === 'endpoint-not-shown');
    expect(open).toMatchObject({ verdict: 'DNAT', destination: '10.244.3.7:8080', notShown: { subject: 'KUBE-SEP-A3A3A3A3A3A3A3A3', endpoint: '10.244.3.7:8080', command: 'iptables -t nat -S KUBE-SEP-A3A3A3A3A3A3A3A3' } });
    expect(json.assumptions.some((a: string) => a.includes('KUBE-MARK-MASQ'))).toBe(true);
  });

  it('an unknown outcome is never read as ACCEPT', async () => {
    const r = await run(['trace', '--rules', join(PASTES, 'nft-chains-without-table.txt'), '--node-ip', '192.168.0.2', '--src', '10.9.0.1', '--dst', '172.30.0.41', '--dport', '80']);
    expect(r.stdout).toContain('UNKNOWN: service-ULMVA6XW-ns1/svc1/tcp/p80 is not in the paste');
    expect(r.stdout).not.toContain('ACCEPT');
    expect(r.stdout).toContain('nft list chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80');
  });
});

describe('svcpath trace through a deep nest of chains', () => {
  it('indents up to 16 levels, then says the depth: the text grows with the path, not its square', async () => {
    // 400 chains, each jumping to the next (iptables-legacy loads it; nft would refuse past 16).
    const n = 400;
    const chains = Array.from({ length: n }, (_, i) => `:C${i} - [0:0]`);
    const jumps = Array.from({ length: n - 1 }, (_, i) => `-A C${i} -j C${i + 1}`);
    const text = ['*nat', ':PREROUTING ACCEPT [0:0]', ...chains, '-A PREROUTING -j C0', ...jumps, `-A C${n - 1} -p tcp -j DNAT --to-destination 10.1.1.1:80`, 'COMMIT', ''].join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'svcpath-deep-'));
    try {
      writeFileSync(join(dir, 'deep.txt'), text);
      const r = await run(['trace', '--rules', join(dir, 'deep.txt'), '--src', '10.0.0.2', '--dst', '10.96.0.1', '--dport', '80']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('DNAT → 10.1.1.1:80');
      const steps = r.stdout.split('\n').filter((l) => / nat C\d+ #1 /.test(l));
      expect(steps).toHaveLength(n);
      expect(steps.at(-1)).toMatch(new RegExp(`^ {9}${' '.repeat(32)}\\(depth ${n + 1}\\) nat C${n - 1} #1 \\[line \\d+\\] → DNAT 10\\.1\\.1\\.1:80$`));
      expect(Math.max(...steps.map((l) => l.length))).toBeLessThan(100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
