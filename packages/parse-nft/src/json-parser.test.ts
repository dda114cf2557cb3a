import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ParseResult } from './ast';
import { parseNftJson } from './json-parser';

const parse = (src: string): ParseResult => parseNftJson(src, { file: 'in.json' });
const kubeProxy = readFileSync(new URL('./fixtures/kube-proxy.json', import.meta.url), 'utf8');

describe('parseNftJson', () => {
  it('keeps every complete entry of a truncated document', () => {
    const cut = kubeProxy.slice(0, kubeProxy.indexOf('"handle": 60'));
    const r = parse(cut);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['NFT_JSON_SYNTAX']);
    const t = r.ruleset.tables[0]!;
    expect(t.chains).toHaveLength(32);
    expect(t.chains.find((c) => c.name === 'services')?.rules).toEqual([]);
    expect(t.chains.find((c) => c.name === 'nodeport-endpoints-check')?.rules).toHaveLength(1);
  });

  it('ignores text after the document with a warning (iptables-nft warnings captured with 2>&1)', () => {
    const r = parse('{"nftables": [{"table": {"family": "ip", "name": "nat", "handle": 1}}]}\n# Warning: table ip nat is managed by iptables-nft, do not touch!\n');
    expect(r.diagnostics.map((d) => [d.code, d.span.line])).toEqual([['NFT_JSON_TRAILING_TEXT', 2]]);
    expect(r.ruleset.tables.map((t) => t.name)).toEqual(['nat']);
  });

  it('keeps unknown statements and objects with diagnostics pointing at them', () => {
    const doc = `{"nftables": [
 {"table": {"family": "ip", "name": "t"}},
 {"chain": {"family": "ip", "table": "t", "name": "c"}},
 {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [
   {"frob": {"x": 1}},
   {"accept": null}]}},
 {"flowtable": {"family": "ip", "table": "t", "name": "f"}}
]}`;
    const r = parse(doc);
    expect(r.diagnostics.map((d) => [d.code, d.span.line])).toEqual([['NFT_UNKNOWN_STATEMENT', 5], ['NFT_JSON_UNSUPPORTED_OBJECT', 7]]);
    const rule = r.ruleset.tables[0]!.chains[0]!.rules[0]!;
    expect(rule.statements.map((s) => s.kind)).toEqual(['unparsed', 'verdict']);
    expect(rule.span.line).toBe(4);
    expect(r.ruleset.unparsed).toHaveLength(1);
  });

  it('reports a document that is not nft JSON', () => {
    expect(parse('[1, 2]').diagnostics.map((d) => d.code)).toEqual(['NFT_JSON_BAD_SHAPE']);
    expect(parse('').diagnostics.map((d) => d.code)).toEqual(['NFT_JSON_SYNTAX']);
  });
});
