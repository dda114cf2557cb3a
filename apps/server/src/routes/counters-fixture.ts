/**
 * Test fixture: an `iptables-save -c` dump in a cut-down kube-proxy layout, ns1/svc1 with two
 * endpoints and ns3/svc3 with none (a filter REJECT), its counters set from `c`. Two of these with
 * different counts are two saves of one node's rules some time apart.
 */
export function countersDump(c: { svc: number; sep1: number; sep2: number; reject: number }, counters = true): string {
  const n = (p: number) => (counters ? `[${p}:${p * 60}] ` : '');
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

