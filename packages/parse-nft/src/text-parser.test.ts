import { describe, expect, it } from 'vitest';
import type { NftChain, ParseResult } from './ast';
import { exprKey } from './expr-key';
import { parseNftText } from './text-parser';

const parse = (src: string): ParseResult => parseNftText(src, { file: 'in.nft' });
const codes = (r: ParseResult): [string, number][] => r.diagnostics.map((d) => [d.code, d.span.line]);
const chain = (r: ParseResult, name: string): NftChain => r.ruleset.tables.flatMap((t) => t.chains).find((c) => c.name === name)!;

describe('parseNftText: rules', () => {
  it('reads matches, lookups and statements kube-proxy writes', () => {
    const r = parse(`table ip t {
  map m { type ipv4_addr . inet_proto . inet_service : verdict; }
  set s { type ipv4_addr; }
  chain c {
    ip daddr . meta l4proto . th dport vmap @m
    ip daddr @s meta l4proto . th dport vmap { tcp . 80 : goto c, udp . 53 : drop }
    ip saddr != { 10.0.0.0/8, 192.168.0.0/16 } tcp dport 80-90 counter accept
    meta mark set mark or 0x4000
    ct mark set meta mark
    numgen random mod 2 vmap { 0 : jump c, 1 : goto c }
    fib daddr . iif type local reject with icmp type host-unreachable
  }
}`);
    expect(r.diagnostics).toEqual([]);
    const rules = chain(r, 'c').rules;
    expect(rules.map((x) => x.statements.map((s) => s.kind).join(' '))).toEqual([
      'vmap', 'match vmap', 'match match counter verdict', 'mangle', 'mangle', 'vmap', 'match reject',
    ]);
    const m = rules[2]!.statements[0]!;
    expect(m.kind === 'match' && [m.op, exprKey(m.right)]).toEqual(['!=', '{ 10.0.0.0/8, 192.168.0.0/16 }']);
    const mark = rules[3]!.statements[0]!;
    expect(mark.kind === 'mangle' && exprKey(mark.value)).toBe('(meta mark | 16384)');
  });

  it('reads dnat forms: addr:port, family, [v6]:port, and a numgen map of address . port', () => {
    const r = parse(`table inet t {
  chain c {
    dnat ip to 10.0.0.1:80
    dnat ip6 to [2001:db8::1]:8080
    dnat ip addr . port to numgen random mod 2 map { 0 : 10.0.0.1 . 80, 1 : 10.0.0.2 . 81 }
    redirect to :8080
    masquerade random,persistent
  }
}`);
    expect(r.diagnostics).toEqual([]);
    const [a, b, c, d, e] = chain(r, 'c').rules.map((x) => x.statements[0]!);
    expect(a).toMatchObject({ kind: 'dnat', family: 'ip', addr: { kind: 'ip' }, port: { kind: 'number', value: 80 } });
    expect(b).toMatchObject({ kind: 'dnat', family: 'ip6', addr: { kind: 'ip', ip: { text: '2001:db8::1' } }, port: { value: 8080 } });
    expect(c?.kind === 'dnat' && c.addr && exprKey(c.addr)).toBe('numgen random mod 2 offset 0 map { 0 : 10.0.0.1 . 80, 1 : 10.0.0.2 . 81 }');
    expect(d).toMatchObject({ kind: 'redirect', port: { value: 8080 } });
    expect(e).toMatchObject({ kind: 'masquerade', flags: ['random', 'persistent'] });
  });

  it('reads priorities by name, with arithmetic, and numerically', () => {
    const r = parse(`table ip t {
  chain a { type filter hook prerouting priority raw; policy drop; }
  chain b { type nat hook prerouting priority dstnat - 10; }
  chain c { type filter hook input priority security + 5; }
  chain d { type nat hook output priority -100; policy accept; }
}
table bridge br { chain e { type filter hook forward priority filter; } }`);
    expect(r.diagnostics).toEqual([]);
    expect(['a', 'b', 'c', 'd', 'e'].map((n) => [chain(r, n).base?.priority, chain(r, n).base?.policy])).toEqual([
      [-300, 'drop'], [-110, 'accept'], [55, 'accept'], [-100, 'accept'], [-200, 'accept'],
    ]);
  });

  it('replays a transaction that uses chains before creating them, then flush and delete', () => {
    const r = parse(`add rule ip t later ip daddr 10.0.0.1 goto target
add table ip t
add chain ip t target
add chain ip t later
add chain ip t gone
add rule ip t gone drop
delete chain ip t gone
add set ip t s { type ipv4_addr ; flags interval ; }
add element ip t s { 10.0.0.0/8, 192.168.1.1-192.168.1.9 }
delete element ip t s { 10.0.0.0/8 }
add rule ip t target accept
flush chain ip t target
insert rule ip t later counter`);
    expect(r.diagnostics).toEqual([]);
    const t = r.ruleset.tables[0]!;
    expect(t.chains.map((c) => `${c.name}:${c.rules.length}`)).toEqual(['later:2', 'target:0']);
    expect(t.chains[0]!.rules.map((x) => [x.index, x.raw])).toEqual([[0, 'counter'], [1, 'ip daddr 10.0.0.1 goto target']]);
    expect(t.sets[0]!.elements.map((e) => exprKey(e.key))).toEqual(['192.168.1.1-192.168.1.9']);
  });

  it('warns about jumps and lookups that name nothing', () => {
    const r = parse('table ip t {\n  chain c {\n    jump nowhere\n    ip daddr @nothing accept\n  }\n}');
    expect(codes(r)).toEqual([['NFT_UNDEFINED_CHAIN', 3], ['NFT_UNDEFINED_SET', 4]]);
    expect(r.diagnostics.every((d) => d.severity === 'warning')).toBe(true);
  });
});

