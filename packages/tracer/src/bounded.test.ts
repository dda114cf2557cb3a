import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIP } from '@svcpath/netaddr';
import { loadRuleset, type Ruleset } from '@svcpath/ruleset';
import { trace, type TraceEnv, type TraceLimits } from './index';

const DIR = join(import.meta.dirname, 'fixtures', 'hostile');

function load(name: string, text = readFileSync(join(DIR, name), 'utf8')): Ruleset {
  const loaded = loadRuleset([{ name, text }]);
  expect(loaded.ruleset).not.toBeNull();
  return loaded.ruleset!;
}

const NODE = parseIP('10.0.0.10')!;

function run(rs: Ruleset, env: Partial<TraceEnv> = {}, limits?: TraceLimits) {
  return trace(rs, { src: parseIP('10.0.0.2')!, dst: NODE, dport: 80, proto: 'tcp' }, { localAddresses: [NODE], ...env }, limits);
}

/** chains C1…Cn nested below INPUT, the last one dropping: as deep as iptables-legacy allows. */
function nested(n: number): string {
  const lines = ['*filter', ...Array.from({ length: n }, (_, i) => `:C${i + 1} - [0:0]`), '-A INPUT -j C1'];
  for (let i = 1; i < n; i++) lines.push(`-A C${i} -j C${i + 1}`);
  lines.push(`-A C${n} -m statistic --mode random --probability 0.25 -j DROP`, 'COMMIT');
  return lines.join('\n');
}

describe('rulesets the kernel refuses to load', () => {
  it.each([
    // [fixture, refused rule line, backend named]
    ['stat-self-jump.txt', 6, 'iptables-legacy, iptables-nft and nft'],
    ['stat-loop-six.txt', 10, 'iptables-legacy, iptables-nft and nft'],
    ['nft-loop.nft', 11, 'iptables-legacy, iptables-nft and nft'],
  ])('%s: a jump loop is an error at the rule that closes it, not a trace', (name, line, backend) => {
    const r = run(load(name));
    expect(r.outcomes).toEqual([]);
    expect(r.error).toMatchObject({ code: 'RULESET_JUMP_LOOP', file: name, line, backend });
    expect(r.error!.message).toMatch(/the kernel would refuse to load this ruleset/);
  });

  it('nft: a chain 16 jumps below a base chain is refused (nf_tables jump stack)', () => {
    const r = run(load('nft-nest-16.nft'));
    expect(r.error).toMatchObject({ code: 'RULESET_JUMP_TOO_DEEP', backend: 'nft', file: 'nft-nest-16.nft' });
    // `chain c15 { jump c16 }`: the rule nft -f names in its error.
    expect(readFileSync(join(DIR, 'nft-nest-16.nft'), 'utf8').split('\n')[r.error!.line - 1]).toContain('jump c16');
  });

  it('nft: 15 levels load and are traced', () => {
    const r = run(load('nft-nest-15.nft'));
    expect(r.error).toBeUndefined();
    expect(r.outcomes.map((o) => [o.verdict, o.probability])).toEqual([['DROP', 1]]);
  });

  it('iptables-nft refuses 16 nested chains; iptables-legacy loads and traces them; the backend is named', () => {
    const rs = load('nest-16.txt');
    const nft = run(rs, { iptablesBackend: 'nft' });
    expect(nft.error).toMatchObject({ code: 'RULESET_JUMP_TOO_DEEP', backend: 'iptables-nft', line: 34 });
    const legacy = run(rs, { iptablesBackend: 'legacy' });
    expect(legacy.error).toBeUndefined();
    expect(legacy.outcomes.map((o) => o.verdict)).toEqual(['DROP']);
    expect(legacy.assumptions.join('\n')).toMatch(/iptables-nft would refuse .* iptables-legacy loads it; traced as iptables-legacy$/m);
    // A dump that does not say which iptables made it was loaded by some kernel: legacy, and said so.
    expect(run(rs).assumptions.join('\n')).toMatch(/does not say which iptables made it/);
    expect(run(load('nest-15.txt'), { iptablesBackend: 'nft' }).error).toBeUndefined();
  });

  it('10,000 nested chains (iptables-legacy) are traced like the kernel walks them, without exhausting the stack', () => {
    const r = run(load('deep.txt', nested(10_000)), { iptablesBackend: 'legacy' });
    expect(r.error).toBeUndefined();
    expect(r.outcomes.map((o) => [o.verdict, o.probability])).toEqual([
      ['ACCEPT', 0.75],
      ['DROP', 0.25],
    ]);
    expect(r.outcomes[1]!.path).toHaveLength(10_001);
  });
});

describe('branches in the same state are merged', () => {
  it('the 2^28 paths of diamond-15 are one state: one outcome per verdict, exact probabilities', () => {
    const r = run(load('diamond-15.txt'));
    expect(r.error).toBeUndefined();
    expect(r.outcomes.map((o) => [o.verdict, o.probability]).sort()).toEqual([
      ['ACCEPT', 0.5],
      ['DROP', 0.5],
    ]);
    expect(r.outcomes[0]!.mergedPaths).toBeGreaterThan(0);
  });

  it('2^58 paths 30 chains deep (iptables-legacy) still take milliseconds', () => {
    const r = run(load('diamond-30.txt'), { iptablesBackend: 'legacy' });
    expect(r.error).toBeUndefined();
    expect(r.outcomes.map((o) => o.probability)).toEqual([0.5, 0.5]);
  });

  it('200 target-less statistic rules in one chain: one outcome, probability 1', () => {
    const rules = Array.from({ length: 200 }, () => '-A INPUT -m statistic --mode random --probability 0.5');
    const r = run(load('flat.txt', ['*filter', ...rules, 'COMMIT'].join('\n')));
    expect(r.outcomes).toHaveLength(1);
    expect(r.outcomes[0]!.probability).toBe(1);
  });
});

describe('trace budget', () => {
  it('2^20 distinct marks are more outcomes than allowed: a clear error, not a crash', () => {
    const r = run(load('mark-bits-20.txt'));
    expect(r.outcomes).toEqual([]);
    expect(r.error).toMatchObject({ code: 'TRACE_BUDGET_EXCEEDED' });
    expect(r.error!.message).toMatch(/more than 10,000 distinct outcomes/);
  });

  it('a step budget ends the trace with TRACE_BUDGET_EXCEEDED', () => {
    const r = run(load('diamond-15.txt'), {}, { maxSteps: 10 });
    expect(r.error).toMatchObject({ code: 'TRACE_BUDGET_EXCEEDED' });
    expect(r.error!.message).toMatch(/more than 10 rules/);
  });

  it('a time budget reads the injected clock', () => {
    let t = 0;
    const now = () => (t += 5);
    const r = run(load('deep.txt', nested(5000)), { iptablesBackend: 'legacy' }, { maxMillis: 10, now });
    expect(r.error).toMatchObject({ code: 'TRACE_BUDGET_EXCEEDED' });
    expect(r.error!.message).toMatch(/longer than 10 ms/);
  });
});
