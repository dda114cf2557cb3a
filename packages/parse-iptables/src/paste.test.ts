import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIptablesSave } from './parse';

const listing = readFileSync(join(__dirname, 'fixtures', 'listings', 'kernel-nat-L-n-v.txt'), 'utf8');
const rawsOf = (text: string) => {
  const r = parseIptablesSave(text, { file: 'p' });
  return { r, raws: [...r.dump.tables.values()].flatMap((t) => [...t.chains.values()].flatMap((c) => c.rules.map((x) => `${t.name} ${x.raw}`))) };
};
const SVC = '-A KUBE-SVC-X -m comment --comment "ns/a:p -> 10.0.0.1:80" -j KUBE-SEP-A';
const SEP = '-A KUBE-SEP-A -p tcp -m tcp -j DNAT --to-destination 10.0.0.1:80';

/** Pastes written in the shapes people paste, each with what a careful reader takes from it. */
describe('pastes in every shape', () => {
  it('cat -n and grep -n line numbers, with and without a file name', () => {
    const { raws, r } = rawsOf([`     1\t${SVC}`, `2:${SEP}`, `dump.txt:3:-A KUBE-SEP-A -s 10.0.0.1/32 -j KUBE-MARK-MASQ`].join('\n'));
    expect(raws).toEqual([`nat ${SVC}`, `nat ${SEP}`, 'nat -A KUBE-SEP-A -s 10.0.0.1/32 -j KUBE-MARK-MASQ']);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('shell prompts and kubectl log prefixes between listing blocks of several tables', () => {
    const text = [
      'admin@node-1:~$ sudo iptables -t nat -L KUBE-SVC-X -n -v --line-numbers',
      'Chain KUBE-SVC-X (1 references)',
      'num   pkts bytes target     prot opt in     out     source               destination',
      '1        0     0 KUBE-SEP-A  all  --  *      *       0.0.0.0/0            0.0.0.0/0            /* ns/a:p -> 10.0.0.1:80 */',
      '',
      'admin@node-1:~$ sudo iptables -L KUBE-SERVICES -n -v',
      'Chain KUBE-SERVICES (2 references)',
      ' pkts bytes target     prot opt in     out     source               destination',
      '    0     0 REJECT     tcp  --  *      *       0.0.0.0/0            172.30.0.9           /* ns/b:p has no endpoints */ tcp dpt:80 reject-with icmp-port-unreachable',
    ].join('\n');
    const { raws, r } = rawsOf(text);
    expect(raws).toEqual([
      'nat -A KUBE-SVC-X -m comment --comment "ns/a:p -> 10.0.0.1:80" -j KUBE-SEP-A',
      'filter -A KUBE-SERVICES -d 172.30.0.9/32 -p tcp -m comment --comment "ns/b:p has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable',
    ]);
    expect(r.diagnostics.filter((d) => d.code === 'IPT_PARTIAL_PASTE')).toHaveLength(1);
  });

  it('iptables -S of single chains, one after another', () => {
    const text = ['# iptables -t nat -S KUBE-SVC-X', '-N KUBE-SVC-X', SVC, '# iptables -t nat -S KUBE-SEP-A', '-N KUBE-SEP-A', SEP].join('\n');
    expect(rawsOf(text).raws).toEqual([`nat ${SVC}`, `nat ${SEP}`]);
  });

  it('the same rule in two grep blocks is one rule; twice in one block it stays two (the kernel has both)', () => {
    const two = ['$ iptables-save | grep KUBE-SVC-X', SVC, '$ iptables-save | grep KUBE-SEP-A', SVC, SEP].join('\n');
    const { raws, r } = rawsOf(two);
    expect(raws).toEqual([`nat ${SVC}`, `nat ${SEP}`]);
    expect(r.diagnostics.find((d) => d.code === 'IPT_LINES_MERGED')?.message).toContain('merged lines 4 (= 2)');
    const same = ['$ iptables-save | grep KUBE-SVC-X', SVC, SVC].join('\n');
    expect(rawsOf(same).raws).toHaveLength(2);
  });

  it('a whole iptables-save is not read as a paste', () => {
    const r = parseIptablesSave(['*nat', ':KUBE-SVC-X - [0:0]', ':KUBE-SEP-A - [0:0]', SVC, SEP, 'COMMIT'].join('\n'), { file: 'p' });
    expect(r.diagnostics.map((d) => d.code)).toEqual([]);
  });

  it('never throws on cut, shuffled or mangled listing lines', () => {
    const lines = listing.split('\n');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(lines.length - 1), fc.nat(200), fc.nat(200))), (picks) => {
        const text = picks.map(([k, a, b]) => lines[k]!.slice(Math.min(a, b), Math.max(a, b) + 1)).join('\n');
        const r = parseIptablesSave(`Chain X (1 references)\n pkts bytes target     prot opt in     out     source               destination\n${text}`, { file: 'p' });
        expect(r.dump).toBeDefined();
      }),
      { numRuns: 200 },
    );
  });

  it('a listing in a log: kubectl logs and journald prefixes are stripped line by line', () => {
    const text = [
      '2026-11-30T10:00:00.123Z stdout F Chain KUBE-SVC-X (1 references)',
      '2026-11-30T10:00:00.123Z stdout F  pkts bytes target     prot opt in     out     source               destination',
      'Nov 30 10:00:01 node-1 debug-script[812]:     0     0 KUBE-SEP-A  all  --  *      *       0.0.0.0/0            0.0.0.0/0            /* ns/a:p -> 10.0.0.1:80 */',
    ].join('\n');
    expect(rawsOf(text).raws).toEqual(['nat -A KUBE-SVC-X -m comment --comment "ns/a:p -> 10.0.0.1:80" -j KUBE-SEP-A']);
  });

  it('iptables -L without -n prints host names: kept as unread text, reported, never turned into an address', () => {
    const text = [
      'Chain KUBE-SEP-A (1 references)',
      'target     prot opt source               destination',
      'KUBE-MARK-MASQ  all  --  10-0-0-1.web.ns.svc.cluster.local  anywhere             /* ns/a:p */',
    ].join('\n');
    const { r, raws } = rawsOf(text);
    expect(raws[0]).toContain('-m svcpath-unread --text "source 10-0-0-1.web.ns.svc.cluster.local"');
    expect(r.diagnostics.some((d) => d.code === 'IPT_LISTING_UNREAD' && d.span.line === 3)).toBe(true);
  });
});

