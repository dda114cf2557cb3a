import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Diagnostic, NftRuleset, ParseResult, Stmt } from './ast';
import { exprKey } from './expr-key';
import { parseNftJson } from './json-parser';
import { withoutSourceInfo } from './source-info';
import { parseNftText } from './text-parser';

const read = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const text = (name: string): ParseResult => parseNftText(read(name), { file: name });
const json = (name: string): ParseResult => parseNftJson(read(name), { file: name });
const errors = (r: ParseResult): Diagnostic[] => r.diagnostics.filter((d) => d.severity === 'error');

interface Compare {
  /** nft -j omits table/chain comments, `typeof` and the `dynamic` flag (see fixtures/README.md). */
  jsonOmissions?: boolean;
  handles?: boolean;
}

/**
 * The meaning of a ruleset in an order-free form: chains and sets by name, elements sorted by
 * key. The kernel lists sets in hash order and kube-proxy's transaction is grouped by service.
 */
function meaning(rs: NftRuleset, opts: Compare = {}): unknown {
  const plain = withoutSourceInfo(rs);
  return plain.tables.map((t) => ({
    family: t.family,
    name: t.name,
    comment: opts.jsonOmissions ? undefined : t.comment,
    chains: [...t.chains]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((c) => ({
        name: c.name,
        base: c.base,
        comment: opts.jsonOmissions ? undefined : c.comment,
        handle: opts.handles ? c.handle : undefined,
        rules: c.rules.map((r) => ({ statements: r.statements, comment: r.comment, handle: opts.handles ? r.handle : undefined })),
      })),
    sets: [...t.sets]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((s) => ({
        name: s.name,
        isMap: s.isMap,
        keyType: s.keyType,
        dataType: s.dataType,
        flags: opts.jsonOmissions ? s.flags.filter((f) => f !== 'dynamic') : s.flags,
        timeout: s.timeout,
        comment: s.comment,
        elements: [...s.elements].map((e) => ({ key: e.key, data: e.data, comment: e.comment })).sort((a, b) => exprKey(a.key).localeCompare(exprKey(b.key))),
      })),
  }));
}

const allStatements = (rs: NftRuleset): Stmt[] => rs.tables.flatMap((t) => t.chains.flatMap((c) => c.rules.flatMap((r) => r.statements)));

describe('kube-proxy TestOverallNFTablesRules data', () => {
  const tx = text('nft-ruleset.txt');
  const kernel = text('nft-list-ruleset.kernel.txt');

  it('reads the transaction and the kernel listing with no errors and no unparsed parts', () => {
    expect(errors(tx)).toEqual([]);
    expect(errors(kernel)).toEqual([]);
    for (const r of [tx, kernel]) {
      expect(r.diagnostics).toEqual([]);
      expect(allStatements(r.ruleset).filter((s) => s.kind === 'unparsed')).toEqual([]);
    }
  });

  it('gives the same chains, rules, sets and elements from the transaction and the kernel listing', () => {
    const t = tx.ruleset.tables[0]!;
    expect(t.chains).toHaveLength(32);
    expect(t.sets.find((s) => s.name === 'service-ips')?.elements).toHaveLength(9);
    expect(meaning(tx.ruleset)).toEqual(meaning(kernel.ruleset));
  });

  it('gives the same AST from `nft -a` text and `nft -j` JSON of the same load', () => {
    const a = text('kube-proxy.handles.txt');
    const j = json('kube-proxy.json');
    expect(a.diagnostics).toEqual([]);
    expect(j.diagnostics).toEqual([]);
    expect(meaning(a.ruleset, { jsonOmissions: true, handles: true })).toEqual(meaning(j.ruleset, { jsonOmissions: true, handles: true }));
    expect(meaning(a.ruleset)).toEqual(meaning(kernel.ruleset));
  });

  it('numbers every rule with its source line and keeps its raw text', () => {
    const chain = kernel.ruleset.tables[0]!.chains.find((c) => c.name === 'masquerading')!;
    expect(chain.rules.map((r) => [r.index, r.span.line, r.raw])).toEqual([
      [0, 108, 'meta mark & 0x00004000 == 0x00000000 return'],
      [1, 109, 'meta mark set meta mark ^ 0x00004000'],
      [2, 110, 'masquerade fully-random'],
    ]);
    const txRule = tx.ruleset.tables[0]!.chains.find((c) => c.name === 'masquerading')!.rules[0]!;
    expect(txRule.span).toMatchObject({ line: 41, col: 37 });
    expect(txRule.raw).toBe('mark and 0x4000 == 0 return');
  });

  it('resolves named priorities and keeps the handle from `-a` listings', () => {
    const a = text('kube-proxy.handles.txt').ruleset.tables[0]!;
    expect(a.handle).toBe(1);
    const pre = a.chains.find((c) => c.name === 'filter-prerouting-pre-dnat')!;
    expect(pre.base).toMatchObject({ type: 'filter', hook: 'prerouting', priority: -110, priorityRaw: 'dstnat - 10', policy: 'accept' });
    expect(pre.rules[0]!.handle).toBe(43);
  });
});

