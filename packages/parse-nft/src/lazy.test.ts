import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParseResult } from './ast';
import { chainOutline } from './lazy-chain';
import { parseNftText } from './text-parser';

/**
 * Plain chain bodies are read lazily (chain-scan.ts, rule-shapes.ts): the result, read, must be
 * the eager reader's, and every problem must still be reported, however deep in the dump.
 */
/** JSON text of a result (IPv6 addresses hold bigints). */
const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

const both = (text: string, file = 'nft.txt'): { lazy: ParseResult; eager: ParseResult } => ({
  lazy: parseNftText(text, { file }),
  eager: parseNftText(text, { file, eager: true }),
});

function expectSame(text: string, file?: string): ParseResult {
  const { lazy, eager } = both(text, file);
  expect(lazy.diagnostics).toEqual(eager.diagnostics);
  // JSON reads every own enumerable property, a lazy chain's rules included.
  expect(json(lazy.ruleset)).toBe(json(eager.ruleset));
  expect(lazy.ruleset).toEqual(eager.ruleset);
  return lazy;
}

/** kube-proxy's nftables layout for `n` Services of 3 endpoints, as `nft list ruleset` prints it. */
function listing(n: number, damage: (service: number, lines: string[]) => void = () => {}): string {
  const lines = ['table ip kube-proxy {', '\tmap service-ips {', '\t\ttype ipv4_addr . inet_proto . inet_service : verdict', '\t\telements = {'];
  for (let s = 0; s < n; s++) lines.push(`\t\t\t10.96.${s >> 8}.${s & 255} . tcp . 80 : goto service-${s}/tcp/http${s === n - 1 ? '' : ','}`);
  lines.push('\t\t}', '\t}');
  lines.push('\tchain nat-prerouting {', '\t\ttype nat hook prerouting priority dstnat; policy accept;', '\t\tjump services', '\t}');
  lines.push('\tchain mark-for-masquerade {', '\t\tmeta mark set meta mark | 0x00004000', '\t}');
  lines.push('\tchain services {', '\t\tip daddr . meta l4proto . th dport vmap @service-ips', '\t}');
  for (let s = 0; s < n; s++) {
    const eps = [0, 1, 2].map((e) => `10.128.${s >> 8}.${(s & 63) * 4 + e}`);
    const body = [
      `\t\tip daddr 10.96.${s >> 8}.${s & 255} ip saddr != 10.128.0.0/9 jump mark-for-masquerade`,
      `\t\tnumgen random mod 3 vmap { ${eps.map((ep, e) => `${e} : goto endpoint-${s}/tcp/http__${ep}/8080`).join(', ')} }`,
    ];
    damage(s, body);
    lines.push(`\tchain service-${s}/tcp/http {`, ...body, '\t}');
    for (const ep of eps) lines.push(`\tchain endpoint-${s}/tcp/http__${ep}/8080 {`, `\t\tip saddr ${ep} jump mark-for-masquerade`, `\t\tmeta l4proto tcp dnat to ${ep}:8080`, '\t}');
  }
  lines.push('}', '');
  return lines.join('\n');
}

