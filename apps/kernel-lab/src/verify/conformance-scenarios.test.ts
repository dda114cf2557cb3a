/**
 * kube-proxy's own iptables test dumps (Apache-2.0, packages/tracer/src/fixtures/kube-proxy-conformance)
 * in the kernel. The kernel refuses them as they are, so the test makes the smallest changes that
 * let iptables-restore take them, each named here: nfacct matches removed (their kernel objects do
 * not exist), TestTracePacket's unquoted multi-word comments quoted, and for TestOverallIPTablesRules
 * kube-proxy's standard jumps from the built-in chains added — the same jumps the tracer says it
 * assumes for that partial dump. Then kube-proxy's flows and ours are probed with real connections.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromIptables, type Ruleset } from '@svcpath/ruleset';
import { restorableDump } from '../restorable-dump';
import { parseIptablesSave } from '@svcpath/parse-iptables';
import { createLab } from '../lab';
import { labAvailable } from '../lab-available';
import type { Lab } from '../lab-types';
import { checkFlow, describeCheck, type Flow } from './compare-trace';

const FIX = join(import.meta.dirname, '../../../../packages/tracer/src/fixtures/kube-proxy-conformance');
const NODE_IPS = ['192.168.0.2', '192.168.1.2', '192.168.99.11'];
const CLIENTS = ['10.0.0.2', '203.0.113.2', '203.0.113.130'];

const cases: { name: string; dump: string; flows: Flow[] }[] = [
  {
    name: 'TestTracePacket',
    dump: 'iptables-TestTracePacket/iptables-save.txt',
    flows: [
      { name: 'no match', src: '10.0.0.2', dst: '10.0.0.3', dport: 80, proto: 'tcp', tries: 30 },
      { name: 'single endpoint', src: '10.0.0.2', dst: '172.30.0.41', dport: 80, proto: 'tcp' },
      { name: 'multiple endpoints', src: '10.0.0.2', dst: '172.30.0.44', dport: 80, proto: 'tcp' },
      { name: 'LOCAL, KUBE-MARK-MASQ', src: '192.168.0.2', dst: '192.168.99.22', dport: 80, proto: 'tcp', fromNode: true },
      { name: 'DROP', src: '203.0.113.2', dst: '192.168.99.22', dport: 80, proto: 'tcp' },
      { name: 'REJECT', src: '10.0.0.2', dst: '172.30.0.46', dport: 80, proto: 'tcp' },
    ],
  },
  {
    name: 'TestOverallIPTablesRules',
    dump: 'iptables-TestOverallIPTablesRules/iptables-save.txt',
    flows: [
      { name: 'off-cluster source to ClusterIP', src: '203.0.113.2', dst: '172.30.0.41', dport: 80, proto: 'tcp' },
      { name: 'LB source range allows', src: '203.0.113.2', dst: '5.6.7.8', dport: 80, proto: 'tcp' },
      { name: 'LB source range blocks', src: '203.0.113.130', dst: '5.6.7.8', dport: 80, proto: 'tcp' },
      { name: 'eTP Local NodePort without local endpoints', src: '203.0.113.2', dst: '192.168.0.2', dport: 3001, proto: 'tcp' },
      { name: 'NodePort on a second node IP', src: '203.0.113.2', dst: '192.168.1.2', dport: 3003, proto: 'tcp' },
      { name: 'external IP, two endpoints', src: '203.0.113.2', dst: '192.168.99.33', dport: 80, proto: 'tcp' },
      { name: 'no endpoints', src: '10.0.0.2', dst: '172.30.0.46', dport: 80, proto: 'tcp' },
    ],
  },
];

const available = await labAvailable();

for (const c of cases) {
  describe.skipIf(!available.ok)(`kernel-verified: kube-proxy's ${c.name} dump${available.ok ? '' : ` (skipped: ${available.why})`}`, () => {
    let lab: Lab;
    let rs: Ruleset;
    beforeAll(async () => {
      const text = restorableDump(c.dump, readFileSync(join(FIX, c.dump), 'utf8')).text;
      const endpoints = [1, 2, 3, 4, 5].map((i) => ({ ip: `10.180.0.${i}`, port: 80, proto: 'tcp' as const }));
      lab = await createLab({ nodeIPs: NODE_IPS, clientIPs: CLIENTS, endpoints }, { name: c.name.slice(4, 12).toLowerCase() });
      await lab.restoreIptables(text);
      // Trace what the kernel holds: the dump as iptables-save prints it back.
      rs = fromIptables(parseIptablesSave(await lab.saveIptables(), { file: c.dump }).dump);
    }, 120_000);
    afterAll(async () => lab?.destroy());
    for (const flow of c.flows) {
      it(flow.name, async () => {
        const check = await checkFlow(lab, rs, flow, { nodeIPs: NODE_IPS, masqueradeSource: NODE_IPS[0]! });
        expect(check.mismatches, describeCheck(check)).toEqual([]);
      }, 60_000);
    }
  });
}