describe('numgen-map DNAT layout (kernel listings of numgen-layout.nft)', () => {
  const list = text('numgen-layout.list.txt');
  const handles = text('numgen-layout.handles.txt');
  const j = json('numgen-layout.json');

  it('reads text, -a text and JSON with no diagnostics', () => {
    expect(list.diagnostics).toEqual([]);
    expect(handles.diagnostics).toEqual([]);
    expect(j.diagnostics).toEqual([]);
  });

  it('gives the same AST from text and JSON', () => {
    expect(meaning(handles.ruleset, { jsonOmissions: true, handles: true })).toEqual(meaning(j.ruleset, { jsonOmissions: true, handles: true }));
    expect(meaning(list.ruleset)).toEqual(meaning(handles.ruleset));
  });

  it('reads the one-rule endpoint map as dnat to a numgen map of address . port pairs', () => {
    const chain = list.ruleset.tables[0]!.chains.find((c) => c.name === 'service-ULMVA6XW-ns1/svc1/tcp/p80')!;
    const dnat = chain.rules[3]!.statements.find((s) => s.kind === 'dnat');
    expect(dnat && dnat.kind === 'dnat' && dnat.family).toBe('ip');
    const addr = dnat && dnat.kind === 'dnat' ? dnat.addr : undefined;
    expect(addr?.kind).toBe('map');
    if (addr?.kind !== 'map') return;
    expect(exprKey(addr.key)).toBe('numgen random mod 3 offset 0');
    expect(addr.data.kind === 'set' && addr.data.elements.map((e) => `${exprKey(e.key)} : ${e.data ? exprKey(e.data) : ''}`)).toEqual([
      '0 : 10.180.0.1 . 8080',
      '1 : 10.180.0.2 . 8080',
      '2 : 10.180.0.3 . 8080',
    ]);
    expect(chain.rules[3]!.comment).toBe('ns1/svc1:p80 endpoints');
  });

  it('parses the hand-written source too (nft -f input form)', () => {
    const src = text('numgen-layout.nft');
    expect(src.diagnostics).toEqual([]);
    const misc = src.ruleset.tables.find((t) => t.name === 'svcpath-misc')!;
    expect(misc.chains.find((c) => c.name === 'post')!.base?.priority).toBe(105);
  });
});

describe('iptables-nft tables', () => {
  it('keeps xt extensions as recorded statements with a warning, in text and JSON', () => {
    for (const r of [text('iptables-nft.handles.txt'), json('iptables-nft.json')]) {
      const xt = allStatements(r.ruleset).filter((s) => s.kind === 'xt');
      expect(xt.length).toBeGreaterThan(0);
      expect(r.diagnostics.filter((d) => d.code === 'NFT_XT_EXPRESSION')).toHaveLength(xt.length);
    }
    const recent = allStatements(text('iptables-nft.handles.txt').ruleset).find((s) => s.kind === 'xt' && s.name === 'recent');
    expect(recent?.span.line).toBe(49);
  });

  it("reports only nft's untranslated TCPMSS option as not understood, and keeps it", () => {
    const r = text('iptables-nft.list.txt');
    expect(errors(r).map((d) => [d.code, d.span.line])).toEqual([['NFT_UNKNOWN_STATEMENT', 101]]);
    const fwd = r.ruleset.tables.find((t) => t.name === 'mangle')!.chains.find((c) => c.name === 'FORWARD')!;
    expect(fwd.rules[0]!.statements.at(-1)).toMatchObject({ kind: 'unparsed', raw: 'tcp option maxseg size set rt mtu' });
  });

  it('reads the same chains and rule counts from text and JSON', () => {
    const shape = (rs: NftRuleset): string[] => rs.tables.flatMap((t) => t.chains.map((c) => `${t.name}/${c.name}:${c.rules.length}:${c.base?.priority ?? '-'}`));
    expect(shape(text('iptables-nft.list.txt').ruleset)).toEqual(shape(json('iptables-nft.json').ruleset));
  });
});
