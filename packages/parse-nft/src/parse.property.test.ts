import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNftJson } from './json-parser';
import { parseNftRule } from './rule-text';
import { withoutSourceInfo } from './source-info';
import { parseNftText } from './text-parser';

/** JSON text of a result (IPv6 addresses hold bigints). */
const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const corpus = ['nft-ruleset.txt', 'nft-list-ruleset.kernel.txt', 'numgen-layout.handles.txt', 'iptables-nft.list.txt'].map(fixture);
const words = corpus.join('\n').split(/\s+/).filter(Boolean);

/** Text made of real nft tokens, braces and line breaks in random order: close to real damage. */
const nftish = fc.array(fc.oneof(fc.constantFrom(...words), fc.constantFrom('{', '}', ';', '\n', ',', '"', '#', ' . ', ' : ')), { maxLength: 80 }).map((xs) => xs.join(' '));

/** A random cut or splice of a real dump (truncation, lines pasted from elsewhere). */
const damaged = fc.tuple(fc.constantFrom(...corpus), fc.nat(), fc.nat(), fc.string()).map(([src, a, b, junk]) => {
  const i = a % (src.length + 1);
  const j = b % (src.length + 1);
  return src.slice(0, Math.min(i, j)) + junk + src.slice(Math.max(i, j));
});

/** A real listing with whole lines dropped, doubled, moved or spliced with tokens: damage a lazy reader must notice. */
const listings = ['nft-list-ruleset.kernel.txt', 'numgen-layout.list.txt', 'iptables-nft.list.txt', 'kube-proxy.handles.txt'].map(fixture);
const lineDamaged = fc
  .tuple(fc.constantFrom(...listings), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('drop', 'double', 'move', 'splice', 'cut')), { minLength: 1, maxLength: 4 }), fc.constantFrom(...words, '}', '{', ';', '"', '# handle 7', '#x', ' , ', '@s', 'jump', 'goto jump', '99', '0x1f'))
  .map(([src, edits, junk]) => {
    const lines = src.split('\n');
    for (const [a, b, op] of edits) {
      const i = a % lines.length;
      const line = lines[i]!;
      if (op === 'drop') lines.splice(i, 1);
      else if (op === 'double') lines.splice(i, 0, line);
      else if (op === 'move') lines.splice(b % lines.length, 0, ...lines.splice(i, 1));
      else if (op === 'splice') lines[i] = `${line.slice(0, b % (line.length + 1))} ${junk} ${line.slice(b % (line.length + 1))}`;
      else lines[i] = line.slice(0, b % (line.length + 1));
    }
    return lines.join('\n');
  });

describe('parser properties', () => {
  it('never throws and always answers with a ruleset, on any text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), nftish, damaged), (s) => {
        const r = parseNftText(s, { file: 'p' });
        expect(Array.isArray(r.ruleset.tables)).toBe(true);
        expect(r.diagnostics.every((d) => d.span.line >= 1 && typeof d.code === 'string')).toBe(true);
        expect(r.diagnostics.some((d) => d.code === 'NFT_INTERNAL')).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it('never throws on any JSON-like text', () => {
    const kp = fixture('kube-proxy.json');
    const jsonish = fc.oneof(fc.string(), fc.json(), fc.nat().map((n) => kp.slice(0, n % kp.length)));
    fc.assert(
      fc.property(jsonish, (s) => {
        const r = parseNftJson(s, { file: 'p' });
        expect(r.diagnostics.some((d) => d.code === 'NFT_INTERNAL')).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('reading chains lazily gives what reading them at once gives, problems included', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), nftish, damaged, lineDamaged), (s) => {
        const lazy = parseNftText(s, { file: 'p' });
        const eager = parseNftText(s, { file: 'p', eager: true });
        expect(lazy.diagnostics).toEqual(eager.diagnostics);
        expect(json(lazy.ruleset)).toBe(json(eager.ruleset));
      }),
      { numRuns: 1500 },
    );
  });

  it('re-parsing the raw text of each rule gives the same rule', () => {
    fc.assert(
      fc.property(fc.oneof(nftish, damaged), (s) => {
        const r = parseNftText(s, { file: 'p' });
        for (const t of r.ruleset.tables) {
          for (const c of t.chains) {
            for (const rule of c.rules) {
              const again = parseNftRule(rule.raw, { file: 'p', family: t.family }).rule;
              expect(withoutSourceInfo(again?.statements)).toEqual(withoutSourceInfo(rule.statements));
              expect(again?.comment).toEqual(rule.comment);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
