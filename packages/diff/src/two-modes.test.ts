/**
 * One cluster rendered by @svcpath/kube-proxy-sim in both modes (kube-proxy's TestOverall*Rules
 * cluster plus a second node address), diffed: only what the modes really do differently shows.
 */
import { describe, expect, it } from 'vitest';
import { renderIptablesSave, renderNftablesTransaction } from '@svcpath/kube-proxy-sim';
import { loadRuleset } from '@svcpath/ruleset';
import { overallEndpointSlices, overallServices } from '../../kube-proxy-sim/src/overall-rules.fixture';
import { describeChange } from './describe-change';
import { diffRulesets } from './diff-rulesets';
import type { DiffSide } from './model';

const state = { services: overallServices, endpointSlices: overallEndpointSlices };
const NODE_IPS = ['192.168.0.2', '192.168.1.2'];
const common = { nodeName: 'test-node', nodeIPs: NODE_IPS, clusterCIDR: '10.0.0.0/8' };
const load = (label: string, text: string): DiffSide => ({ label, ruleset: loadRuleset([{ name: label, text }]).ruleset!, nodeIPs: NODE_IPS });

describe('one cluster, two modes', () => {
  const iptables = load('iptables-save.txt', renderIptablesSave(state, { ...common, randomFully: false }));
  const nftables = load('nft.txt', renderNftablesTransaction(state, { ...common, serviceCIDRs: ['172.30.0.0/16'] }));

  it('each mode diffed with itself: nothing', () => {
    expect(diffRulesets(nftables, nftables).servicePorts).toEqual([]);
    expect(diffRulesets(iptables, iptables).servicePorts).toEqual([]);
  });

  it('iptables → nftables: NodePorts stop answering on 127.0.0.1 and on non-primary node addresses, nothing else', () => {
    const r = diffRulesets(iptables, nftables);
    const lines = r.servicePorts.flatMap((p) => p.changes.map((c) => `${p.portName}: ${describeChange(c)}`));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/node-port (127\.0\.0\.1|192\.168\.1\.2):\d+\/tcp/);
    expect(lines).toContain('ns3/svc3:p80: node-port 127.0.0.1:3003/tcp from the node (127.0.0.1): DNAT to 1 endpoint → not translated (ACCEPT to the node)');
    expect(r.node).toEqual([]);
  });
});
