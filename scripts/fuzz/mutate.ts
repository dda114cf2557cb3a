/**
 * A small mutation fuzzer for dump text: seeded (every case can be replayed from its seed), pure
 * (no I/O), shared by the in-suite fuzz tests and `npm run fuzz`. It keeps inputs short (a window
 * of a real fixture) so ten thousand cases take seconds, and mutates towards what broke svcpath
 * before: target-less statistic rules, jumps and gotos, deep nesting, huge numbers, odd quoting.
 */

/** mulberry32: a tiny seeded PRNG, good enough to pick mutations. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  '-j', '-g', '-m statistic --mode random --probability 0.5', '-m statistic --mode nth --every 0 --packet 0',
  '-j KUBE-SVC-X', '-g KUBE-SVC-X', '-A KUBE-SVC-X -j KUBE-SVC-X', '-j RETURN', '-j DROP', '-j MARK --set-xmark 0x4000/0x4000',
  '-m comment --comment "', '"', "'", '\\', '\\"', '{', '}', ';', 'jump', 'goto', 'vmap {', 'numgen random mod 0',
  'numgen inc mod 4294967296', ':', '::', '/33', '/-1', '0x', '0xffffffffffffffff', '4294967296', '-1', '99999999999999999999',
  '1e309', 'NaN', '256.256.256.256', '10.0.0.1-10.0.0.0', '65536', '0-', ',', ',,', '[', ']', '*nat', 'COMMIT', '#',
  '\u0000', '\u202e', 'ü', '\t', '\r', ' '.repeat(200), 'x'.repeat(5000), '-A', '-N', '-P INPUT DROP', 'table ip t {', 'chain c {',
  '"nftables": [', '{"rule": {}}', 'null', 'true', '-A -t', '--dport', '--to-destination', 'TCP', 'ip6', 'inet',
];

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

const linesOf = new Map<string, readonly string[]>();
/** Fixtures are split once, not once per case. */
function split(text: string): readonly string[] {
  let lines = linesOf.get(text);
  if (!lines) linesOf.set(text, (lines = text.split('\n')));
  return lines;
}

/** A mutated window of `text` (and sometimes of `other`), reproducible from `seed`. */
export function mutateText(text: string, seed: number, other = ''): string {
  const r = rng(seed);
  const all = split(text);
  const start = Math.floor(r() * Math.max(1, all.length - 10));
  let lines = all.slice(start, start + 1 + Math.floor(r() * 40));
  if (r() < 0.3) lines = [...all.slice(0, 3), ...lines]; // keep a header (*filter, table …) in reach
  const count = 1 + Math.floor(r() * 4);
  for (let k = 0; k < count; k++) {
    const i = Math.floor(r() * lines.length);
    const line = lines[i] ?? '';
    switch (Math.floor(r() * 9)) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(i, 0, line);
        break;
      case 2: {
        const j = Math.floor(r() * lines.length);
        [lines[i], lines[j]] = [lines[j] ?? '', line];
        break;
      }
      case 3: {
        const a = Math.floor(r() * (line.length + 1));
        lines[i] = line.slice(0, a) + line.slice(a + Math.floor(r() * 12));
        break;
      }
      case 4: {
        const a = Math.floor(r() * (line.length + 1));
        lines[i] = `${line.slice(0, a)} ${pick(r, TOKENS)} ${line.slice(a)}`;
        break;
      }
      case 5:
        lines[i] = line.replace(/\d+/, () => pick(r, ['0', '-1', '4294967295', '4294967296', '99999999999999999999', '1e309', '65536', '']));
        break;
      case 6: {
        const o = split(other);
        lines.splice(i, 0, ...o.slice(Math.floor(r() * o.length)).slice(0, 1 + Math.floor(r() * 5)));
        break;
      }
      case 7:
        lines = lines.slice(0, i).concat(line.slice(0, Math.floor(r() * line.length)));
        break;
      default:
        lines.splice(i, 0, pick(r, TOKENS));
    }
  }
  return lines.join(r() < 0.1 ? '\r\n' : '\n');
}

/** A structurally mutated JSON document (values swapped for other types, keys dropped, nesting). */
const docs = new Map<string, unknown>();

export function mutateJson(text: string, seed: number): string {
  const r = rng(seed);
  if (!docs.has(text)) {
    try {
      docs.set(text, JSON.parse(text));
    } catch {
      docs.set(text, undefined);
    }
  }
  let doc = docs.get(text);
  if (doc === undefined) return mutateText(text, seed);
  // A window of a big document's top-level array (`nftables`), so each case stays small.
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    const [key, list] = Object.entries(doc)[0] ?? [];
    if (key && Array.isArray(list) && list.length > 40) {
      const at = Math.floor(r() * (list.length - 30));
      doc = { [key]: [...list.slice(0, 2), ...list.slice(at, at + 1 + Math.floor(r() * 30))] };
    }
  }
  const odd = () => pick(r, [null, 0, -1, Number.POSITIVE_INFINITY, '', 'x', [], {}, true, 4294967296, '::', { jump: { target: 'x' } }] as unknown[]);
  const walk = (v: unknown, depth: number): unknown => {
    if (depth > 12) return v;
    if (Array.isArray(v)) {
      const out = v.filter(() => r() > 0.05).map((x) => walk(x, depth + 1));
      if (r() < 0.05 && out.length) out.push(out[Math.floor(r() * out.length)]);
      return out;
    }
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (r() < 0.03) continue;
        out[k] = r() < 0.03 ? odd() : walk(x, depth + 1);
      }
      return out;
    }
    return r() < 0.05 ? odd() : v;
  };
  return JSON.stringify(walk(doc, 0));
}
