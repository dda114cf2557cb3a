import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './main';

const REPO = join(import.meta.dirname, '..', '..', '..');
const HOSTILE = join(REPO, 'packages/tracer/src/fixtures/hostile');

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd: REPO });
  return { code, stdout, stderr };
}

const flow = ['--src', '10.0.0.2', '--dst', '10.0.0.10', '--dport', '80', '--node-ip', '10.0.0.10'];

describe('svcpath trace on rulesets the kernel refuses (issue 16)', () => {
  it('the 3-line statistic + self-jump dump: an error naming the rule, exit 1, no stack overflow', async () => {
    const r = await run(['trace', '--rules', join(HOSTILE, 'stat-self-jump.txt'), ...flow]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/stat-self-jump\.txt:6: RULESET_JUMP_LOOP: jump loop KUBE-X → KUBE-X .*the kernel would refuse to load this ruleset/);
  });

  it('16 nested chains in an iptables-nft dump: refused, the backend named', async () => {
    const r = await run(['trace', '--rules', join(HOSTILE, 'nest-16.txt'), ...flow]);
    // The file does not say which iptables made it: traced as iptables-legacy, which loads it.
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/DROP/);
  });

  it('an nft ruleset nested 16 deep: RULESET_JUMP_TOO_DEEP at the jump nft refuses', async () => {
    const r = await run(['trace', '--rules', join(HOSTILE, 'nft-nest-16.nft'), ...flow]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nft-nest-16\.nft:\d+: RULESET_JUMP_TOO_DEEP: .*refuse to load this ruleset with nft/);
  });

  it('2^20 distinct states: TRACE_BUDGET_EXCEEDED, exit 1, in seconds', async () => {
    const r = await run(['trace', '--rules', join(HOSTILE, 'mark-bits-20.txt'), ...flow]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/TRACE_BUDGET_EXCEEDED/);
  });
});
