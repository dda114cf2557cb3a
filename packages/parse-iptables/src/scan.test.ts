import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LazyRule} from './index';
import { bytesSource, DumpChangedError, parseIptablesSave, scanIptablesSave, type ByteSource, type Chain, type IptablesDump, type Match, type Rule, type ScanResult } from './index';
import { ruleShape } from './rule-shape';

const ROOT = join(import.meta.dirname, '../../..');

/** A ByteSource over bytes held in memory. */
function memory(bytes: Uint8Array): ByteSource {
  return {
    read(into, offset, length, position) {
      const n = Math.max(0, Math.min(length, bytes.length - position));
      into.set(bytes.subarray(position, position + n), offset);
      return n;
    },
  };
}

/** `chunkBytes` 0: the dump handed over in memory whole (bytesSource), as the server's engine has an upload. */
const scan = (text: string, chunkBytes?: number) =>
  chunkBytes === 0 ? scanIptablesSave(bytesSource(Buffer.from(text, 'utf8')), { file: 'f' }) : scanIptablesSave(memory(Buffer.from(text, 'utf8')), { file: 'f', ...(chunkBytes ? { chunkBytes } : {}) });

function scanned(text: string, chunkBytes?: number): ScanResult {
  const r = scan(text, chunkBytes);
  if ('refused' in r) throw new Error(r.refused);
  return r;
}

/** Everything parseIptablesSave says about a dump, in plain data. */
function plain(dump: IptablesDump) {
  return {
    family: dump.family,
    ruleCount: dump.ruleCount,
    unparsed: dump.unparsed,
    tables: [...dump.tables.values()].map((t) => ({
      name: t.name,
      span: t.span,
      chains: [...t.chains.values()].map((c) => ({
        id: c.id,
        name: c.name,
        builtin: c.builtin,
        policy: c.policy,
        counters: c.counters,
        span: c.span,
        rules: c.rules.map((r) => ({ index: r.index, span: r.span, raw: r.raw, table: r.table, chain: r.chain, counters: r.counters, matches: r.matches, target: r.target, comment: r.comment })),
      })),
    })),
    ids: [...dump.chainsById.keys()],
  };
}

/** The chains each chain's rules jump or go to, read from the rules. */
function jumpsOf(dump: IptablesDump, c: Chain): string[] {
  const table = dump.tables.get(c.table)!;
  return c.rules.flatMap((r) => (r.target?.kind === 'jump' || r.target?.kind === 'goto') && table.chains.has(r.target.chain) ? [`${c.table}/${r.target.chain}`] : []);
}

/** The tracer's skip-index keys of a rule (chain-index.ts), from its matches. */
function keysOf(matches: readonly Match[]): { dst: number; dport: number } {
  let dst = -1;
  let dport = -1;
  for (const c of matches) {
    if (c.kind === 'addr' && c.dir === 'dst' && !c.negate && c.cidr.prefix === (c.cidr.family === 4 ? 32 : 128)) dst = c.cidr.family === 4 ? c.cidr.addr : -2;
    else if (c.kind === 'ports' && c.dir === 'dst' && !c.negate && c.ranges.length === 1 && c.ranges[0]!.from === c.ranges[0]!.to) dport = c.ranges[0]!.from;
  }
  return { dst, dport };
}

/**
 * What a rule tells without reading its body when its shape is known (LazyRule: learnt by
 * validate in the full parse, adopted from the scan's hash in a scanned dump).
 */
function quickAnswers(dump: IptablesDump) {
  return [...dump.chainsById.values()].map((c) =>
    c.rules.map((rule) => {
      const r = rule as LazyRule;
      return { jump: r.jumpTarget(), dnat: r.natDestinations(), addresses: r.addresses(), ports: r.ports(), comment: r.comment, proto: r.byShape(protoOf) };
    }),
  );
}
const protoOf = ({ conds }: { conds: readonly Match[] }) => conds.find((c) => c.kind === 'proto')?.proto ?? null;

/** What each chain's rules answer when read from their lines (JumpGraph.lines), as quickAnswers has them. */
function lineAnswers(dump: IptablesDump) {
  const g = dump.jumpGraph!;
  return [...dump.chainsById.values()].map((c) => {
    const lines = g.lines!(g.numberOf(c.id));
    return Array.from({ length: lines.count }, (_, i) => ({ raw: lines.raw(i), jump: lines.jumpTarget(i), jumps: lines.jumps(i), dnat: lines.natDestinations(i), comment: lines.comment(i), proto: lines.byShape(i, protoOf) }));
  });
}
const ruleAnswers = (dump: IptablesDump) =>
  [...dump.chainsById.values()].map((c) => c.rules.map((r) => ({ raw: r.raw, jump: (r as LazyRule).jumpTarget(), jumps: (r as LazyRule).jumpTarget() !== null, dnat: (r as LazyRule).natDestinations(), comment: r.comment, proto: (r as LazyRule).byShape(protoOf) })));

