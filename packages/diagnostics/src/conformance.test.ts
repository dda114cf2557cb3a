import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRuleset } from '@svcpath/ruleset';
import { describe, expect, it } from 'vitest';
// kube-proxy's TestOverallIPTablesRules cluster, rebuilt as API objects by kube-proxy-sim's golden test.
import { overallEndpointSlices, overallServices } from '../../kube-proxy-sim/src/overall-rules.fixture';
import { diagnose } from './diagnose';

// kube-proxy's own expected dumps (packages/tracer/src/fixtures/kube-proxy-conformance, Apache-2.0).
const DIR = join(import.meta.dirname, '../../tracer/src/fixtures/kube-proxy-conformance');
const load = (c: string, f: string) => loadRuleset([{ name: `${c}/${f}`, text: readFileSync(join(DIR, c, f), 'utf8') }]).ruleset!;
const NODE_IPS = ['192.168.0.2', '192.168.1.2', '192.168.99.11'];

/** What these dumps truly hold; anything else the doctor says about them is a false alarm. */
const TRUE_FINDINGS = [
  ['SVC_NO_ENDPOINTS', 'critical', 'ns6/svc6:p80'], // svc6 has no endpoints: kube-proxy REJECTs it
  ['AFFINITY_SINGLE_ENDPOINT', 'info', 'ns5/svc5:p80'], // ClientIP affinity, one endpoint
];

describe('doctor on kube-proxy\'s conformance dumps: no false alarms', () => {
  it.each([
    { c: 'iptables-TestOverallIPTablesRules', expected: TRUE_FINDINGS },
    // TestTracePacket's svc5 has no affinity rules.
    { c: 'iptables-TestTracePacket', expected: TRUE_FINDINGS.slice(0, 1) },
  ])('$c, rules only', ({ c, expected }) => {
    const d = diagnose({ ruleset: load(c, 'iptables-save.txt'), nodeName: 'test-node', nodeIPs: NODE_IPS });
    expect(d.findings.map((f) => [f.code, f.severity, f.service])).toEqual(expected);
  });

  it('TestOverallIPTablesRules against its own cluster state', () => {
    const d = diagnose({
      ruleset: load('iptables-TestOverallIPTablesRules', 'iptables-save.txt'),
      clusterState: { services: overallServices, endpointSlices: overallEndpointSlices },
      nodeName: 'test-node',
      nodeIPs: NODE_IPS,
      sysctls: { 'net.ipv4.conf.all.route_localnet': '1' },
    });
    // svc2 is a LoadBalancer with eTP Local and no endpoint on test-node: true, and expected (info).
    expect(d.findings.map((f) => [f.code, f.severity, f.service])).toEqual([...TRUE_FINDINGS.slice(0, 1), ['POLICY_EXTERNAL_NO_LOCAL', 'info', 'ns2/svc2:p80'], ['AFFINITY_SINGLE_ENDPOINT', 'info', 'ns5/svc5:p80']]);
  });

  it('TestBadIPs and the nftables dump raise nothing critical or warning', () => {
    for (const rs of [load('iptables-TestBadIPs', 'iptables-save.txt'), load('nftables-TestOverallNFTablesRules', 'nft-ruleset.txt')]) {
      const d = diagnose({ ruleset: rs, nodeName: 'test-node', nodeIPs: NODE_IPS });
      expect(d.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    }
  });
});
