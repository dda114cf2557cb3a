/**
 * Self-test of the harness against the real kernel: a hand-written dump with one verdict of each
 * kind, and the lab must report each one. Runs for real here (CI is root); skips elsewhere with the
 * reason labAvailable gives.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab } from './lab';
import { labAvailable } from './lab-available';
import type { Lab, LabProto, LabSpec } from './lab-types';
import { summarize } from './outcome';
import { CommandFailedError } from './run-command';
import { withinTolerance } from './tolerance';

const NODE = '10.0.0.1';
const POD_CLIENT = '10.244.1.7'; // a Pod on another node: inside the cluster CIDR, not masqueraded
const EXTERNAL = '192.0.2.9'; // an external host: marked, then masqueraded to the node IP
const EP_A = '10.1.0.5';
const EP_B = '10.1.0.6';

const spec: LabSpec = {
  nodeIPs: [NODE, '10.0.0.2'],
  clientIPs: [POD_CLIENT, EXTERNAL],
  endpoints: [EP_A, EP_B].flatMap((ip) => [
    { ip, port: 80, proto: 'tcp' as const },
    { ip, port: 53, proto: 'udp' as const },
  ]),
  nodeListeners: [{ ip: NODE, port: 10256, proto: 'tcp' }],
};

// Hand-written for this test, shaped like kube-proxy's iptables mode (KUBE-SERVICES → KUBE-SVC-* →
// KUBE-SEP-*, KUBE-MARK-MASQ's 0x4000 mark, KUBE-POSTROUTING) with short chain names.
//   172.30.0.10 tcp/80, udp/53  two endpoints, --probability 0.5 then fall-through
//   172.30.0.11                 filter REJECT (default: icmp-port-unreachable)
//   172.30.0.12                 filter DROP
//   172.30.0.13                 filter REJECT --reject-with icmp-host-prohibited
//   172.30.0.20 tcp/80          ClientIP affinity (recent lists), two endpoints
//   anything else               no rule: routed out of the node untranslated
const DUMP = `# hand-written kernel-lab self-test dump
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:LAB-SERVICES - [0:0]
:LAB-MARK-MASQ - [0:0]
:LAB-POSTROUTING - [0:0]
:LAB-SVC-WEB - [0:0]
:LAB-SVC-DNS - [0:0]
:LAB-SVC-STICKY - [0:0]
:LAB-SEP-A - [0:0]
:LAB-SEP-B - [0:0]
:LAB-SEP-DNS-A - [0:0]
:LAB-SEP-DNS-B - [0:0]
:LAB-SEP-STICKY-A - [0:0]
:LAB-SEP-STICKY-B - [0:0]
-A PREROUTING -j LAB-SERVICES
-A OUTPUT -j LAB-SERVICES
-A POSTROUTING -j LAB-POSTROUTING
-A LAB-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
-A LAB-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A LAB-POSTROUTING -j MARK --set-xmark 0x4000/0x0
-A LAB-POSTROUTING -m comment --comment "masquerade marked traffic" -j MASQUERADE
-A LAB-SERVICES -d 172.30.0.10/32 -p tcp -m tcp --dport 80 -j LAB-SVC-WEB
-A LAB-SERVICES -d 172.30.0.10/32 -p udp -m udp --dport 53 -j LAB-SVC-DNS
-A LAB-SERVICES -d 172.30.0.20/32 -p tcp -m tcp --dport 80 -j LAB-SVC-STICKY
-A LAB-SVC-WEB ! -s 10.244.0.0/16 -j LAB-MARK-MASQ
-A LAB-SVC-WEB -m statistic --mode random --probability 0.50000000000 -j LAB-SEP-A
-A LAB-SVC-WEB -j LAB-SEP-B
-A LAB-SEP-A -p tcp -m tcp -j DNAT --to-destination ${EP_A}:80
-A LAB-SEP-B -p tcp -m tcp -j DNAT --to-destination ${EP_B}:80
-A LAB-SVC-DNS -m statistic --mode random --probability 0.50000000000 -j LAB-SEP-DNS-A
-A LAB-SVC-DNS -j LAB-SEP-DNS-B
-A LAB-SEP-DNS-A -p udp -m udp -j DNAT --to-destination ${EP_A}:53
-A LAB-SEP-DNS-B -p udp -m udp -j DNAT --to-destination ${EP_B}:53
-A LAB-SVC-STICKY -m recent --rcheck --seconds 10800 --reap --name LAB-SEP-STICKY-A --mask 255.255.255.255 --rsource -j LAB-SEP-STICKY-A
-A LAB-SVC-STICKY -m recent --rcheck --seconds 10800 --reap --name LAB-SEP-STICKY-B --mask 255.255.255.255 --rsource -j LAB-SEP-STICKY-B
-A LAB-SVC-STICKY -m statistic --mode random --probability 0.50000000000 -j LAB-SEP-STICKY-A
-A LAB-SVC-STICKY -j LAB-SEP-STICKY-B
-A LAB-SEP-STICKY-A -p tcp -m recent --set --name LAB-SEP-STICKY-A --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination ${EP_A}:80
-A LAB-SEP-STICKY-B -p tcp -m recent --set --name LAB-SEP-STICKY-B --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination ${EP_B}:80
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:LAB-FILTER - [0:0]
-A INPUT -j LAB-FILTER
-A FORWARD -j LAB-FILTER
-A OUTPUT -j LAB-FILTER
-A LAB-FILTER -d 172.30.0.11/32 -j REJECT
-A LAB-FILTER -d 172.30.0.12/32 -j DROP
-A LAB-FILTER -d 172.30.0.13/32 -j REJECT --reject-with icmp-host-prohibited
COMMIT
`;

/** A packet-flow case: `expected` maps outcome keys (with peer) to their predicted share. */
interface FlowCase {
  name: string;
  sourceIP: string;
  destIP: string;
  destPort: number;
  protocol: LabProto;
  fromNode?: boolean;
  tries: number;
  expected: Record<string, number>;
}

