import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIptablesSave, type Match, type Rule } from './index';

const FIX = join(import.meta.dirname, 'fixtures');
const read = (name: string) => readFileSync(join(FIX, name), 'utf8');

/** Parses one rule in a throwaway nat/filter table and returns it. */
function rule(text: string, table = 'filter'): { rule: Rule; problems: string[] } {
  const r = parseIptablesSave(`*${table}\n:X - [0:0]\n-A X ${text}\nCOMMIT\n`, { file: 't' });
  return { rule: r.dump.tables.get(table)!.chains.get('X')!.rules[0]!, problems: r.diagnostics.map((d) => `${d.code}: ${d.message}`) };
}
const matchesOf = (text: string) => rule(text).rule.matches;
const targetOf = (text: string, table = 'filter') => rule(text, table).rule.target;
const one = <K extends Match['kind']>(ms: readonly Match[], kind: K) => ms.find((m) => m.kind === kind) as Extract<Match, { kind: K }>;

describe('real iptables-save -c output', () => {
  const r = parseIptablesSave(read('kernel-iptables-save-c.txt'), { file: 'kernel-iptables-save-c.txt' });
  it('parses every line with no diagnostics', () => {
    expect(r.diagnostics).toEqual([]);
    expect(r.dump.ruleCount).toBe(read('kernel-iptables-save-c.txt').split('\n').filter((l) => / -A /.test(` ${l}`)).length);
  });
  it('keeps policies, counters and each rule line', () => {
    const nat = r.dump.tables.get('nat')!;
    expect(nat.chains.get('PREROUTING')).toMatchObject({ builtin: true, policy: 'ACCEPT', counters: { packets: 0, bytes: 0 } });
    expect(nat.chains.get('KUBE-SVC-4SW47YFZTEDKD3PK')).toMatchObject({ builtin: false, policy: null });
    const svc = nat.chains.get('KUBE-SVC-4SW47YFZTEDKD3PK')!.rules;
    const lines = read('kernel-iptables-save-c.txt').split('\n');
    for (const x of svc) expect(lines[x.span.line - 1]).toContain(`-A ${x.chain}`);
    expect(svc.map((x) => x.index)).toEqual([1, 2, 3]);
    expect(svc[0]!.counters).toEqual({ packets: 0, bytes: 0 });
  });
  it('reads the canonical argument order', () => {
    const sep = r.dump.tables.get('nat')!.chains.get('KUBE-SEP-I77PXRDZVX7PMWMN')!.rules[1]!;
    expect(sep.comment).toBe('ns5/svc5:p80');
    expect(one(sep.matches, 'recent')).toMatchObject({ op: 'set', name: 'KUBE-SEP-I77PXRDZVX7PMWMN', side: 'src' });
    expect(sep.target).toMatchObject({ kind: 'DNAT', to: [{ text: '10.180.0.3:80', ports: { from: 80, to: 80 } }] });
  });
  it('gives the same rules as iptables -S of the same kernel state', () => {
    const s = parseIptablesSave(read('kernel-iptables-S-nat.txt'), { file: 'nat' });
    const natS = s.dump.tables.get('nat')!;
    const natSave = r.dump.tables.get('nat')!;
    for (const [name, chain] of natSave.chains) {
      expect(natS.chains.get(name)?.rules.map((x) => [x.matches, x.target]), name).toEqual(chain.rules.map((x) => [x.matches, x.target]));
    }
    expect(s.diagnostics.map((d) => d.code)).toEqual(['IPT_TABLE_INFERRED']);
  });
});

describe('iptables -S pastes without a table', () => {
  it('infers the table per rule and says so', () => {
    const nat = parseIptablesSave(read('kernel-iptables-S-nat.txt'), { file: 'nat.txt' });
    const filter = parseIptablesSave(read('kernel-iptables-S-filter.txt'), { file: 'filter.txt' });
    expect([...nat.dump.tables.keys()]).toEqual(['nat']);
    expect(nat.dump.tables.get('nat')!.chains.get('PREROUTING')!.policy).toBe('ACCEPT');
    expect([...filter.dump.tables.keys()]).toEqual(['filter']);
    expect(filter.diagnostics[0]).toMatchObject({ code: 'IPT_TABLE_INFERRED', severity: 'warning' });
  });
  it('takes the table from a pasted `iptables -t nat -S` command line', () => {
    const r = parseIptablesSave('$ sudo iptables -t nat -S\n-P PREROUTING ACCEPT\n-N KUBE-MARK-MASQ\n-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000\n', { file: 'p' });
    expect(r.dump.tables.get('nat')!.chains.get('KUBE-MARK-MASQ')!.rules[0]!.target).toEqual({ kind: 'MARK', which: 'packet', value: 0x4000, mask: 0x4000 });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['IPT_SHELL_COMMAND']);
  });
});

