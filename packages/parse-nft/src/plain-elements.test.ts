import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readPlainElements } from './plain-elements';
import { parseNftText } from './text-parser';

/**
 * An `elements = {` block written one element per line is read without tokens (plain-elements.ts)
 * when chains are read lazily; the eager reader reads every block in full. Both must give the same
 * elements (raw text and spans included) and the same problems, whatever the lines hold.
 */
const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

function expectSame(text: string): void {
  const lazy = parseNftText(text, { file: 'm.nft' });
  const eager = parseNftText(text, { file: 'm.nft', eager: true });
  expect(lazy.diagnostics).toEqual(eager.diagnostics);
  expect(json(lazy.ruleset)).toBe(json(eager.ruleset));
}

const map = (lines: readonly string[], open = '\t\telements = {', close = '\t\t}') =>
  ['table ip kube-proxy {', '\tmap service-ips {', '\t\ttype ipv4_addr . inet_proto . inet_service : verdict', open, ...lines, close, '\t}', '\tchain a {', '\t\tjump b', '\t}', '\tchain b {', '\t\taccept', '\t}', '}', ''].join('\n');

/** Element lines, plain and not: the reader must agree on each, alone and mixed. */
const LINES = [
  '\t\t\t10.96.0.10 . tcp . 80 : goto a,',
  '\t\t\t10.96.0.11 . udp . 53 : jump b,',
  '\t\t\t10.96.0.12 . tcp . 443 : goto no-such-chain,',
  '\t\t\t10.96.0.13 . tcp . 80 : accept,',
  '\t\t\t10.96.0.14 . tcp . 80 : drop',
  '\t\t\t10.96.0.15 . tcp . 80 comment "ns/svc:http" : goto a,',
  '\t\t\t10.96.0.16 . tcp . 80 : 10.0.0.1 . 8080,',
  '\t\t\t10.96.0.0/16 . tcp . 1-1024 : goto a,',
  '\t\t\ttcp . 3001 : goto a,',
  '\t\t\t10.96.0.17,',
  '\t\t\t10.96.0.18, 10.96.0.19,',
  '\t\t\t10.96.0.20 . tcp . 80 : goto a , ',
  '\t\t\t10.96.0.21 . tcp . 80 : goto "a",',
  '\t\t\t10.96.0.22 . tcp . 80 : goto a # note',
  '\t\t\t@set . tcp . 80 : goto a,',
  '\t\t\tmap . tcp . 80 : goto a,',
  '\t\t\t10.96.0.23 . tcp . 80 :',
  '\t\t\t10.96.0.24 . tcp . 80 : goto',
  '\t\t\t10.96.0.25 .tcp . 80 : goto a,',
  '\t\t\t10.96.0.26 . tcp . 80: goto a,',
  '\t\t\t10.96.0.27 . tcp . 80 : queue,',
  '\t\t\tfe80::1 . tcp . 80 : goto a,',
  '\t\t\t10.96.0.28 . tcp . 80 : goto a }',
  '',
  '\t\t\t# a comment',
  '10.96.0.29 . tcp . 80 : goto a,',
  '\t\t\t10.96.0.30 . tcp . 80 : goto a,b',
  '\t\t\t10.96.0.31 . constructor . 80 : goto a,',
  '\t\t\t10.96.0.32 . tcp . 0x50 : goto a,\r',
];

describe('plain elements blocks', () => {
  it('each element line, alone and as the last line', () => {
    for (const line of LINES) {
      expectSame(map([line]));
      expectSame(map(['\t\t\t10.96.1.1 . tcp . 80 : goto a,', line]));
      expectSame(map([line, '\t\t\t10.96.1.1 . tcp . 80 : goto a']));
    }
  });

  it('the block opened and closed in other ways', () => {
    const plain = ['\t\t\t10.96.0.10 . tcp . 80 : goto a,', '\t\t\t10.96.0.11 . tcp . 80 : goto b'];
    for (const open of ['\t\telements = {', '\t\telements={', '\t\telements ={', '\t\telements = { 10.96.0.9 . tcp . 80 : goto a,', '\t\telements = {  ', '\t\telements = { # x', 'elements = {'])
      for (const close of ['\t\t}', '}', '\t\t} ', '\t\t} ;', '\t\t} # x', '\t\t}}']) expectSame(map(plain, open, close));
    expectSame(map([], '\t\telements = {', '\t\t}'));
  });

  it('any mix of the lines reads the same both ways', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...LINES), { maxLength: 12 }), (lines) => expectSame(map(lines))),
      { numRuns: 300 },
    );
  });

  it('a Service map of 2,000 elements, as kube-proxy writes it, with spans on the right lines', () => {
    const lines = Array.from({ length: 2000 }, (_, s) => `\t\t\t10.96.${s >> 8}.${s & 255} . tcp . 80 : goto ${s % 2 ? 'a' : 'b'}${s === 1999 ? '' : ','}`);
    expectSame(map(lines));
    const set = parseNftText(map(lines), { file: 'm.nft' }).ruleset.tables[0]!.sets[0]!;
    expect(set.elements).toHaveLength(2000);
    expect(set.elements[1999]!.span).toEqual({ file: 'm.nft', line: 2004, col: 4, endLine: 2004, endCol: 35 });
    // …read without tokens: the block is plain.
    const text = map(lines);
    const at = text.indexOf('elements');
    expect(readPlainElements(text, 'm.nft', at, 4, text.lastIndexOf('\n', at) + 1)?.elements).toEqual(set.elements);
  });
});