const split = (port: number, peer: string): Record<string, number> => ({
  [`DNAT ${EP_A}:${port} from ${peer}`]: 0.5,
  [`DNAT ${EP_B}:${port} from ${peer}`]: 0.5,
});

const flows: FlowCase[] = [
  {
    name: 'Pod → ClusterIP tcp splits 50/50, source kept',
    sourceIP: POD_CLIENT,
    destIP: '172.30.0.10',
    destPort: 80,
    protocol: 'tcp',
    tries: 150,
    expected: split(80, POD_CLIENT),
  },
  {
    name: 'external → ClusterIP tcp splits 50/50, masqueraded',
    sourceIP: EXTERNAL,
    destIP: '172.30.0.10',
    destPort: 80,
    protocol: 'tcp',
    tries: 150,
    expected: split(80, NODE),
  },
  {
    name: 'Pod → ClusterIP udp splits 50/50',
    sourceIP: POD_CLIENT,
    destIP: '172.30.0.10',
    destPort: 53,
    protocol: 'udp',
    tries: 150,
    expected: split(53, POD_CLIENT),
  },
  {
    name: 'node → ClusterIP tcp splits 50/50 (OUTPUT hook)',
    sourceIP: NODE,
    fromNode: true,
    destIP: '172.30.0.10',
    destPort: 80,
    protocol: 'tcp',
    tries: 150,
    expected: split(80, NODE),
  },
  {
    name: 'REJECT tcp',
    sourceIP: POD_CLIENT,
    destIP: '172.30.0.11',
    destPort: 80,
    protocol: 'tcp',
    tries: 20,
    expected: { REJECT: 1 },
  },
  {
    name: 'REJECT udp',
    sourceIP: POD_CLIENT,
    destIP: '172.30.0.11',
    destPort: 53,
    protocol: 'udp',
    tries: 20,
    expected: { REJECT: 1 },
  },
  {
    name: 'REJECT from the node, udp (EPERM, then the ICMP error)',
    sourceIP: NODE,
    fromNode: true,
    destIP: '172.30.0.11',
    destPort: 53,
    protocol: 'udp',
    tries: 20,
    expected: { REJECT: 1 },
  },
  {
    name: 'REJECT icmp-host-prohibited',
    sourceIP: EXTERNAL,
    destIP: '172.30.0.13',
    destPort: 80,
    protocol: 'tcp',
    tries: 20,
    expected: { 'UNREACHABLE EHOSTUNREACH': 1 },
  },
  {
    name: 'DROP tcp',
    sourceIP: POD_CLIENT,
    destIP: '172.30.0.12',
    destPort: 80,
    protocol: 'tcp',
    tries: 150,
    expected: { DROP: 1 },
  },
  {
    name: 'DROP udp from the node',
    sourceIP: NODE,
    fromNode: true,
    destIP: '172.30.0.12',
    destPort: 53,
    protocol: 'udp',
    tries: 20,
    expected: { DROP: 1 },
  },
  {
    name: 'no rule: forwarded untranslated, tcp',
    sourceIP: POD_CLIENT,
    destIP: '172.30.0.99',
    destPort: 80,
    protocol: 'tcp',
    tries: 20,
    expected: { FORWARD: 1 },
  },
  {
    name: 'no rule: forwarded untranslated, udp from the node',
    sourceIP: NODE,
    fromNode: true,
    destIP: '172.30.0.99',
    destPort: 53,
    protocol: 'udp',
    tries: 20,
    expected: { FORWARD: 1 },
  },
  {
    name: 'node listener (health-check port)',
    sourceIP: EXTERNAL,
    destIP: NODE,
    destPort: 10256,
    protocol: 'tcp',
    tries: 20,
    expected: { [`LOCAL ${NODE}:10256 from ${EXTERNAL}`]: 1 },
  },
];

const available = await labAvailable();