describe('messy pastes', () => {
  const r = parseIptablesSave(read('messy-ticket-paste.txt'), { file: 'ticket.txt' });
  it('keeps the rules, strips prompts and log prefixes, reports the rest with its line', () => {
    expect(r.dump.ruleCount).toBe(5);
    expect(r.dump.unparsed.map((u) => u.span.line)).toEqual([1, 9]);
    const errs = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errs.map((d) => [d.span.line, d.code])).toEqual([[1, 'IPT_UNKNOWN_LINE'], [9, 'IPT_UNKNOWN_LINE']]);
    expect(r.diagnostics.filter((d) => d.code === 'IPT_PREFIX_STRIPPED').map((d) => d.span.line)).toEqual([6, 7]);
  });
  it('puts the REJECT in filter and the DNAT chain in nat', () => {
    expect(r.dump.tables.get('filter')!.chains.get('KUBE-SERVICES')!.rules[0]!.target).toMatchObject({ kind: 'REJECT' });
    expect(r.dump.tables.get('nat')!.chains.get('KUBE-SEP-SXIVWICOYRO3J4NJ')!.rules[0]!.span.line).toBe(7);
    expect(r.dump.tables.get('nat')!.chains.get('KUBE-SERVICES')!.rules[0]!.counters).toBeNull();
    expect(r.dump.tables.get('filter')!.chains.get('KUBE-SERVICES')!.rules[0]!.counters).toEqual({ packets: 1234, bytes: 5678 });
  });
  it('warns about chains the fragment jumps to but does not contain', () => {
    expect(r.diagnostics.some((d) => d.code === 'IPT_MISSING_CHAIN')).toBe(false);
    const frag = parseIptablesSave('*nat\n-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m tcp --dport 443 -j KUBE-SVC-NPX46M4PTMTKRN6Y\n', { file: 'f' });
    expect(frag.diagnostics.map((d) => d.code)).toEqual(['IPT_UNDECLARED_CHAIN', 'IPT_NO_COMMIT', 'IPT_MISSING_CHAIN']);
  });
  it('reports a rule it cannot read and keeps it verbatim', () => {
    const x = rule('-m frobnicate --level 11 -j ACCEPT');
    expect(x.rule.matches).toEqual([{ kind: 'unknown', module: 'frobnicate', text: '-m frobnicate --level 11' }]);
    expect(x.rule.raw).toBe('-A X -m frobnicate --level 11 -j ACCEPT');
    expect(x.problems[0]).toMatch(/IPT_UNKNOWN_MATCH/);
    const bad = rule('-s 10.0.0.300 -j DROP');
    expect(bad.rule.matches[0]).toMatchObject({ kind: 'unknown' });
    expect(bad.problems[0]).toMatch(/-s expects an address or prefix, got "10.0.0.300"/);
  });
  it('accepts kube-proxy test dumps with unquoted multi-word comments, warning', () => {
    const x = rule('-m comment --comment kubernetes service portals -j KUBE-SERVICES');
    expect(x.rule.comment).toBe('kubernetes service portals');
    expect(x.rule.target).toEqual({ kind: 'jump', chain: 'KUBE-SERVICES' });
    expect(x.problems[0]).toMatch(/IPT_UNQUOTED_COMMENT/);
  });
});