/** Scan and full parse agree on every detail, and the scan's jumps are the rules' jumps. */
function expectSame(text: string, chunkBytes?: number) {
  const full = parseIptablesSave(text, { file: 'f' });
  // Read from the lines before any rule is made, and again after: the full parse's rules' answers.
  expect(lineAnswers(scanned(text, chunkBytes).dump)).toEqual(ruleAnswers(full.dump));
  const fast = scanned(text, chunkBytes);
  expect(fast.diagnostics).toEqual(full.diagnostics);
  // First, before anything reads a body: the answers a rule's shape gives are the full parse's.
  expect(quickAnswers(fast.dump)).toEqual(quickAnswers(full.dump));
  for (const c of fast.dump.chainsById.values()) {
    // The jump graph the tracer's structure check walks: the rules' own jumps, in rule order.
    const g = fast.dump.jumpGraph!;
    const k = g.numberOf(c.id);
    expect(Array.from(g.edgeTo.subarray(g.edgeStart[k], g.edgeEnd[k]), (to) => g.chain(to).id)).toEqual(jumpsOf(fast.dump, c));
    // The skip-index keys the scan found: each one it knows is the rule's own (-2: read the rule).
    const keys = c.ruleKeys!();
    expect(keys.dst.length).toBe(c.rules.length);
    c.rules.forEach((r, i) => {
      const want = keysOf(r.matches);
      if (keys.dst[i] !== -2) expect(keys.dst[i]).toBe(want.dst);
      if (keys.dport[i] !== -2) expect(keys.dport[i]).toBe(want.dport);
    });
  }
  expect(plain(fast.dump)).toEqual(plain(full.dump));
  expect(lineAnswers(fast.dump)).toEqual(ruleAnswers(full.dump));
}

function fixtureFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...fixtureFiles(path));
    else if (path.includes('/fixtures/') && /\.(txt|rules)$/.test(name)) out.push(path);
  }
  return out;
}

const HEADER = '# Generated by iptables-save v1.8.9 (nf_tables) on Thu Dec  3 08:00:00 2026\n';

describe('scanIptablesSave reads a clean dump as parseIptablesSave does', () => {
  const files = [...fixtureFiles(join(ROOT, 'packages')), ...fixtureFiles(join(ROOT, 'apps'))];
  const texts = files.map((f) => ({ name: relative(ROOT, f), text: readFileSync(f, 'utf8') })).filter((f) => /^\*(filter|nat|mangle|raw|security)$/m.test(f.text));

  it('finds iptables-save fixtures to compare', () => expect(texts.length).toBeGreaterThan(5));

  for (const f of texts)
    it(`${f.name}: the same dump and diagnostics, or refused with a line`, () => {
      const r = scan(f.text);
      if ('refused' in r) {
        expect(r.refused).toMatch(/^f:\d+: /);
        return;
      }
      expectSame(f.text);
      expectSame(f.text, 64); // lines straddling reads
      expectSame(f.text, 0); // in memory
    });

  it('scans kube-proxy\'s own expected dumps (they are plain iptables-save)', () => {
    const dir = join(ROOT, 'packages/tracer/src/fixtures/kube-proxy-conformance');
    const dumps = readdirSync(dir).filter((d) => d.startsWith('iptables-')).map((d) => readFileSync(join(dir, d, 'iptables-save.txt'), 'utf8'));
    expect(dumps.length).toBeGreaterThan(0);
    for (const d of dumps) expect('refused' in scan(d)).toBe(false);
  });
});

const DUMP = `${HEADER}*nat
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [3:180]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-A - [0:0]
:KUBE-SEP-1 - [0:0]
:KUBE-SEP-2 - [0:0]
:KUBE-MARK-MASQ - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "ns/a:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-A
-A KUBE-SVC-A ! -s 10.244.0.0/16 -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j KUBE-MARK-MASQ
-A KUBE-SVC-A -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-1
-A KUBE-SVC-A -j KUBE-SEP-2
-A KUBE-SEP-1 -s 10.244.1.2/32 -j KUBE-MARK-MASQ
-A KUBE-SEP-1 -p tcp -m tcp -j DNAT --to-destination 10.244.1.2:8080
-A KUBE-SEP-2 -s 10.244.2.2/32 -j KUBE-MARK-MASQ
-A KUBE-SEP-2 -p tcp -m tcp -j DNAT --to-destination 10.244.2.2:8080
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:KUBE-SERVICES - [0:0]
-A FORWARD -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A KUBE-SERVICES -d 10.96.0.11/32 -p tcp -m comment --comment "ns/b:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable
COMMIT
`;