describe.skipIf(!available.ok)(
  `kernel lab self-test${available.ok ? '' : ` (skipped: ${available.why})`}`,
  () => {
    let lab: Lab;
    beforeAll(async () => {
      const started = Date.now();
      lab = await createLab(spec, { name: 'selftest' });
      await lab.restoreIptables(DUMP);
      console.log(`kernel-lab: lab up and dump restored in ${Date.now() - started} ms`);
    });
    afterAll(async () => {
      await lab?.destroy();
    });

    it.each(flows)('$name', async (flow) => {
      const started = Date.now();
      const results = await lab.probe({
        src: flow.sourceIP,
        dst: flow.destIP,
        dport: flow.destPort,
        proto: flow.protocol,
        fromNode: flow.fromNode,
        tries: flow.tries,
      });
      const observed = summarize(results, { withPeer: true });
      console.log(`kernel-lab: ${flow.name}: ${JSON.stringify([...observed])} in ${Date.now() - started} ms`);
      expect(results).toHaveLength(flow.tries);
      expect([...observed.keys()].filter((k) => !(k in flow.expected))).toEqual([]);
      for (const [key, p] of Object.entries(flow.expected)) {
        const count = observed.get(key) ?? 0;
        expect(
          withinTolerance(count, flow.tries, p),
          `${key}: ${count}/${flow.tries} vs predicted ${p}`,
        ).toBe(true);
      }
    });

    it('ClientIP affinity sticks for a returning client, and clearing recent lists samples afresh', async () => {
      await lab.clearRecent();
      const sticky = { src: POD_CLIENT, dst: '172.30.0.20', dport: 80, proto: 'tcp' as const, tries: 40 };
      expect(summarize(await lab.probe(sticky)).size).toBe(1);
      const fresh = summarize(
        await lab.probe({ ...sticky, clearRecentEachTry: true, flushConntrackEachTry: true }),
      );
      expect(fresh.size).toBe(2);
      for (const count of fresh.values()) expect(withinTolerance(count, 40, 0.5)).toBe(true);
    });

    it('counts MASQUERADE in iptables-save -c for external clients only', async () => {
      const masqueraded = async (): Promise<number> => {
        const line = (await lab.saveIptables()).split('\n').find((l) => l.includes('-j MASQUERADE'));
        return Number(/^\[(\d+):/.exec(line ?? '')?.[1]);
      };
      const before = await masqueraded();
      await lab.probe({ src: POD_CLIENT, dst: '172.30.0.10', dport: 80, proto: 'tcp', tries: 5 });
      expect(await masqueraded()).toBe(before);
      await lab.probe({ src: EXTERNAL, dst: '172.30.0.10', dport: 80, proto: 'tcp', tries: 5 });
      expect(await masqueraded()).toBe(before + 5); // NAT rules see the first packet of each connection
    });

    it('restores an nftables ruleset beside the iptables one', async () => {
      await lab.restoreNft(
        [
          'table ip lab {',
          '  chain pre {',
          '    type nat hook prerouting priority dstnat;',
          `    ip daddr 172.30.0.50 tcp dport 80 dnat to ${EP_B}:80`,
          '  }',
          '}',
          '',
        ].join('\n'),
      );
      expect([
        ...summarize(
          await lab.probe({ src: POD_CLIENT, dst: '172.30.0.50', dport: 80, proto: 'tcp', tries: 10 }),
        ),
      ]).toEqual([[`DNAT ${EP_B}:80`, 10]]);
    });

    it('throws with the kernel’s complaint when a dump is refused (REJECT in nat)', async () => {
      const bad = '*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -d 172.30.0.11/32 -j REJECT\nCOMMIT\n';
      const err = await lab.restoreIptables(bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CommandFailedError);
      expect((err as CommandFailedError).stderr).toMatch(/line 3|Invalid argument|REJECT/i);
    });
  },
);

describe.skipIf(!available.ok)('lab lifecycle', () => {
  const labNamespaces = (): string[] =>
    execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '')
      .filter((n) => n.startsWith('svcpath-lab-lifecycle-'));

  it('destroy deletes the namespaces and can be called twice', async () => {
    const lab = await createLab(
      { nodeIPs: [NODE], clientIPs: [POD_CLIENT], endpoints: [] },
      { name: 'lifecycle' },
    );
    expect(labNamespaces()).toEqual(
      expect.arrayContaining([lab.names.client, lab.names.node, lab.names.pods]),
    );
    await lab.destroy();
    await lab.destroy();
    expect(labNamespaces().filter((n) => n.startsWith(lab.names.node.slice(0, -2)))).toEqual([]);
    await expect(lab.probe({ src: POD_CLIENT, dst: NODE, dport: 1, proto: 'tcp', tries: 1 })).rejects.toThrow(
      /not running/,
    );
  });

  it('a failed create leaves nothing behind', async () => {
    const before = labNamespaces();
    // Two TCP listeners on the same port, one of them wildcard: the second bind fails in the agent.
    const clash: LabSpec = {
      nodeIPs: [NODE],
      clientIPs: [POD_CLIENT],
      endpoints: [],
      nodeListeners: [
        { ip: '0.0.0.0', port: 10256, proto: 'tcp' },
        { ip: NODE, port: 10256, proto: 'tcp' },
      ],
    };
    await expect(createLab(clash, { name: 'lifecycle' })).rejects.toThrow(/10256/);
    expect(labNamespaces()).toEqual(before);
  });
});