describe('matches', () => {
  it.each<[string, Partial<Match>]>([
    ['! -s 10.0.0.0/8', { kind: 'addr', dir: 'src', negate: true }],
    ['-d 10.1.2.3/255.255.0.0', { kind: 'addr', dir: 'dst', negate: false }],
    ['-p 17', { kind: 'proto', proto: 'udp' }],
    ['! -p tcp', { kind: 'proto', proto: 'tcp', negate: true }],
    ['-i cali+', { kind: 'iface', dir: 'in', name: 'cali+' }],
    ['! -o docker0', { kind: 'iface', dir: 'out', negate: true, name: 'docker0' }],
    ['-p tcp -m tcp --dport 80:90', { kind: 'ports', proto: 'tcp', dir: 'dst', ranges: [{ from: 80, to: 90 }] }],
    ['-p udp --sport 53', { kind: 'ports', proto: 'udp', dir: 'src', ranges: [{ from: 53, to: 53 }] }],
    ['-p sctp -m sctp ! --dport 3868', { kind: 'ports', proto: 'sctp', negate: true }],
    ['-p tcp -m multiport --dports 80,443,8000:8080', { kind: 'ports', proto: '', dir: 'dst', ranges: [{ from: 80, to: 80 }, { from: 443, to: 443 }, { from: 8000, to: 8080 }] }],
    ['-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN', { kind: 'tcp-flags', mask: ['FIN', 'SYN', 'RST', 'ACK'], set: ['SYN'] }],
    ['-m comment --comment "say \\"hi\\" there"', { kind: 'comment', text: 'say "hi" there' }],
    ['-m statistic --mode random --probability 0.33333333349', { kind: 'statistic-random', probability: 715827883 / 2 ** 31 }],
    ['-m statistic --mode nth --every 3 --packet 0', { kind: 'statistic-nth', every: 3, packet: 0 }],
    ['-m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-X --mask 255.255.255.0 --rsource', { kind: 'recent', op: 'rcheck', seconds: 10800, reap: true, name: 'KUBE-SEP-X', side: 'src' }],
    ['-m recent --update --hitcount 3 --rdest', { kind: 'recent', op: 'update', hitcount: 3, side: 'dst', name: 'DEFAULT' }],
    ['-m mark ! --mark 0x4000/0x4000', { kind: 'mark', which: 'packet', negate: true, value: 0x4000, mask: 0x4000 }],
    ['-m connmark --mark 0x1', { kind: 'mark', which: 'conn', value: 1, mask: 0xffffffff }],
    ['-m addrtype --dst-type LOCAL --limit-iface-in', { kind: 'addrtype', dir: 'dst', types: ['LOCAL'], limitIface: 'in' }],
    ['-m addrtype ! --src-type LOCAL,BROADCAST', { kind: 'addrtype', dir: 'src', negate: true, types: ['LOCAL', 'BROADCAST'] }],
    ['-m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT', { kind: 'ctstate', negate: true, states: ['RELATED', 'ESTABLISHED', 'DNAT'] }],
    ['-m state --state NEW', { kind: 'ctstate', states: ['NEW'] }],
    ['-m conntrack --ctorigdst 10.96.0.10', { kind: 'ctaddr', which: 'origdst' }],
    ['-m conntrack --ctorigdstport 53', { kind: 'ctport', which: 'origdst', ranges: [{ from: 53, to: 53 }] }],
    ['-m conntrack --ctstatus DNAT', { kind: 'ctstatus', statuses: ['DNAT'] }],
    ['-m set --match-set KUBE-CLUSTER-IP dst,dst', { kind: 'set', name: 'KUBE-CLUSTER-IP', flags: ['dst', 'dst'] }],
    ['-m set ! --match-set cali40all-ipam-pools src', { kind: 'set', negate: true, flags: ['src'] }],
    ['-m physdev --physdev-is-bridged', { kind: 'physdev', option: 'physdev-is-bridged' }],
    ['-m physdev --physdev-in veth1', { kind: 'physdev', option: 'physdev-in', value: 'veth1' }],
    ['-m iprange --src-range 10.0.0.1-10.0.0.9', { kind: 'iprange', dir: 'src' }],
    ['-m pkttype --pkt-type multicast', { kind: 'pkttype', type: 'multicast' }],
    ['-m nfacct --nfacct-name ct_state_invalid_dropped_pkts', { kind: 'always', module: 'nfacct' }],
    ['-m limit --limit 5/sec --limit-burst 10', { kind: 'opaque', module: 'limit', text: '-m limit --limit 5/sec --limit-burst 10' }],
    ['-m owner --uid-owner 1000', { kind: 'opaque', module: 'owner' }],
    ['-m socket --transparent', { kind: 'opaque', module: 'socket' }],
    ['-f', { kind: 'fragment' }],
  ])('%s', (text, expected) => {
    const ms = matchesOf(`${text} -j ACCEPT`);
    const found = ms.find((m) => m.kind === expected.kind && (!('dir' in expected) || ('dir' in m && m.dir === expected.dir)));
    expect(found).toMatchObject(expected);
  });

  it('reads pre-1.4 negation after the option', () => {
    expect(one(matchesOf('-p tcp --dport ! 80 -j DROP'), 'ports')).toMatchObject({ negate: true, ranges: [{ from: 80, to: 80 }] });
  });
  it('keeps a `-m tcp` before `-p tcp` (kube-proxy restore order)', () => {
    expect(one(matchesOf('-m comment --comment x -m tcp -p tcp -d 172.30.0.41 --dport 80 -j Y'), 'ports')).toMatchObject({ proto: 'tcp' });
  });
  it('reads IPv6 addresses', () => {
    const r = parseIptablesSave('*nat\n:X - [0:0]\n-A X -d fd00:10::1/128 -p tcp -j DNAT --to-destination [fd00:20::5]:8080\nCOMMIT\n', { file: 'v6' });
    expect(r.dump.family).toBe(6);
    const x = r.dump.tables.get('nat')!.chains.get('X')!.rules[0]!;
    expect(x.target).toMatchObject({ kind: 'DNAT', to: [{ from: { text: 'fd00:20::5' }, ports: { from: 8080, to: 8080 } }] });
  });
});