describe('scanIptablesSave on crafted dumps', () => {
  it('reads a small kube-proxy dump exactly, at any read size', () => {
    for (const chunk of [undefined, 0, 7, 16, 33, 100]) expectSame(DUMP, chunk);
  });

  it('gives a chain\'s rules the shapes it hashed: a clean rule answers from its line, its body unread', () => {
    for (const chunk of [undefined, 0]) {
      const sep = scanned(DUMP, chunk).dump.chainsById.get('nat/KUBE-SEP-1')!;
      const [masq, dnat] = sep.rules as LazyRule[];
      expect([masq!.jumpTarget(), dnat!.natDestinations(), masq!.addresses().map((a) => a.cidr.text), dnat!.comment]).toEqual(['KUBE-MARK-MASQ', ['10.244.1.2:8080'], ['10.244.1.2/32'], null]);
      expect([masq!.isParsed, dnat!.isParsed]).toEqual([false, false]);
    }
  });

  it('reads a rule alone as the chain reads it, and keeps it the one object', () => {
    const plainRule = (r: Rule) => ({ raw: r.raw, span: r.span, index: r.index, matches: r.matches, target: r.target, comment: r.comment, table: r.table, chain: r.chain });
    for (const text of [DUMP, DUMP.replace(/\n/g, '\r\n'), DUMP.slice(0, -1), DUMP.replace('ns/a:http cluster IP', 'ns/a:http — grüße')])
      for (const chunk of [undefined, 0, 16]) {
        const alone = scanned(text, chunk).dump;
        const whole = scanned(text, chunk).dump;
        for (const c of alone.chainsById.values()) {
          expect(c.ruleCount).toBe(whole.chainsById.get(c.id)!.rules.length);
          const read = Array.from({ length: c.ruleCount! }, (_, i) => c.rule!(c.ruleCount! - 1 - i)).reverse();
          expect(read.map(plainRule)).toEqual(whole.chainsById.get(c.id)!.rules.map(plainRule));
          // Read alone first, then with the rest: the same objects.
          expect(c.rules).toEqual(read);
          c.rules.forEach((r, i) => expect(r).toBe(read[i]));
          expect(c.rule!(0)).toBe(c.rules[0]);
        }
      }
  });

  it('tests chains by name before making them, in order, per table and over every table', () => {
    type Named = { named(test: (name: string) => boolean, prefix?: string): Iterable<Chain> };
    const { dump } = scanned(DUMP);
    const ids = (chains: Iterable<Chain>) => [...chains].map((c) => c.id);
    const sep = (n: string) => n.startsWith('KUBE-SEP-') || n === 'KUBE-SERVICES';
    expect(ids((dump.chainsById as unknown as Named).named(sep))).toEqual(['nat/KUBE-SERVICES', 'nat/KUBE-SEP-1', 'nat/KUBE-SEP-2', 'filter/KUBE-SERVICES']);
    expect(ids((dump.tables.get('filter')!.chains as unknown as Named).named(sep))).toEqual(['filter/KUBE-SERVICES']);
    // A prefix every passing name starts with: the same chains, the others' names never made.
    expect(ids((dump.chainsById as unknown as Named).named(sep, 'KUBE-SE'))).toEqual(ids((dump.chainsById as unknown as Named).named(sep)));
    expect(ids((dump.chainsById as unknown as Named).named(() => true, 'KUBE-SEP-'))).toEqual(['nat/KUBE-SEP-1', 'nat/KUBE-SEP-2']);
    expect(ids((dump.chainsById as unknown as Named).named(() => true, 'KUBE-SEP-1-'))).toEqual([]);
    expect(ids((dump.chainsById as unknown as Named).named(sep))).toEqual([...dump.chainsById.values()].filter((c) => sep(c.name)).map((c) => c.id));
  });

  it('reports a bad rule deep in the dump, at its line, like the full parse', () => {
    const bad = DUMP.replace('-A KUBE-SEP-2 -p tcp -m tcp -j DNAT', '-A KUBE-SEP-2 -p tcp -m frobnicate --wobble 3 -j DNAT');
    expectSame(bad);
    const d = scanned(bad).diagnostics;
    expect(d.map((x) => x.code)).toContain('IPT_UNKNOWN_MATCH');
    expect(d.find((x) => x.code === 'IPT_UNKNOWN_MATCH')!.span.line).toBe(bad.split('\n').findIndex((l) => l.includes('frobnicate')) + 1);
  });

  it('reports every rule of a shape whose first rule has problems', () => {
    const bad = DUMP.replace(/-m statistic --mode random --probability 0.50000000000/, '-m statistic --mode random --probability 1.5').replace('-A KUBE-SVC-A -j KUBE-SEP-2', '-A KUBE-SVC-A -m statistic --mode random --probability 1.5 -j KUBE-SEP-2');
    expectSame(bad);
  });

  it('reports jumps to chains the dump does not have, once each, as the full parse', () => {
    const missing = DUMP.replace(':KUBE-SEP-2 - [0:0]\n', '').replace(/-A KUBE-SEP-2 .*\n/g, '').replace('-A KUBE-SVC-A -j KUBE-SEP-2', '-A KUBE-SVC-A -j KUBE-SEP-2\n-A KUBE-SERVICES -j KUBE-SEP-2');
    expect(scan(missing)).toMatchObject({ refused: expect.stringMatching(/not together/) });
    const m2 = DUMP.replace(':KUBE-SEP-2 - [0:0]\n', '').replace(/-A KUBE-SEP-2 .*\n/g, '');
    expectSame(m2);
    expect(scanned(m2).diagnostics.map((d) => d.code)).toEqual(['IPT_MISSING_CHAIN']);
  });

  it('keeps odd words, CRLF line ends, non-ASCII comments and a missing COMMIT', () => {
    expectSame(DUMP.replace(/\n/g, '\r\n'));
    expectSame(DUMP.replace('ns/a:http cluster IP', 'ns/a:http — grüße'));
    expectSame(DUMP.replace('ns/a:http cluster IP', 'ns/a:http — grüße'), 0);
    expectSame(DUMP.replace(/COMMIT\n$/, ''));
    expectSame(DUMP.replace('-j MARK --or-mark 0x4000', "-m comment --comment 'single' -j MARK --or-mark 0x4000"));
    expectSame(DUMP.replace('-A KUBE-SEP-1 -s', '-A KUBE-SEP-1  -s'));
    expectSame(`${DUMP}# Warning: iptables-legacy tables present, use iptables-legacy-save to see them\n`);
    expectSame(DUMP.slice(0, -1)); // no newline at the end
    for (const text of [DUMP.replace(/\n/g, '\r\n'), DUMP.slice(0, -1), DUMP.replace(/COMMIT\n$/, '')]) expectSame(text, 0);
  });

  it('leaves to the full parser a dump with the word grep or "[unsupported revision]" anywhere, at any read size', () => {
    const late = (word: string) => DUMP.replace('ns/b:http has no endpoints', `ns/b:http ${word}`);
    for (const chunk of [undefined, 0, 7, 16, 33]) {
      expect(scan(late('grep'), chunk)).toMatchObject({ refused: expect.stringContaining('grep') });
      expect(scan(late('[unsupported revision]'), chunk)).toMatchObject({ refused: expect.stringContaining('unsupported revision') });
      expect(scan(DUMP.replace('-j DNAT --to-destination 10.244.2.2:8080', '-j DNAT [unsupported revision]'), chunk)).toHaveProperty('refused');
      for (const word of ['grepx', 'xgrep', '[unsupported', 'grep_a']) expect('refused' in scan(late(word), chunk)).toBe(false);
    }
  });

  it('reads every form of chain declaration, and refuses a name declared twice or not plain', () => {
    expectSame(DUMP.replace(':KUBE-SEP-2 - [0:0]', ':KUBE-SEP-2 - [7:420]'));
    expectSame(DUMP.replace(':KUBE-SEP-2 - [0:0]', ':- - [0:0]').replace(/KUBE-SEP-2/g, '-'));
    for (const chunk of [undefined, 0]) {
      expect(scan(DUMP.replace(':KUBE-SEP-2 - [0:0]', ':KUBE-SEP-1 - [0:0]'), chunk)).toMatchObject({ refused: expect.stringContaining('declared twice') });
      expect(scan(DUMP.replace(':KUBE-SEP-2 - [0:0]', ':KUBE SEP - [0:0]'), chunk)).toHaveProperty('refused');
      expect(scan(DUMP.replace(':KUBE-SEP-2 - [0:0]', ': - [0:0]'), chunk)).toHaveProperty('refused');
    }
  });

  it('says so when the file is cut short after the scan, instead of reading what is not there', () => {
    const bytes = Buffer.from(DUMP, 'utf8');
    let cut = false;
    const source: ByteSource = { read: (into, offset, length, position) => memory(cut ? bytes.subarray(0, 200) : bytes).read(into, offset, length, position) };
    const r = scanIptablesSave(source, { file: 'f' });
    if ('refused' in r) throw new Error(r.refused);
    cut = true;
    expect(() => r.dump.chainsById.get('nat/KUBE-SEP-2')!.rules).toThrow(DumpChangedError);
  });

  it('refuses what only the full parser reads, naming the line', () => {
    expect(scan(DUMP.replace('-A KUBE-SVC-A -j KUBE-SEP-2', '-I KUBE-SVC-A 1 -j KUBE-SEP-2'))).toMatchObject({ refused: expect.stringMatching(/^f:\d+: /) });
    expect(scan(DUMP.replace('-A KUBE-MARK-MASQ', '[1:60] -A KUBE-MARK-MASQ'))).toHaveProperty('refused');
    expect(scan(`$ sudo iptables-save\n${DUMP}`)).toHaveProperty('refused');
    expect(scan(DUMP.replace(':KUBE-SVC-A - [0:0]\n', ''))).toHaveProperty('refused');
    expect(scan(`-A KUBE-SERVICES -j KUBE-SVC-A\n`)).toHaveProperty('refused');
    expect(scan(DUMP.replace('*filter', '*nat'))).toHaveProperty('refused');
  });

  it('knows a long chain\'s destinations and ports without reading its rules', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `-A KUBE-SERVICES -d 10.96.1.${i}/32 -p tcp -m comment --comment "ns/s${i}:http cluster IP" -m tcp --dport ${1000 + i} -j KUBE-SVC-A`);
    const text = DUMP.replace('-A KUBE-SVC-A ! -s', `${lines.join('\n')}\n-A KUBE-SVC-A ! -s`);
    expectSame(text);
    const chain = scanned(text).dump.chainsById.get('nat/KUBE-SERVICES')!;
    const keys = chain.ruleKeys!();
    expect(keys.dst[51]).toBe(((10 * 256 + 96) * 256 + 1) * 256 + 50);
    expect(keys.dport[51]).toBe(1050);
    expect((chain.rules[51] as unknown as { isParsed: boolean }).isParsed).toBe(false);
  });

  it('leaves to the rule a key two words could be', () => {
    const text = DUMP.replace('-A KUBE-SEP-1 -p tcp -m tcp -j DNAT --to-destination 10.244.1.2:8080', '-A KUBE-SEP-1 -d 10.244.1.2/32 -p tcp -m tcp --sport 8080 --dport 8080 -j DNAT --to-destination 10.244.1.2:8080');
    expectSame(text);
    const keys = scanned(text).dump.chainsById.get('nat/KUBE-SEP-1')!.ruleKeys!();
    expect([keys.dst[1], keys.dport[1]]).toEqual([-2, -2]);
  });
});

