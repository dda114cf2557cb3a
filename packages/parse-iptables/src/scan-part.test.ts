import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesSource, partBuffers, scanIptablesSave, scanPart, type ByteSource, type IptablesDump, type LazyRule, type ScanPart, type ScanRefusal, type ScanResult } from './index';

// The two-thread scan (ScanOptions.part) against the one-thread scan: every detail the same, for
// the other thread's part starting at every line of every fixture. Both halves run in this thread.

const ROOT = join(import.meta.dirname, '../../..');

/** A file read through a window (`chunk` bytes a read), or in memory whole (chunk 0). */
function source(bytes: Uint8Array, chunk: number): ByteSource {
  if (chunk === 0) return bytesSource(bytes);
  return {
    size: bytes.length,
    read(into, offset, length, position) {
      const n = Math.max(0, Math.min(length, chunk, bytes.length - position));
      into.set(bytes.subarray(position, position + n), offset);
      return n;
    },
  };
}

function scanTwo(bytes: Uint8Array, from: number, chunk: number): ScanResult | ScanRefusal {
  let part: ScanPart | ScanRefusal | null = null;
  const take = () => {
    part = scanPart(source(bytes, chunk), { file: 'f', from, ...(chunk ? { chunkBytes: chunk } : {}) });
    if ('refused' in part) return null;
    // Posted between threads: a structured clone, its arrays' buffers moved.
    return structuredClone(part, { transfer: partBuffers(part) });
  };
  return scanIptablesSave(source(bytes, chunk), { file: 'f', ...(chunk ? { chunkBytes: chunk } : {}), part: { from, take } });
}

/** Everything a scan tells, in plain data: chains, rules as the lines and as rules read them, jumps, keys, diagnostics. */
function observe(r: ScanResult | ScanRefusal) {
  if ('refused' in r) return r;
  const dump: IptablesDump = r.dump;
  const g = dump.jumpGraph!;
  const chains = [...dump.chainsById.values()].map((c) => {
    const k = g.numberOf(c.id);
    const lines = g.lines!(k);
    const fromLines = Array.from({ length: lines.count }, (_, i) => [lines.raw(i), lines.jumpTarget(i), lines.jumps(i), lines.natDestinations(i), lines.comment(i)]);
    const keys = c.ruleKeys!();
    return {
      id: c.id,
      span: c.span,
      policy: c.policy,
      edges: Array.from(g.edgeTo.subarray(g.edgeStart[k], g.edgeEnd[k])),
      fromLines,
      keys: [Array.from(keys.dst), Array.from(keys.dport)],
      rules: c.rules.map((x) => [x.raw, x.span, x.target, x.comment, (x as LazyRule).jumpTarget(), (x as LazyRule).natDestinations()]),
    };
  });
  return { family: dump.family, ruleCount: dump.ruleCount, kubeIpsetRules: dump.kubeIpsetRules, tables: [...dump.tables.values()].map((t) => [t.name, t.span, t.ruleCount]), chains, diagnostics: r.diagnostics, head: r.head };
}

/** The starts of the text's lines (every one for a short text, else `most` spread over it) and a byte inside a line. */
function starts(bytes: Uint8Array, most: number): number[] {
  const all = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) all.push(i + 1);
  const step = Math.max(1, Math.floor(all.length / most));
  const picked = all.filter((_, i) => i % step === 0);
  return [...picked, ...picked.map((s) => s + 5)];
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

const texts = [...fixtureFiles(join(ROOT, 'packages')), ...fixtureFiles(join(ROOT, 'apps'))]
  .map((f) => ({ name: relative(ROOT, f), text: readFileSync(f, 'utf8') }))
  .filter((f) => /^\*(filter|nat|mangle|raw|security)$/m.test(f.text));

