/**
 * The shortcuts that let a large dump be checked without keeping (or even reading) every rule body
 * must answer exactly as parseRuleBody does. Bodies: every rule line of the kube-proxy conformance
 * fixtures (packages/tracer/src/fixtures, kube-proxy's own expected outputs) and generated ones.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { completeDiagnostics, parseIptablesSave } from './parse';
import { parseRuleBody } from './parse-rule';
import type { LazyRule, RuleReading } from './rule';
import { quickComment, quickTarget } from './quick-target';
import { ruleShape, ruleShapeKey } from './rule-shape';
import { tokenize } from './tokenize';

const FIXTURES = join(import.meta.dirname, '..', '..', 'tracer', 'src', 'fixtures');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.txt') ? [join(dir, n)] : []));
}

const fixtureBodies = files(FIXTURES)
  .flatMap((f) => readFileSync(f, 'utf8').split('\n'))
  .map((l) => /^-A \S+ (.*)$/.exec(l)?.[1])
  .filter((b): b is string => b !== undefined);

const full = (body: string) => {
  const { tokens, unterminated } = tokenize(body);
  const parsed = parseRuleBody(tokens);
  return { target: parsed.target, comment: parsed.comment, clean: parsed.problems.length === 0 && !unterminated };
};

const WORDS = ['-j', '-g', '--jump', '-m', 'comment', '--comment', '-m comment --comment', '"a -j X"', '"b c"', 'word', '"--comment"', '-p', 'tcp', '--dport', '80', '-d', '10.96.0.10/32', '-s', '300.1.1.1',
  'KUBE-SEP-A', 'DNAT', '--to-destination', '10.1.2.3:8080', '10.1.2.3', '1.2.3.4-1.2.3.9:80-90', '[fd00::1]:80', '10.1.2.3:99999', 'REJECT', 'ACCEPT', 'MASQUERADE', '--random-fully', 'MARK', '--set-xmark', '0x4000/0x4000',
  '!', '-c', '1', 'recent', '--rsource', '--name', '--set', 'statistic', '--mode', 'random', '--probability', '0.5', "'x'", '"', '\\', 'NFQUEUE', '--match-set', 'KUBE-CLUSTER-IP', 'dst,dst', 'set'];
const body = fc.array(fc.constantFrom(...WORDS), { maxLength: 12 }).map((w) => w.join(' '));

describe('quickTarget and quickComment', () => {
  it('agree with the full reading on every fixture rule and on generated bodies', () => {
    let known = 0;
    let comments = 0;
    const check = (b: string) => {
      const q = quickTarget(b, 0, b.length);
      const want = full(b);
      if (q !== undefined) {
        known++;
        expect(q, b).toEqual(want.target);
      }
      const c = quickComment(b, 0, b.length);
      if (c !== undefined) {
        comments++;
        expect(c, b).toBe(want.comment);
      }
    };
    fixtureBodies.forEach(check);
    expect(known).toBeGreaterThan(fixtureBodies.length * 0.9);
    expect(comments).toBeGreaterThan(fixtureBodies.length * 0.9);
    fc.assert(fc.property(body, (b) => void check(b)), { numRuns: 20_000 });
  });
});

describe('quickTarget on endpoint DNATs', () => {
  it('reads `-j DNAT --to-destination X` as the full reading does', () => {
    const dests = ['10.1.2.3:8080', '10.1.2.3', '1.2.3.4-1.2.3.9:80-90', '[fd00::1]:80', 'fd00::1', '10.1.2.3:99999', '300.1.1.1:80', ':80', '10.1.2.3:', 'x', '"10.1.2.3:80"'];
    for (const d of dests)
      for (const b of [`-p tcp -m tcp -j DNAT --to-destination ${d}`, `-j DNAT --to-destination ${d}`, `-j DNAT --to-destination ${d} --random`]) {
        const q = quickTarget(b, 0, b.length);
        if (q !== undefined) expect(q, b).toEqual(full(b).target);
      }
    const kube = '-p tcp -m comment --comment "ns/svc:http" -m tcp -j DNAT --to-destination 10.128.0.5:8080';
    expect(quickTarget(kube, 0, kube.length)).toEqual(full(kube).target);
  });
});

describe('ruleShape', () => {
  const VALUES = [
    ...['10.96.0.10', '10.96.0.10/32', '1.2.3.4:80', '256.1.1.1', '010.1.1.1', '10.1.1.1/33', '10.1.1.1/24', '"x y"', '""', 'KUBE-SVC-X', 'DNAT', '80', 'abc'],
    ...['0', '65535', '65536', '00080', '123456', '80:90', '0.5', '0.10000000009', '0.', '1.5', '0.123456789012345678901', 'a_b', '1.2.3.4:65536', '1.2.3.4:0', '1.2.3.4:080'],
  ];
  const TEMPLATES = [
    ...['-d V -p tcp -m tcp --dport 80 -j KUBE-SVC-A', '-m comment --comment V -j V', '-j DNAT --to-destination V', '-s V -j V', '-m recent --set --name V --mask V --rsource -j V', 'V -j ACCEPT'],
    ...['-p tcp -m tcp --dport V -j V', '-p udp -m udp --sport V -m comment --comment V -j V', '-m statistic --mode random --probability V -j V', '-m recent --rcheck --seconds 10800 --reap --name V --mask V --rsource -j V', '-p tcp -m tcp -j DNAT --to-destination V'],
  ];
  const values = fc.array(fc.constantFrom(...VALUES), { minLength: 4, maxLength: 4 });
  const fill = (t: string, vs: readonly string[]) => {
    let i = 0;
    return t.replace(/V/g, () => vs[i++]!);
  };
  /** Two bodies of one template, each with its own values. */
  const BODY_PAIRS = fc.tuple(fc.constantFrom(...TEMPLATES), values, values).map(([t, a, b]) => [fill(t, a), fill(t, b)] as const);

  it('gives one shape only to bodies that read alike (both clean or both not)', () => {
    fc.assert(
      fc.property(BODY_PAIRS, ([x, y]) => {
        const sx = ruleShape(x, 0, x.length);
        if (sx !== null && sx === ruleShape(y, 0, y.length)) expect(full(x).clean, `${x} | ${y}`).toBe(full(y).clean);
      }),
      { numRuns: 20_000 },
    );
  });

  it('lets a rule of a shape already read cleanly tell its jump as its own full reading does', () => {
    const jumpOf = (body: string) => {
      const t = full(body).target;
      return t && (t.kind === 'jump' || t.kind === 'goto') ? t.chain : null;
    };
    fc.assert(
      fc.property(fc.constantFrom(...TEMPLATES, '-g V', '-j V -g V', '-m mark --mark V -j MARK --set-xmark 0x4000/0x4000'), fc.array(fc.array(fc.constantFrom(...VALUES), { minLength: 4, maxLength: 4 }), { minLength: 2, maxLength: 4 }), (t, values) => {
        const bodies = values.map((v) => {
          let i = 0;
          return t.replace(/V/g, () => v[i++]!);
        });
        const text = `*filter\n${bodies.map((b) => `-A C ${b}`).join('\n')}\nCOMMIT\n`;
        const { dump } = parseIptablesSave(text, { file: 'f', lazy: true });
        completeDiagnostics(dump);
        const rules = dump.tables.get('filter')!.chains.get('C')!.rules;
        rules.forEach((r, k) => expect((r as LazyRule).jumpTarget(), bodies[k]).toBe(jumpOf(bodies[k]!)));
      }),
      { numRuns: 5_000 },
    );
  });

  it('lets a rule of a shape already read cleanly tell its DNAT, comment, addresses and class-free answers as its own full reading does', () => {
    const destinations = (body: string) => {
      const t = full(body).target;
      return t?.kind === 'DNAT' ? t.to.map((d) => d.text) : null;
    };
    // Reads no value a class stands for: kinds, negation, recent's operation and timeout.
    const structure = ({ conds, action }: RuleReading) =>
      `${conds.map((m) => `${m.kind}${'negate' in m && m.negate ? '!' : ''}${m.kind === 'recent' ? `${m.op}/${m.seconds}` : ''}`).join(' ')} -> ${action?.kind}`;
    const templates = [...TEMPLATES, '! -s V -d V -j V', '-s V ! -d V -m comment --comment V -j KUBE-MARK-MASQ', '-m comment --comment V --src V --destination V -j V', '-p udp -m udp --sport V --dport V -j V', '-p tcp -m multiport --dports V -m tcp --sport V -j V', '-p sctp -m sctp ! --dport V -j V', '-m comment --comment V -p tcp -m tcp -j DNAT --to-destination V', '-j DNAT --to-destination V --random', '-p tcp -m recent --set --name V --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination V'];
    fc.assert(
      fc.property(fc.constantFrom(...templates), fc.array(fc.array(fc.constantFrom(...VALUES), { minLength: 4, maxLength: 4 }), { minLength: 2, maxLength: 4 }), (t, values) => {
        const bodies = values.map((v) => {
          let i = 0;
          return t.replace(/V/g, () => v[i++]!);
        });
        const text = `*nat\n${bodies.map((b) => `-A C ${b}`).join('\n')}\nCOMMIT\n`;
        const { dump } = parseIptablesSave(text, { file: 'f', lazy: true });
        completeDiagnostics(dump);
        const rules = dump.tables.get('nat')!.chains.get('C')!.rules as LazyRule[];
        rules.forEach((r, k) => {
          const b = bodies[k]!;
          const { tokens } = tokenize(b);
          const reading = parseRuleBody(tokens);
          expect(r.natDestinations(), b).toEqual(destinations(b));
          expect(r.comment, b).toBe(full(b).comment);
          expect(r.byShape(structure), b).toBe(structure({ conds: reading.matches, action: reading.target }));
          expect(r.addresses(), b).toEqual(reading.matches.filter((m) => m.kind === 'addr'));
          expect(r.ports(), b).toEqual(reading.matches.filter((m) => m.kind === 'ports'));
        });
      }),
      { numRuns: 5_000 },
    );
  });

  it('refuses bodies whose reading could depend on more than the classes', () => {
    for (const b of ['-m comment --comment "a \\" b" -j X', "-m comment --comment 'x' -j X", '-d 10.0.0.1\t-j X', '-m comment --comment "x"y -j X']) expect(ruleShape(b, 0, b.length), b).toBeNull();
  });

  it('gives bodies one key exactly when it gives them one shape (ruleShapeKey: the text hashed, not made)', () => {
    const bodies = [...new Set(fixtureBodies)];
    const keyOf = new Map<string, number>();
    const shapeOf = new Map<number, string>();
    for (const b of bodies) {
      const shape = ruleShape(b, 0, b.length);
      const key = ruleShapeKey(b, 0, b.length);
      expect(key === null, b).toBe(shape === null);
      if (shape === null || key === null) continue;
      expect(keyOf.get(shape) ?? key, b).toBe(key);
      expect(shapeOf.get(key) ?? shape, b).toBe(shape);
      keyOf.set(shape, key);
      shapeOf.set(key, shape);
    }
    expect(keyOf.size).toBeGreaterThan(20);
    fc.assert(
      fc.property(BODY_PAIRS, ([x, y]) => {
        const same = ruleShape(x, 0, x.length) === ruleShape(y, 0, y.length);
        expect(ruleShapeKey(x, 0, x.length) === ruleShapeKey(y, 0, y.length), `${x} | ${y}`).toBe(same);
      }),
      { numRuns: 5_000 },
    );
  });
});