const lineOf = (text: string, needle: string): number => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('lazily read nft text', () => {
  it('reads a large listing lazily, with no problem, and the same as the eager reader', () => {
    const text = listing(400);
    const r = expectSame(text);
    expect(r.diagnostics).toEqual([]);
    const chains = r.ruleset.tables[0]!.chains;
    expect(chains.filter((c) => chainOutline(c)).length).toBe(chains.length - 1); // all but the base chain
  });

  it('every fixture, pasted fragment and hostile dump reads the same both ways', () => {
    const dirs = [join(import.meta.dirname, 'fixtures'), ...['kube-proxy-conformance/nftables-TestOverallNFTablesRules', 'partial-pastes', 'hostile'].map((d) => join(import.meta.dirname, '../../tracer/src/fixtures', d))];
    let n = 0;
    for (const dir of dirs)
      for (const f of readdirSync(dir).filter((x) => /\.(txt|nft|rules)$/.test(x))) {
        expectSame(readFileSync(join(dir, f), 'utf8'), f);
        n++;
      }
    expect(n).toBeGreaterThan(15);
  });

  it.each([
    ['an unknown statement', 'ip saddr 10.0.0.1 frobnicate 7', 'NFT_UNKNOWN_STATEMENT'],
    ['a jump without its chain', 'ip saddr 10.0.0.1 jump', 'NFT_UNKNOWN_STATEMENT'],
    ['a jump to a chain that does not exist', 'ip saddr 10.0.0.1 jump no-such-chain', 'NFT_UNDEFINED_CHAIN'],
    ['a verdict map to a chain that does not exist', 'numgen random mod 2 vmap { 0 : goto mark-for-masquerade, 1 : goto nowhere }', 'NFT_UNDEFINED_CHAIN'],
    ['a set that does not exist', 'ip daddr @no-such-set accept', 'NFT_UNDEFINED_SET'],
    // The brace closes the chain: the chain's own `}` on the next line is the one not expected.
    ['a stray closing brace', 'ip saddr 10.0.0.1 accept }', 'NFT_UNEXPECTED_TOKEN', 1],
    ['an unclosed brace', 'ip daddr { 10.0.0.1, 10.0.0.2 accept', 'NFT_UNCLOSED_BLOCK'],
    ['an unterminated string', 'ip saddr 10.0.0.1 accept comment "cut', 'NFT_UNTERMINATED_STRING'],
    ['an iptables-nft extension', 'xt match recent accept', 'NFT_XT_EXPRESSION'],
  ])('reports %s on a line deep in a large dump, naming its file and line', (_what, bad, code, after = 0) => {
    const text = listing(600, (s, body) => {
      if (s === 517) body.splice(1, 0, `\t\t${bad}`);
    });
    const r = expectSame(text, 'node-7.nft');
    const found = r.diagnostics.find((d) => d.code === code);
    expect(found, JSON.stringify(r.diagnostics)).toBeDefined();
    expect(found!.span.file).toBe('node-7.nft');
    expect(found!.span.line).toBe(lineOf(text, bad) + after);
  });

  it('reads CRLF line ends, spaces for tabs and `nft -a` handles the same both ways', () => {
    const text = listing(40);
    expectSame(text.replace(/\n/g, '\r\n'));
    expectSame(text.replace(/\t/g, '    '));
    let handle = 1;
    const handles = text.replace(/\{\n/g, () => `{ # handle ${handle++}\n`).replace(/(\t\t[a-z].*)\n/g, (_m, l: string) => `${l} # handle ${handle++}\n`);
    const r = expectSame(handles);
    expect(r.ruleset.tables[0]!.chains.filter((c) => chainOutline(c)).length).toBeGreaterThan(100);
  });

  it('commands after a listing act on its lazily read chains as on chains read at once', () => {
    const tail = [
      'add rule ip kube-proxy service-3/tcp/http ip daddr 10.0.0.1 drop',
      'flush chain ip kube-proxy endpoint-4/tcp/http__10.128.0.16/8080',
      'delete chain ip kube-proxy endpoint-5/tcp/http__10.128.0.21/8080',
      'insert rule ip kube-proxy service-6/tcp/http index 1 counter',
      'add chain ip kube-proxy service-7/tcp/http { comment "later" ; }',
      'table ip kube-proxy {\n\tchain service-8/tcp/http {\n\t\tip daddr 10.0.0.8 accept\n\t}\n}',
    ];
    const r = expectSame(`${listing(12)}${tail.join('\n')}\n`);
    // The deleted endpoint chain is still named by its Service's verdict map: reported once, at that line.
    expect(r.diagnostics.filter((d) => d.code === 'NFT_UNDEFINED_CHAIN').length).toBe(1);
  });

  it("a lazily read chain's span and header text, made when asked for, are the eager reader's", () => {
    const text = listing(30).replace('\tchain service-4/tcp/http {', '  \t chain   service-4/tcp/http  {  ');
    const r = expectSame(text);
    const eager = parseNftText(text, { file: 'nft.txt', eager: true });
    const lazy = r.ruleset.tables[0]!.chains;
    expect(lazy.filter((c) => chainOutline(c)).length).toBe(lazy.length - 1);
    lazy.forEach((c, k) => {
      const e = eager.ruleset.tables[0]!.chains[k]!;
      expect([c.name, c.span, c.raw]).toEqual([e.name, e.span, e.raw]);
      expect(Object.keys(c)).toEqual(Object.keys(e));
    });
    expect(lazy.find((c) => c.name === 'service-4/tcp/http')!.raw).toBe('chain   service-4/tcp/http  {');
  });

  it('a chain named before its block (declared, given rules, flushed, or a block twice) reads the same both ways', () => {
    const head = [
      'add table ip kube-proxy',
      'add chain ip kube-proxy endpoint-2/tcp/http__10.128.0.8/8080',
      'add rule ip kube-proxy endpoint-3/tcp/http__10.128.0.12/8080 counter',
      'add chain ip kube-proxy service-4/tcp/http',
      'flush chain ip kube-proxy service-4/tcp/http',
    ];
    const twice = '\tchain endpoint-5/tcp/http__10.128.0.20/8080 {\n\t\tip saddr 10.128.0.20 jump mark-for-masquerade\n\t}\n';
    const text = `${head.join('\n')}\n${listing(12).replace(/\n}\n$/, `\n${twice}}\n`)}`;
    const r = expectSame(text);
    expect(r.diagnostics).toEqual([]);
    // A flushed chain read lazily again keeps the span of the line that created it.
    const flushed = 'flush chain ip kube-proxy service-6/tcp/http\ntable ip kube-proxy {\n\tchain service-6/tcp/http {\n\t\tip daddr 10.0.0.6 jump mark-for-masquerade\n\t}\n}\n';
    const again = expectSame(`${listing(12)}${flushed}`);
    const chain = again.ruleset.tables[0]!.chains.find((c) => c.name === 'service-6/tcp/http')!;
    expect(chain.span.line).toBe(lineOf(listing(12), '\tchain service-6/tcp/http {'));
    expect(chain.rules.map((x) => x.raw)).toEqual(['ip daddr 10.0.0.6 jump mark-for-masquerade']);
  });

  it('a bad value among good ones of the same shape is read as the eager reader reads it', () => {
    // 10.0.0.256 is no address: the rule is kept (as a symbol), like its neighbours' addresses are read.
    const text = listing(50, (s, body) => {
      if (s === 31) body[0] = body[0]!.replace(/ip daddr \S+/, 'ip daddr 10.0.0.256');
      if (s === 32) body[0] = body[0]!.replace(/ip daddr \S+/, 'ip daddr 0x0a000001');
    });
    expectSame(text);
  });
});
