import { describe, expect, it } from 'vitest';
import { counterDeltas } from '@svcpath/counters';
import { buildOverview, buildServiceGraph } from '@svcpath/graph';
import { loadRuleset } from '@svcpath/ruleset';
import { counterHeat, formatPackets } from './counter-heat';

/** ns1/svc1 with two endpoints, ns3/svc3 with none (REJECT), saved with `iptables-save -c`. */
function dump(c: { svc: number; sep1: number; sep2: number; reject: number }): string {
  const n = (p: number) => `[${p}:${p * 60}] `;
  return `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
${n(c.reject)}-A KUBE-SERVICES -d 172.30.0.46/32 -p tcp -m comment --comment "ns3/svc3:p80 has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable
${n(0)}-A FORWARD -m conntrack --ctstate NEW -j KUBE-SERVICES
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]
:KUBE-SEP-BBBBBBBBBBBBBBBB - [0:0]
:KUBE-SEP-CCCCCCCCCCCCCCCC - [0:0]
${n(c.svc)}-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
${n(c.svc)}-A KUBE-SERVICES -d 172.30.0.41/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-SVC-AAAAAAAAAAAAAAAA
${n(c.sep1)}-A KUBE-SVC-AAAAAAAAAAAAAAAA -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-BBBBBBBBBBBBBBBB
${n(c.sep2)}-A KUBE-SVC-AAAAAAAAAAAAAAAA -m comment --comment "ns1/svc1:p80 -> 10.180.0.2:80" -j KUBE-SEP-CCCCCCCCCCCCCCCC
${n(c.sep1)}-A KUBE-SEP-BBBBBBBBBBBBBBBB -p tcp -m comment --comment ns1/svc1:p80 -m tcp -j DNAT --to-destination 10.180.0.1:80
${n(c.sep2)}-A KUBE-SEP-CCCCCCCCCCCCCCCC -p tcp -m comment --comment ns1/svc1:p80 -m tcp -j DNAT --to-destination 10.180.0.2:80
COMMIT
`;
}
const rs = (text: string) => loadRuleset([{ name: 'iptables-save.txt', text }]).ruleset!;
const before = rs(dump({ svc: 100, sep1: 40, sep2: 60, reject: 3 }));
const after = rs(dump({ svc: 130, sep1: 52, sep2: 78, reject: 8 }));
const report = counterDeltas(before, after);

describe('counterHeat', () => {
  it('heats a Service graph by packets: the busiest 1, the others on a log scale', () => {
    const graph = buildServiceGraph(after, 'ns1/svc1')!;
    const h = counterHeat(graph, report.moved);
    const edge = (from: string, to: string) => graph.edges.find((e) => e.source.endsWith(from) && e.target.endsWith(to))!.id;
    const toSep1 = edge('KUBE-SVC-AAAAAAAAAAAAAAAA', 'KUBE-SEP-BBBBBBBBBBBBBBBB');
    const toSep2 = edge('KUBE-SVC-AAAAAAAAAAAAAAAA', 'KUBE-SEP-CCCCCCCCCCCCCCCC');
    expect(h.max).toBe(30);
    expect(h.edges[toSep1]).toEqual({ packets: 12, intensity: 0.75, died: false });
    expect(h.edges[toSep2]).toEqual({ packets: 18, intensity: 0.86, died: false });
    // The Service chain: the 30 new connections jumped into it, not the sum of its rules.
    expect(h.nodes['chain:nat/KUBE-SVC-AAAAAAAAAAAAAAAA']).toEqual({ packets: 30, intensity: 1, died: false });
    expect(h.nodes['chain:nat/KUBE-SEP-BBBBBBBBBBBBBBBB']).toMatchObject({ packets: 12, intensity: 0.75 });
    expect(Object.values(h.nodes).some((x) => x.died)).toBe(false);
    // The filter table's REJECT for ns3/svc3 is not on this Service's graph.
    expect(h.unmatched).toBeGreaterThan(0);
  });

  it('marks where packets died: the REJECT rule\'s edge and verdict, in red', () => {
    const graph = buildOverview(after, {});
    const h = counterHeat(graph, report.moved);
    const dead = Object.entries(h.edges).filter(([, x]) => x.died);
    expect(dead.map(([, x]) => x.packets)).toEqual([5]);
    const target = graph.edges.find((e) => e.id === dead[0]![0])!.target;
    expect(h.nodes[target]).toMatchObject({ packets: 5, died: true });
    const alive = Object.values(h.nodes).filter((x) => !x.died);
    expect(alive.length).toBeGreaterThan(0);
  });

  it('leaves a graph cold when nothing moved', () => {
    const graph = buildServiceGraph(after, 'ns1/svc1')!;
    expect(counterHeat(graph, [])).toEqual({ nodes: {}, edges: {}, unmatched: 0, max: 0 });
  });

  it('shortens packet counts', () => {
    expect([5, 1234, 56_000, 2_500_000].map(formatPackets)).toEqual(['5', '1.2k', '56k', '2.5M']);
  });
});
