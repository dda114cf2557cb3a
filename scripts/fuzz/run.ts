/**
 * `npm run fuzz [-- --minutes 10] [--seed N] [--target NAME] [--replay SEED]`: a long fuzz campaign
 * over every parser (mutated fixtures, scripts/fuzz/mutate.ts) and the tracer (generated rulesets
 * through the whole load → trace path). Each crash is written as a fixture to
 * packages/tracer/src/fixtures/fuzz-crashes/ with a README line saying where it came from; the
 * in-suite fuzz test (packages/tracer/src/fuzz.test.ts) runs the first 10,000 seeds of each.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseIP } from '@svcpath/netaddr';
import { loadRuleset } from '@svcpath/ruleset';
import { trace } from '@svcpath/tracer';
import { mutateJson, mutateText, rng } from './mutate';
import { fuzzTargets, type FuzzTarget } from './targets';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, seed: { type: 'string', default: String(Date.now() % 1e9) }, target: { type: 'string' }, replay: { type: 'string' } } });
const CRASHES = join(import.meta.dirname, '..', '..', 'packages', 'tracer', 'src', 'fixtures', 'fuzz-crashes');

function input(t: FuzzTarget, seed: number): string {
  const base = t.seeds[seed % t.seeds.length]!;
  return t.json && seed % 2 === 0 ? mutateJson(base, seed) : mutateText(base, seed, t.seeds[(seed + 1) % t.seeds.length]);
}

/** A generated iptables ruleset of forks, marks, jumps and gotos (loops included). */
function generated(seed: number): string {
  const r = rng(seed);
  const n = 1 + Math.floor(r() * 6);
  const lines = ['*filter', ...Array.from({ length: n }, (_, i) => `:C${i} - [0:0]`), `-A INPUT -j C${Math.floor(r() * n)}`];
  const forms = [
    () => '-m statistic --mode random --probability 0.5',
    () => `-m statistic --mode random --probability 0.25 -j MARK --set-xmark 0x${1 << Math.floor(r() * 12)}/0x${1 << Math.floor(r() * 12)}`,
    () => `-j C${Math.floor(r() * n)}`,
    () => `-m statistic --mode random --probability 0.5 -g C${Math.floor(r() * n)}`,
    () => ['-j RETURN', '-j DROP', '-j ACCEPT', '-m mark --mark 0x1/0x1 -j DROP'][Math.floor(r() * 4)]!,
  ];
  for (let c = 0; c < n; c++) for (let k = Math.floor(r() * 8); k > 0; k--) lines.push(`-A C${c} ${forms[Math.floor(r() * forms.length)]!()}`);
  return [...lines, 'COMMIT'].join('\n');
}

const node = parseIP('10.0.0.10')!;
const tracer: FuzzTarget = {
  name: 'tracer',
  seeds: [],
  run: (text) => {
    const r = trace(loadRuleset([{ name: 'gen.txt', text }]).ruleset!, { src: parseIP('10.0.0.2')!, dst: node, dport: 80, proto: 'tcp' }, { localAddresses: [node] }, { maxOutcomes: 2000 });
    const sum = r.outcomes.reduce((s, o) => s + o.probability, 0);
    if (!r.error && Math.abs(sum - 1) > 1e-9) throw new Error(`probabilities sum to ${sum}`);
  },
};

const targets = [...fuzzTargets(), tracer].filter((t) => !values.target || t.name === values.target);
const textOf = (t: FuzzTarget, seed: number) => (t === tracer ? generated(seed) : input(t, seed));

function crash(t: FuzzTarget, seed: number, text: string, e: unknown) {
  mkdirSync(CRASHES, { recursive: true });
  const file = `${t.name.replace(/[^a-z0-9]+/gi, '-')}-seed-${seed}.txt`;
  writeFileSync(join(CRASHES, file), text);
  appendFileSync(join(CRASHES, 'README.md'), `- \`${file}\`: found by \`npm run fuzz\` (target ${t.name}, seed ${seed}, ${new Date().toISOString().slice(0, 10)}): ${String((e as Error).message ?? e).split('\n')[0]}\n`);
  console.log(`CRASH ${t.name} seed ${seed}: ${(e as Error).message} → ${file}`);
}

if (values.replay) {
  for (const t of targets) t.run(textOf(t, Number(values.replay)));
  console.log('no crash');
} else {
  const until = Date.now() + Number(values.minutes) * 60_000;
  const counts = new Map(targets.map((t) => [t.name, { cases: 0, crashes: 0 }]));
  let seed = Number(values.seed);
  while (Date.now() < until) {
    for (const t of targets) {
      const text = textOf(t, seed);
      const c = counts.get(t.name)!;
      c.cases++;
      try {
        t.run(text);
      } catch (e) {
        c.crashes++;
        crash(t, seed, text, e);
      }
    }
    seed++;
  }
  console.log(`seeds ${values.seed}…${seed - 1}`);
  for (const [name, c] of counts) console.log(`${name.padEnd(30)} ${String(c.cases).padStart(9)} cases ${c.crashes} crashes`);
}