describe('targets', () => {
  it.each<[string, string, Record<string, unknown>]>([
    ['-j ACCEPT', 'filter', { kind: 'ACCEPT' }],
    ['-j DROP', 'filter', { kind: 'DROP' }],
    ['-j RETURN', 'filter', { kind: 'RETURN' }],
    ['-j REJECT --reject-with icmp-host-prohibited', 'filter', { kind: 'REJECT', rejectWith: 'icmp-host-prohibited' }],
    ['-j REJECT', 'filter', { kind: 'REJECT', rejectWith: 'icmp-port-unreachable' }],
    ['-j KUBE-SVC-X', 'nat', { kind: 'jump', chain: 'KUBE-SVC-X' }],
    ['-g KUBE-SVC-X', 'nat', { kind: 'goto', chain: 'KUBE-SVC-X' }],
    ['-j DNAT --to-destination 10.1.0.1', 'nat', { kind: 'DNAT', to: [{ text: '10.1.0.1', ports: null }] }],
    ['-j DNAT --to-destination 10.1.0.1-10.1.0.4:80-81 --random --persistent', 'nat', { kind: 'DNAT', random: true, persistent: true }],
    ['-j DNAT --to-destination :8080', 'nat', { kind: 'DNAT', to: [{ text: ':8080', from: null, ports: { from: 8080, to: 8080 } }] }],
    ['-j SNAT --to-source 192.168.0.2 --random-fully', 'nat', { kind: 'SNAT', randomFully: true }],
    ['-j MASQUERADE --random-fully', 'nat', { kind: 'MASQUERADE', randomFully: true, toPorts: null }],
    ['-j MASQUERADE --to-ports 30000-40000', 'nat', { kind: 'MASQUERADE', toPorts: { from: 30000, to: 40000 } }],
    ['-j REDIRECT --to-ports 36000', 'nat', { kind: 'REDIRECT', toPorts: { from: 36000, to: 36000 } }],
    ['-j MARK --set-xmark 0x4000/0x4000', 'nat', { kind: 'MARK', value: 0x4000, mask: 0x4000 }],
    ['-j MARK --or-mark 0x4000', 'nat', { kind: 'MARK', value: 0x4000, mask: 0x4000 }],
    ['-j MARK --xor-mark 0x4000', 'nat', { kind: 'MARK', value: 0x4000, mask: 0 }],
    ['-j MARK --and-mark 0xffffbfff', 'nat', { kind: 'MARK', value: 0, mask: 0x4000 }],
    ['-j MARK --set-mark 0x1/0xff', 'nat', { kind: 'MARK', value: 1, mask: 0xff }],
    ['-j CONNMARK --save-mark --nfmask 0xff --ctmask 0xff', 'mangle', { kind: 'CONNMARK-save', nfmask: 0xff, ctmask: 0xff }],
    ['-j CONNMARK --restore-mark', 'mangle', { kind: 'CONNMARK-restore' }],
    ['-j CONNMARK --set-xmark 0x10/0x10', 'mangle', { kind: 'MARK', which: 'conn', value: 0x10 }],
    ['-j LOG --log-prefix "dropped: " --log-level 4', 'filter', { kind: 'nonterminal', name: 'LOG' }],
    ['-j NOTRACK', 'raw', { kind: 'NOTRACK' }],
    ['-j CT --notrack', 'raw', { kind: 'NOTRACK' }],
    ['-j NFQUEUE --queue-num 1', 'filter', { kind: 'unknown', name: 'NFQUEUE' }],
  ])('%s', (text, table, expected) => {
    expect(targetOf(text, table)).toMatchObject(expected);
  });
  it('a rule without a target only counts', () => {
    expect(targetOf('-s 10.0.0.0/8')).toBeNull();
  });
});