describe('the scan\'s shapes are rule-shape.ts\' shapes', () => {
  it('two bodies hash alike only when ruleShape reads them alike (fixture bodies)', () => {
    const files = fixtureFiles(join(ROOT, 'packages')).map((f) => readFileSync(f, 'utf8'));
    const bodies = [...new Set(files.flatMap((t) => t.split('\n')).filter((l) => l.startsWith('-A ')).map((l) => l.slice(l.indexOf(' ', 3) + 1)))].filter((b) => !b.includes('[unsupported revision]') && !/\bgrep\b/.test(b));
    // One rule per body, each its own chain: a dirty shape reads each rule; a clean one never does.
    const text = `*filter\n${bodies.map((_, i) => `:C${i} - [0:0]`).join('\n')}\n${bodies.map((b, i) => `-A C${i} ${b}`).join('\n')}\nCOMMIT\n`;
    const full = parseIptablesSave(text, { file: 'f' });
    const fast = scan(text);
    if ('refused' in fast) throw new Error(fast.refused);
    expect(fast.diagnostics).toEqual(full.diagnostics);
    expect(bodies.length).toBeGreaterThan(100);
    expect(new Set(bodies.map((b) => ruleShape(b, 0, b.length))).size).toBeGreaterThan(10);
  });
});
