import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIP } from '@svcpath/netaddr';
import { parseIptablesSave } from '@svcpath/parse-iptables';
import { fromIptables } from '@svcpath/ruleset';
import { recentForReturningClient, trace, type L4Proto, type TraceResult } from './index';

const NODE = '192.168.0.2';

function rsOf(dump: string) {
  const r = parseIptablesSave(dump, { file: 'case.txt' });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return fromIptables(r.dump, { assumeHookJumps: false });
}

function run(dump: string, src: string, dst: string, dport: number, proto: L4Proto = 'tcp', extra: { inIface?: string } = {}): TraceResult {
  return trace(rsOf(dump), { src: parseIP(src)!, dst: parseIP(dst)!, dport, proto, ...extra }, { localAddresses: [parseIP(NODE)!] });
}

const summary = (r: TraceResult) =>
  r.outcomes.map((o) => `${o.probability.toFixed(4)} ${o.verdict}${o.destination ? ` ${o.destination}` : ''}${o.masquerade ? ' masq' : ''}`).sort();

/** Named packet cases in the style of kube-proxy's packet-flow tests, each a netfilter behaviour. */
describe('netfilter semantics', () => {
  it('three-endpoint ladder: kube-proxy probabilities become equal thirds', () => {
    const dump = `*nat
:PREROUTING ACCEPT [0:0]
:S - [0:0]
-A PREROUTING -d 172.30.0.1/32 -p tcp -m tcp --dport 80 -j S
-A S -m statistic --mode random --probability 0.33333333349 -j DNAT --to-destination 10.0.0.1:80
-A S -m statistic --mode random --probability 0.50000000000 -j DNAT --to-destination 10.0.0.2:80
-A S -j DNAT --to-destination 10.0.0.3:80
COMMIT
`;
    const r = run(dump, '10.1.0.9', '172.30.0.1', 80);
    const p = Object.fromEntries(r.outcomes.map((o) => [o.destination, o.probability]));
    expect(p['10.0.0.1:80']).toBeCloseTo(1 / 3, 9);
    expect(p['10.0.0.2:80']).toBeCloseTo(1 / 3, 9);
    expect(p['10.0.0.3:80']).toBeCloseTo(1 / 3, 9);
    expect(r.outcomes.map((o) => o.rulesEvaluated).sort()).toEqual([2, 3, 4]);
  });

  it('goto returns to the caller of the chain that jumped, RETURN to the caller', () => {
    const dump = `*filter
:FORWARD ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
-A FORWARD -j A
-A FORWARD -j DROP
-A A -g B
-A A -j REJECT
-A B -s 10.9.0.0/16 -j RETURN
-A B -j ACCEPT
COMMIT
`;
    expect(summary(run(dump, '10.9.0.1', '10.2.0.1', 80))).toEqual(['1.0000 DROP']);
    expect(summary(run(dump, '10.8.0.1', '10.2.0.1', 80))).toEqual(['1.0000 ACCEPT']);
  });

  it('a built-in chain policy DROP decides when no rule does, and is on the path', () => {
    const dump = `*filter
:FORWARD DROP [0:0]
-A FORWARD -d 10.2.0.0/16 -j ACCEPT
COMMIT
`;
    const r = run(dump, '10.1.0.1', '10.3.0.1', 80);
    expect(summary(r)).toEqual(['1.0000 DROP']);
    expect(r.outcomes[0]!.path.at(-1)).toMatchObject({ chain: 'FORWARD', rule: 0, action: 'policy DROP' });
  });

  it('filter sees the DNATed destination and conntrack state DNAT', () => {
    const dump = `*nat
:PREROUTING ACCEPT [0:0]
-A PREROUTING -d 172.30.0.1/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080
COMMIT
*filter
:FORWARD DROP [0:0]
-A FORWARD -d 10.0.0.1/32 -p tcp -m tcp --dport 8080 -m conntrack --ctstate DNAT --ctorigdst 172.30.0.1 -j ACCEPT
COMMIT
`;
    expect(summary(run(dump, '10.1.0.1', '172.30.0.1', 80))).toEqual(['1.0000 DNAT 10.0.0.1:8080']);
  });

  it('the mark set in PREROUTING reaches POSTROUTING: masquerade, and the mark is cleared', () => {
    const dump = `*nat
:PREROUTING ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -j MARK --set-xmark 0x4000/0x4000
-A PREROUTING -j DNAT --to-destination 10.0.0.1:80
-A POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A POSTROUTING -j MARK --xor-mark 0x4000
-A POSTROUTING -j MASQUERADE
COMMIT
`;
    const r = run(dump, '10.1.0.1', '172.30.0.1', 80);
    expect(r.outcomes[0]).toMatchObject({ masquerade: true, mark: '0x0', snat: 'MASQUERADE' });
  });

  it('NOTRACK in raw skips every nat table', () => {
    const dump = `*raw
:PREROUTING ACCEPT [0:0]
-A PREROUTING -d 172.30.0.1/32 -j CT --notrack
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
-A PREROUTING -j DNAT --to-destination 10.0.0.1:80
COMMIT
*filter
:FORWARD ACCEPT [0:0]
-A FORWARD -m conntrack --ctstate UNTRACKED -j REJECT
COMMIT
`;
    expect(summary(run(dump, '10.1.0.1', '172.30.0.1', 80))).toEqual(['1.0000 REJECT']);
    expect(summary(run(dump, '10.1.0.1', '172.30.0.2', 80))).toEqual(['1.0000 DNAT 10.0.0.1:80']);
  });

  it('a packet to a node address goes to INPUT, otherwise FORWARD then POSTROUTING', () => {
    const dump = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 22 -j REJECT
-A FORWARD -p tcp -m tcp --dport 22 -j DROP
COMMIT
`;
    expect(summary(run(dump, '10.1.0.1', NODE, 22))).toEqual(['1.0000 REJECT']);
    expect(summary(run(dump, '10.1.0.1', '10.5.0.1', 22))).toEqual(['1.0000 DROP']);
    expect(run(dump, '10.1.0.1', NODE, 80).outcomes[0]!.delivery).toBe('local');
  });

  it('node-originated traffic takes OUTPUT; to itself it comes back through lo without nat', () => {
    const dump = `*nat
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -j DNAT --to-destination 10.9.9.9:1
-A OUTPUT -d 172.30.0.1/32 -j DNAT --to-destination ${NODE}:8080
COMMIT
*filter
:INPUT ACCEPT [0:0]
-A INPUT -i lo -p tcp -m tcp --dport 8080 -j ACCEPT
-A INPUT -j DROP
COMMIT
`;
    const r = run(dump, NODE, '172.30.0.1', 80);
    expect(r.origin).toBe('node');
    expect(summary(r)).toEqual([`1.0000 DNAT ${NODE}:8080`]);
    expect(r.outcomes[0]!.path.map((s) => s.hook)).toEqual(['output', 'input']);
  });

  it('addrtype LOCAL knows the node addresses and all of 127/8', () => {
    const dump = `*nat
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 -j DNAT --to-destination 10.0.0.1:80
-A OUTPUT -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 -j DNAT --to-destination 10.0.0.1:80
COMMIT
`;
    expect(summary(run(dump, '10.1.0.1', NODE, 30080))).toEqual(['1.0000 DNAT 10.0.0.1:80']);
    expect(summary(run(dump, '10.1.0.1', '192.168.0.3', 30080))).toEqual(['1.0000 ACCEPT']);
    expect(summary(run(dump, '127.0.0.1', '127.0.0.53', 30080))).toEqual(['1.0000 DNAT 10.0.0.1:80']);
  });

  it('statistic nth splits by 1/every and says it is a rotation', () => {
    const dump = `*nat
:PREROUTING ACCEPT [0:0]
-A PREROUTING -m statistic --mode nth --every 4 --packet 0 -j DNAT --to-destination 10.0.0.1:80
-A PREROUTING -j DNAT --to-destination 10.0.0.2:80
COMMIT
`;
    const r = run(dump, '10.1.0.1', '172.30.0.1', 80);
    expect(summary(r)).toEqual(['0.2500 DNAT 10.0.0.1:80', '0.7500 DNAT 10.0.0.2:80']);
    expect(r.outcomes[1]!.assumptions[0]).toMatch(/every 4th packet/);
  });

  it('interfaces: wildcard names, and an unknown incoming interface is said', () => {
    const dump = `*filter
:FORWARD ACCEPT [0:0]
-A FORWARD -i cali+ -j DROP
COMMIT
`;
    expect(summary(run(dump, '10.1.0.1', '10.5.0.1', 80, 'tcp', { inIface: 'cali1234' }))).toEqual(['1.0000 DROP']);
    expect(summary(run(dump, '10.1.0.1', '10.5.0.1', 80, 'tcp', { inIface: 'eth0' }))).toEqual(['1.0000 ACCEPT']);
    const unknown = run(dump, '10.1.0.1', '10.5.0.1', 80);
    expect(unknown.outcomes[0]!.assumptions[0]).toMatch(/incoming interface unknown/);
  });

  it('udp and sctp packets do not match tcp rules', () => {
    const dump = `*filter
:FORWARD ACCEPT [0:0]
-A FORWARD -p tcp -m tcp --dport 53 -j DROP
-A FORWARD -p udp -m multiport --dports 53,5353 -j REJECT
COMMIT
`;
    expect(summary(run(dump, '10.1.0.1', '10.5.0.1', 53, 'udp'))).toEqual(['1.0000 REJECT']);
    expect(summary(run(dump, '10.1.0.1', '10.5.0.1', 53, 'sctp'))).toEqual(['1.0000 ACCEPT']);
  });

  it('unknown matches are assumed to match, and the outcome says so', () => {
    const dump = `*filter
:FORWARD ACCEPT [0:0]
-A FORWARD -m frobnicate --x 1 -j DROP
COMMIT
`;
    const r = trace(fromIptables(parseIptablesSave(dump, { file: 'u' }).dump), { src: parseIP('10.0.0.1')!, dst: parseIP('10.0.0.2')!, dport: 1, proto: 'tcp' }, { localAddresses: [] });
    expect(r.outcomes[0]).toMatchObject({ verdict: 'DROP' });
    expect(r.outcomes[0]!.assumptions[0]).toMatch(/unknown match "-m frobnicate --x 1" \(line 3\)/);
  });
});

describe('session affinity (xt_recent)', () => {
  const dump = `*nat
:PREROUTING ACCEPT [0:0]
:SVC - [0:0]
:SEP1 - [0:0]
:SEP2 - [0:0]
-A PREROUTING -d 172.30.0.1/32 -p tcp -m tcp --dport 80 -j SVC
-A SVC -m recent --rcheck --seconds 600 --reap --name SEP1 --mask 255.255.255.255 --rsource -j SEP1
-A SVC -m recent --rcheck --seconds 600 --reap --name SEP2 --mask 255.255.255.255 --rsource -j SEP2
-A SVC -m statistic --mode random --probability 0.5 -j SEP1
-A SVC -j SEP2
-A SEP1 -p tcp -m recent --set --name SEP1 --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.0.0.1:80
-A SEP2 -p tcp -m recent --set --name SEP2 --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.0.0.2:80
COMMIT
`;
  const rs = rsOf(dump);
  const pkt = { src: parseIP('10.1.0.1')!, dst: parseIP('172.30.0.1')!, dport: 80, proto: 'tcp' as const };
  it('a first connection splits and is remembered for the timeout', () => {
    const r = trace(rs, pkt, { localAddresses: [] });
    expect(r.outcomes.map((o) => [o.destination, o.probability, o.affinity])).toEqual([
      ['10.0.0.1:80', 0.5, { seconds: 600, list: 'SEP1' }],
      ['10.0.0.2:80', 0.5, { seconds: 600, list: 'SEP2' }],
    ]);
  });
  it('a returning client goes back to its endpoint with probability 1', () => {
    const r = trace(rs, pkt, { localAddresses: [], recent: recentForReturningClient(rs, pkt.src, '10.0.0.2:80') });
    expect(summary(r)).toEqual(['1.0000 DNAT 10.0.0.2:80']);
  });
  it('after the timeout the client is new again', () => {
    const r = trace(rs, pkt, { localAddresses: [], recent: new Map([['SEP2', [{ addr: pkt.src, ageSeconds: 601 }]]]) });
    expect(r.outcomes).toHaveLength(2);
  });
});

describe('long chains', () => {
  const rules = Array.from({ length: 300 }, (_, i) =>
    i % 3 === 2 ? `-A X -p tcp -m tcp --dport ${1000 + i} -j RETURN` : `-A X -d 10.96.${i >> 8}.${i & 255}/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.${i % 250}:80`,
  );
  const dump = `*nat\n:PREROUTING ACCEPT [0:0]\n:X - [0:0]\n-A PREROUTING -j X\n${rules.join('\n')}\n-A X -j DNAT --to-destination 10.9.9.9:1\nCOMMIT\n`;
  const rs = rsOf(dump);
  it.each([
    ['10.96.0.0', 80, 1 + 1],
    ['10.96.0.150', 80, 1 + 151],
    ['10.96.1.43', 80, 1 + 301],
    ['10.96.0.150', 81, 1 + 301],
    ['10.96.0.99', 80, 1 + 100],
    ['10.1.1.1', 1002, 1 + 3],
  ])('counts every rule the kernel evaluates for %s:%d (the skip index is invisible)', (dst, dport, expected) => {
    const r = trace(rs, { src: parseIP('10.1.0.1')!, dst: parseIP(dst)!, dport, proto: 'tcp' }, { localAddresses: [] });
    expect(r.outcomes[0]!.rulesEvaluated).toBe(expected);
  });
});

describe('long IPv6 chains', () => {
  const rules = Array.from({ length: 60 }, (_, i) => (i % 3 === 2 ? `-A X -p tcp -m tcp --dport ${1000 + i} -j RETURN` : `-A X -d fd00::${i.toString(16)}/128 -p tcp -m tcp --dport 80 -j ACCEPT`));
  const dump = `*filter\n:INPUT ACCEPT [0:0]\n:X - [0:0]\n-A INPUT -j X\n${rules.join('\n')}\n-A X -d fd00::/64 -j DROP\nCOMMIT\n`;
  const rs = rsOf(dump);
  it.each([
    ['fd00::1e', 80, 1 + 31],
    ['fd00::1f', 80, 1 + 32],
    ['fd00::ffff', 80, 1 + 61],
    ['fd00::1e', 81, 1 + 61],
    ['fd00::5', 1002, 1 + 3],
  ])('counts every rule the kernel evaluates for %s:%d (the skip index is invisible)', (dst, dport, expected) => {
    const r = trace(rs, { src: parseIP('fd00:1::1')!, dst: parseIP(dst)!, dport, proto: 'tcp' }, { localAddresses: [parseIP(dst)!] });
    expect(r.outcomes[0]!.rulesEvaluated).toBe(expected);
  });
});

describe('trace invariants', () => {
  const dump = `*nat
:PREROUTING ACCEPT [0:0]
:L - [0:0]
-A PREROUTING -p tcp -j L
-A L -m statistic --mode random --probability 0.2 -j DNAT --to-destination 10.0.0.1:80
-A L -m statistic --mode random --probability 0.25 -j DNAT --to-destination 10.0.0.2:80
-A L -m statistic --mode random --probability 0.3333333333 -m statistic --mode random --probability 0.5 -j DNAT --to-destination 10.0.0.3:80
-A L -m statistic --mode random --probability 0.5 -j RETURN
COMMIT
*filter
:FORWARD ACCEPT [0:0]
-A FORWARD -m statistic --mode random --probability 0.1 -j DROP
COMMIT
`;
  const rs = rsOf(dump);
  it('probabilities sum to 1 and the same input gives the same outcomes', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV4(), fc.integer({ min: 1, max: 65535 }), fc.constantFrom<L4Proto>('tcp', 'udp', 'sctp'), (s, d, port, proto) => {
        const pkt = { src: parseIP(s)!, dst: parseIP(d)!, dport: port, proto };
        const a = trace(rs, pkt, { localAddresses: [parseIP(NODE)!] });
        const b = trace(rs, pkt, { localAddresses: [parseIP(NODE)!] });
        expect(a.outcomes.reduce((x, o) => x + o.probability, 0)).toBeCloseTo(1, 12);
        expect(b).toEqual(a);
      }),
      { numRuns: 200 },
    );
  });
});