describe('properties', () => {
  it('never throws, and every non-blank line is a rule, a header, ignored, or reported', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('*nat', 'COMMIT', ':X - [0:0]', '-A X -j Y', '-A X -m', '-A X "unterminated', '-A')), { maxLength: 30 }), (lines) => {
        const r = parseIptablesSave(lines.join('\n'), { file: 'fuzz' });
        expect(r.dump.ruleCount).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });
  it('re-parsing a rule from its raw text gives the same rule', () => {
    const r = parseIptablesSave(read('kernel-iptables-save-c.txt'), { file: 'k' });
    for (const t of r.dump.tables.values())
      for (const c of t.chains.values())
        for (const x of c.rules) {
          const again = parseIptablesSave(`*${t.name}\n${x.raw}\nCOMMIT\n`, { file: 'again' }).dump.tables.get(t.name)!.chains.get(c.name)!.rules[0]!;
          expect([again.matches, again.target]).toEqual([x.matches, x.target]);
        }
  });
});

describe('the jump graph a full parse leaves (what the tracer\'s structure check walks)', () => {
  it('holds each chain\'s jumps to chains of its table, in rule order, as numbers', () => {
    const text = `*nat
:PREROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-A - [0:0]
:KUBE-SEP-1 - [0:0]
:KUBE-MARK-MASQ - [0:0]
-A PREROUTING -j KUBE-SERVICES
-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-A
-A KUBE-SERVICES -j KUBE-GONE
-A KUBE-SVC-A -j KUBE-SEP-1
-A KUBE-SVC-A -j KUBE-SERVICES
-A KUBE-SEP-1 -s 10.244.1.2/32 -j KUBE-MARK-MASQ
-A KUBE-SEP-1 -p tcp -m tcp -j DNAT --to-destination 10.244.1.2:8080
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
COMMIT
*filter
:INPUT ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
-A INPUT -j KUBE-SERVICES
-A INPUT -g KUBE-SVC-A
COMMIT
`;
    const { dump } = parseIptablesSave(text, { file: 'f' });
    const g = dump.jumpGraph!;
    expect(g.size).toBe(dump.chainsById.size);
    const jumps = Object.fromEntries([...dump.chainsById.keys()].map((id) => {
      const k = g.numberOf(id);
      expect(g.chain(k).id).toBe(id);
      return [id, Array.from(g.edgeTo.subarray(g.edgeStart[k], g.edgeEnd[k]), (to) => g.chain(to).id)];
    }));
    expect(jumps).toEqual({
      'nat/PREROUTING': ['nat/KUBE-SERVICES'],
      'nat/KUBE-SERVICES': ['nat/KUBE-SVC-A'],
      'nat/KUBE-SVC-A': ['nat/KUBE-SEP-1', 'nat/KUBE-SERVICES'],
      'nat/KUBE-SEP-1': ['nat/KUBE-MARK-MASQ'],
      'nat/KUBE-MARK-MASQ': [],
      'filter/INPUT': ['filter/KUBE-SERVICES'],
      'filter/KUBE-SERVICES': [],
    });
    expect(g.numberOf('nat/KUBE-GONE')).toBe(-1);
  });
});
