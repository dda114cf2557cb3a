/**
 * counterDeltas on hand-written `iptables-save -c` dumps (a cut-down kube-proxy layout: one Service
 * with two endpoints, one without endpoints). The kernel-verified version of these checks, with
 * counters the kernel itself kept, is apps/cli/src/counters-command.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseIptablesSave } from '@svcpath/parse-iptables';
import { fromIptables, type Ruleset } from '@svcpath/ruleset';
import { counterDeltas } from './counter-deltas';

interface Counts {
  svc: number;
  sep1: number;
  sep2: number;
  reject: number;
  masq: number;
  input: number;
}

function dump(c: Counts, extra = ''): string {
  return `*filter
:INPUT DROP [${c.input}:${c.input * 60}]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
[${c.reject}:${c.reject * 60}] -A KUBE-SERVICES -d 172.30.0.46/32 -p tcp -m comment --comment "ns3/svc3:p80 has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable
[0:0] -A OUTPUT -m conntrack --ctstate NEW -j KUBE-SERVICES
[0:0] -A FORWARD -m conntrack --ctstate NEW -j KUBE-SERVICES
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]
:KUBE-SEP-BBBBBBBBBBBBBBBB - [0:0]
:KUBE-SEP-CCCCCCCCCCCCCCCC - [0:0]
:KUBE-MARK-MASQ - [0:0]
[${c.svc}:${c.svc * 60}] -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
[${c.svc}:${c.svc * 60}] -A KUBE-SERVICES -d 172.30.0.41/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-SVC-AAAAAAAAAAAAAAAA
[${c.masq}:${c.masq * 60}] -A KUBE-SVC-AAAAAAAAAAAAAAAA ! -s 10.0.0.0/8 -d 172.30.0.41/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ
[${c.sep1}:${c.sep1 * 60}] -A KUBE-SVC-AAAAAAAAAAAAAAAA -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-BBBBBBBBBBBBBBBB
[${c.sep2}:${c.sep2 * 60}] -A KUBE-SVC-AAAAAAAAAAAAAAAA -m comment --comment "ns1/svc1:p80 -> 10.180.0.2:80" -j KUBE-SEP-CCCCCCCCCCCCCCCC
[${c.sep1}:${c.sep1 * 60}] -A KUBE-SEP-BBBBBBBBBBBBBBBB -p tcp -m comment --comment ns1/svc1:p80 -m tcp -j DNAT --to-destination 10.180.0.1:80
[${c.sep2}:${c.sep2 * 60}] -A KUBE-SEP-CCCCCCCCCCCCCCCC -p tcp -m comment --comment ns1/svc1:p80 -m tcp -j DNAT --to-destination 10.180.0.2:80
[${c.masq}:${c.masq * 60}] -A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
${extra}COMMIT
`;
}

const rs = (text: string): Ruleset => fromIptables(parseIptablesSave(text, { file: 'dump.txt' }).dump);
const zero: Counts = { svc: 0, sep1: 0, sep2: 0, reject: 0, masq: 0, input: 0 };

describe('counterDeltas', () => {
  it('points at the rules the connections took, per Service and per endpoint', () => {
    const before = { svc: 100, sep1: 40, sep2: 60, reject: 3, masq: 10, input: 7 };
    const after = { svc: 130, sep1: 52, sep2: 78, reject: 8, masq: 10, input: 7 };
    const r = counterDeltas(rs(dump(before)), rs(dump(after)));
    expect(r.hasCounters).toBe(true);
    expect(r.moved.map((d) => `${d.table}/${d.chain}#${d.index} +${d.packets}`)).toEqual([
      'filter/KUBE-SERVICES#1 +5',
      'nat/PREROUTING#1 +30',
      'nat/KUBE-SERVICES#1 +30',
      'nat/KUBE-SVC-AAAAAAAAAAAAAAAA#2 +12',
      'nat/KUBE-SVC-AAAAAAAAAAAAAAAA#3 +18',
      'nat/KUBE-SEP-BBBBBBBBBBBBBBBB#1 +12',
      'nat/KUBE-SEP-CCCCCCCCCCCCCCCC#1 +18',
    ]);
    expect(r.moved.every((d) => d.basis === 'before' && d.bytes === d.packets * 60)).toBe(true);
    expect(r.died.map((d) => [d.chain, d.died, d.packets, d.service])).toEqual([['KUBE-SERVICES', 'REJECT', 5, 'ns3/svc3:p80']]);
    expect(r.services).toEqual([
      { service: 'ns1/svc1:p80', endpoints: [{ destination: '10.180.0.2:80', connections: 18 }, { destination: '10.180.0.1:80', connections: 12 }], connections: 30, died: 0, rules: 5 },
      { service: 'ns3/svc3:p80', endpoints: [], connections: 0, died: 5, rules: 1 },
    ]);
  });

  it('reports a DROP policy that counted packets as where they died', () => {
    const r = counterDeltas(rs(dump(zero)), rs(dump({ ...zero, input: 4 })));
    expect(r.died).toMatchObject([{ table: 'filter', chain: 'INPUT', index: 0, raw: ':INPUT DROP', packets: 4, died: 'DROP' }]);
  });

  it('treats a counter that went down as a rewritten rule and a new rule as added', () => {
    const extra = '[9:540] -A KUBE-MARK-MASQ -j RETURN\n';
    const r = counterDeltas(rs(dump({ ...zero, sep1: 50 })), rs(dump({ ...zero, sep1: 2 }, extra)));
    expect(r.moved.find((d) => d.chain === 'KUBE-SEP-BBBBBBBBBBBBBBBB')).toMatchObject({ packets: 2, basis: 'reset' });
    expect(r.moved.find((d) => d.raw === '-A KUBE-MARK-MASQ -j RETURN')).toMatchObject({ packets: 9, basis: 'added', index: 2 });
    expect(r.added).toBe(1);
    expect(r.removed).toBe(0);
  });

  it('matches equal rules in one chain by their order', () => {
    const twice = (a: number, b: number) => `*filter\n:INPUT ACCEPT [0:0]\n[${a}:0] -A INPUT -j ACCEPT\n[${b}:0] -A INPUT -j ACCEPT\nCOMMIT\n`;
    const r = counterDeltas(rs(twice(1, 5)), rs(twice(4, 5)));
    expect(r.moved).toMatchObject([{ index: 1, packets: 3 }]);
  });

  it('says when the dumps carry no counters', () => {
    const plain = '*filter\n:INPUT ACCEPT\n-A INPUT -j ACCEPT\nCOMMIT\n';
    const r = counterDeltas(rs(plain), rs(plain));
    expect(r).toMatchObject({ moved: [], hasCounters: false });
  });
});