describe('parseNftText: messy input', () => {
  it('keeps a bad statement as unparsed, on its own line, and goes on', () => {
    const r = parse('table ip t {\n\tchain c {\n\t\tip daddr 10.0.0.1 frobnicate 7 accept comment "x"\n\t\tip saddr 10.0.0.2 drop\n\t}\n}\n');
    expect(codes(r)).toEqual([['NFT_UNKNOWN_STATEMENT', 3]]);
    expect(r.diagnostics[0]!.span.col).toBe(21);
    const [bad, good] = chain(r, 'c').rules;
    expect(bad!.statements.map((s) => s.kind)).toEqual(['match', 'unparsed']);
    expect(bad!.statements[1]!.raw).toBe('frobnicate 7 accept');
    expect(bad!.comment).toBe('x');
    expect(good!.statements.map((s) => s.kind)).toEqual(['match', 'verdict']);
  });

  it('reports unknown top-level lines and keeps them', () => {
    const r = parse('hello world\ntable ip t { chain c { accept; } }\n');
    expect(codes(r)).toEqual([['NFT_UNKNOWN_COMMAND', 1]]);
    expect(r.ruleset.unparsed.map((u) => u.raw)).toEqual(['hello world']);
    expect(chain(r, 'c').rules).toHaveLength(1);
  });

  it('confines an unbalanced { in a rule to its own line', () => {
    const r = parse('table ip t {\n  chain c {\n    ip daddr { 10.0.0.1, 10.0.0.2 accept\n    drop\n  }\n}\n');
    expect(codes(r)).toEqual([['NFT_UNCLOSED_BLOCK', 3], ['NFT_UNKNOWN_STATEMENT', 3]]);
    expect(chain(r, 'c').rules.map((x) => x.raw)).toEqual(['ip daddr { 10.0.0.1, 10.0.0.2 accept', 'drop']);
  });

  it('recovers when a chain is not closed before the next one, and reports a stray }', () => {
    const r = parse('table ip t {\n  chain a {\n    accept\n  chain b {\n    drop\n  }\n}\n}\n');
    expect(codes(r)).toEqual([['NFT_UNCLOSED_BLOCK', 2], ['NFT_UNEXPECTED_TOKEN', 8]]);
    expect(r.ruleset.tables[0]!.chains.map((c) => `${c.name}:${c.rules.length}`)).toEqual(['a:1', 'b:1']);
  });

  it('keeps everything before the cut in a truncated dump', () => {
    const full = 'table ip t {\n\tset s {\n\t\ttype ipv4_addr\n\t\telements = { 10.0.0.1, 10.0.0.2,\n\t\t\t     10.0.0.3 }\n\t}\n\tchain c {\n\t\tip daddr @s accept\n\t\tdrop\n\t}\n}\n';
    const cut = full.slice(0, full.indexOf('10.0.0.3'));
    const r1 = parse(cut);
    expect(r1.ruleset.tables[0]!.sets[0]!.elements.map((e) => exprKey(e.key))).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(r1.diagnostics.some((d) => d.code === 'NFT_UNCLOSED_BLOCK')).toBe(true);
    const r2 = parse(full.slice(0, full.indexOf('drop') + 2));
    expect(chain(r2, 'c').rules.map((x) => x.raw)).toEqual(['ip daddr @s accept', 'dr']);
    expect(codes(r2)).toEqual([['NFT_UNKNOWN_STATEMENT', 9], ['NFT_UNCLOSED_BLOCK', 7], ['NFT_UNCLOSED_BLOCK', 1]]);
  });

  it('reports an unterminated string', () => {
    const r = parse('table ip t {\n  chain c {\n    accept comment "oops\n  }\n}\n');
    expect(codes(r)).toContainEqual(['NFT_UNTERMINATED_STRING', 3]);
  });

  it('records a # xt_ comment as an xt statement', () => {
    const r = parse('table ip filter {\n  chain INPUT {\n    ip saddr 10.0.0.1 counter accept # xt_recent\n  }\n}\n');
    expect(codes(r)).toEqual([['NFT_XT_EXPRESSION', 3]]);
    expect(chain(r, 'INPUT').rules[0]!.statements.at(-1)).toMatchObject({ kind: 'xt', name: 'recent' });
  });
});
