import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIP } from '@svcpath/netaddr';
import { loadRuleset } from '@svcpath/ruleset';
import { mutateJson, mutateText } from '../../../scripts/fuzz/mutate';
import { fuzzTargets } from '../../../scripts/fuzz/targets';
import { trace } from './index';

/**
 * Fuzzing inside `npm test` (issue 16): 10,000 mutated dumps per parser must parse without
 * throwing, and 10,000 generated rulesets must trace to outcomes summing to 1 or to a clear error.
 * Long campaigns: `npm run fuzz` (scripts/fuzz/run.ts); every crash it finds becomes a fixture.
 */
const CASES = 10_000;

describe('parsers never throw on mutated dumps', () => {
  for (const target of fuzzTargets()) {
    it(`${target.name}: ${CASES.toLocaleString('en-US')} cases`, { timeout: 120_000 }, () => {
      for (let seed = 1; seed <= CASES; seed++) {
        const base = target.seeds[seed % target.seeds.length]!;
        const text = target.json && seed % 2 === 0 ? mutateJson(base, seed) : mutateText(base, seed, target.seeds[(seed + 1) % target.seeds.length]);
        try {
          target.run(text);
        } catch (e) {
          throw new Error(`${target.name} threw on seed ${seed} (npm run fuzz -- --replay ${seed} --target "${target.name}")`, { cause: e });
        }
      }
    });
  }
});

/** A small iptables ruleset: chains that fork, mark, jump and go to each other (loops included). */
const rule = (chains: number) =>
  fc.oneof(
    fc.constant('-m statistic --mode random --probability 0.5'),
    fc.integer({ min: 0, max: 7 }).map((b) => `-m statistic --mode random --probability 0.25 -j MARK --set-xmark 0x${1 << b}/0x${1 << b}`),
    fc.integer({ min: 0, max: chains - 1 }).map((c) => `-j C${c}`),
    fc.integer({ min: 0, max: chains - 1 }).map((c) => `-m statistic --mode random --probability 0.5 -g C${c}`),
    fc.constantFrom('-j RETURN', '-j DROP', '-j ACCEPT', '-m mark --mark 0x1/0x1 -j DROP', '-d 10.0.0.10/32 -j RETURN', '-p udp -j DROP'),
  );
const ruleset = fc.integer({ min: 1, max: 5 }).chain((n) =>
  fc.tuple(fc.constant(n), fc.array(fc.array(rule(n), { maxLength: 6 }), { minLength: n, maxLength: n }), fc.integer({ min: 0, max: n - 1 })),
);

describe('the tracer on generated rulesets', () => {
  it(`${CASES.toLocaleString('en-US')} rulesets: outcomes sum to 1, or a clear error; never a throw`, { timeout: 180_000 }, () => {
    const node = parseIP('10.0.0.10')!;
    fc.assert(
      fc.property(ruleset, ([n, bodies, entry]) => {
        const lines = ['*filter', ...Array.from({ length: n }, (_, i) => `:C${i} - [0:0]`), `-A INPUT -j C${entry}`];
        bodies.forEach((body, i) => body.forEach((r) => lines.push(`-A C${i} ${r}`)));
        lines.push('COMMIT');
        const rs = loadRuleset([{ name: 'gen.txt', text: lines.join('\n') }]).ruleset!;
        const r = trace(rs, { src: parseIP('10.0.0.2')!, dst: node, dport: 80, proto: 'tcp' }, { localAddresses: [node] }, { maxOutcomes: 500 });
        if (r.error) {
          expect(r.outcomes).toEqual([]);
          expect(r.error.message.length).toBeGreaterThan(0);
          return;
        }
        const sum = r.outcomes.reduce((s, o) => s + o.probability, 0);
        expect(Math.abs(sum - 1)).toBeLessThan(1e-9);
      }),
      { numRuns: CASES, seed: 16 },
    );
  });
});