describe('a dump scanned in two parts is the dump scanned in one', () => {
  it('finds iptables-save fixtures to compare', () => expect(texts.length).toBeGreaterThan(5));

  for (const f of texts)
    it(`${f.name}: the same at every split, read whole and through a window`, () => {
      const bytes = Buffer.from(f.text, 'utf8');
      for (const chunk of [0, 4 << 20, 97]) {
        const one = observe(scanIptablesSave(source(bytes, chunk), { file: 'f', ...(chunk ? { chunkBytes: chunk } : {}) }));
        for (const from of starts(bytes, 60)) expect(observe(scanTwo(bytes, from, chunk)), `split at byte ${from}, read ${chunk || 'whole'}`).toEqual(one);
      }
    });
});

const DUMP = `*filter
:INPUT ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
-A INPUT -j KUBE-SERVICES
-A KUBE-SERVICES -d 10.96.0.11/32 -p tcp -m comment --comment "ns/b:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-A - [0:0]
:KUBE-SEP-1 - [0:0]
:KUBE-SEP-2 - [0:0]
:KUBE-MARK-MASQ - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "ns/a:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-A
-A KUBE-SVC-A ! -s 10.244.0.0/16 -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j KUBE-MARK-MASQ
-A KUBE-SVC-A -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-1
-A KUBE-SVC-A -j KUBE-SEP-2
-A KUBE-SEP-1 -s 10.244.1.2/32 -j KUBE-MARK-MASQ
-A KUBE-SEP-1 -p tcp -m tcp -j DNAT --to-destination 10.244.1.2:8080
-A KUBE-SEP-2 -s 10.244.2.2/32 -j KUBE-MARK-MASQ
-A KUBE-SEP-2 -j KUBE-GONE
-A KUBE-SEP-2 -p tcp -m tcp -j DNAT --to-destination 10.244.2.2:8080 --bogus
COMMIT
`;

describe('the part taken from the other thread', () => {
  const bytes = Buffer.from(DUMP, 'utf8');
  const at = (line: string) => DUMP.indexOf(line);

  it('is taken when it is rules of its table, across a chain\'s rules and to the end of the table', () => {
    for (const line of ['-A KUBE-SVC-A -m statistic', '-A KUBE-SEP-1 -s', '-A KUBE-SEP-2 -j KUBE-GONE']) {
      const r = scanTwo(bytes, at(line), 0) as ScanResult;
      expect(r.partTaken, line).toBe(true);
      // Its rules' problems and missing chains are reported with their own lines.
      const one = scanIptablesSave(bytesSource(bytes), { file: 'f' }) as ScanResult;
      expect(r.diagnostics.map((d) => [d.code, d.span?.line])).toEqual(one.diagnostics.map((d) => [d.code, d.span?.line]));
      expect(r.diagnostics.map((d) => d.code)).toEqual(['IPT_UNKNOWN_OPTION', 'IPT_MISSING_CHAIN']);
    }
  });

  it('is scanned again where it cannot be taken: a table line, a chain whose rules are not together', () => {
    expect((scanTwo(bytes, at('*nat'), 0) as ScanResult).partTaken).toBeUndefined();
    const split = DUMP.replace('-A KUBE-SEP-2 -s 10.244.2.2/32 -j KUBE-MARK-MASQ\n', '').replace('-A KUBE-SVC-A -j KUBE-SEP-2\n', '-A KUBE-SVC-A -j KUBE-SEP-2\n-A KUBE-SEP-2 -s 10.244.2.2/32 -j KUBE-MARK-MASQ\n');
    const apart = Buffer.from(split, 'utf8');
    const one = scanIptablesSave(bytesSource(apart), { file: 'f' });
    expect(one).toEqual({ refused: expect.stringMatching(/^f:\d+: rules of chain KUBE-SEP-2 not together/) });
    for (const from of starts(apart, 100)) expect(scanTwo(apart, from, 0)).toEqual(one);
  });

  it('is scanned here when the other thread has nothing', () => {
    const r = scanIptablesSave(bytesSource(bytes), { file: 'f', part: { from: at('-A KUBE-SEP-1 -s'), take: () => null } });
    expect(observe(r)).toEqual(observe(scanIptablesSave(bytesSource(bytes), { file: 'f' })));
  });
});
