/**
 * Migration previews of kube-proxy's TestOverall*Rules cluster (rendered by @svcpath/kube-proxy-sim)
 * on a node with two addresses: every flow that changes, grouped by the cause kube-proxy documents.
 */
import { describe, expect, it } from 'vitest';
import { renderIptablesSave, renderNftablesTransaction } from '@svcpath/kube-proxy-sim';
import { loadRuleset } from '@svcpath/ruleset';
import { overallEndpointSlices, overallServices } from '../../kube-proxy-sim/src/overall-rules.fixture';
import { describeProbe } from './probes';
import { formatMigrationPreview } from './format-migration';
import { migrationPreview } from './migration-preview';
import type { DiffSide } from './model';

const state = { services: overallServices, endpointSlices: overallEndpointSlices };
const NODE_IPS = ['192.168.0.2', '192.168.1.2'];
const common = { nodeName: 'test-node', nodeIPs: NODE_IPS, clusterCIDR: '10.0.0.0/8' };
const load = (label: string, text: string): DiffSide => ({ label, ruleset: loadRuleset([{ name: label, text }]).ruleset!, nodeIPs: NODE_IPS });
const iptables = load('iptables-save.txt', renderIptablesSave(state, common));
const nftables = load('nft.txt', renderNftablesTransaction(state, { ...common, serviceCIDRs: ['172.30.0.0/16'] }));

describe('migrationPreview', () => {
  it('iptables → nftables: localhost NodePorts, non-primary NodePort addresses, wrong ClusterIP ports — nothing else', () => {
    const p = migrationPreview({ current: iptables, target: nftables, to: 'nftables', baseline: iptables });
    const by = Object.fromEntries(p.groups.map((g) => [g.cause, g.flows.map((f) => `${f.portName} ${describeProbe(f.probe)}: ${f.before} → ${f.after}`)]));
    expect(Object.keys(by).sort()).toEqual(['clusterip-wrong-port', 'localhost-nodeports', 'nodeport-addresses']);
    expect(by['localhost-nodeports']).toContain('ns3/svc3:p80 node-port 127.0.0.1:3003/tcp from the node (127.0.0.1): DNAT to 1 endpoint, masqueraded → not translated (ACCEPT to the node)');
    expect(by['nodeport-addresses']).toContain('ns3/svc3:p80 node-port 192.168.1.2:3003/tcp from outside (203.0.113.10): DNAT to 1 endpoint, masqueraded → not translated (ACCEPT to the node)');
    expect(by['nodeport-addresses']!.every((f) => f.includes('192.168.1.2'))).toBe(true);
    expect(by['clusterip-wrong-port']).toContain('ns1/svc1:p80 wrong-port 172.30.0.41:81/tcp from a Pod (10.180.0.2): not translated (ACCEPT and forwarded) → REJECT');
    expect(p.groups.find((g) => g.cause === 'nodeport-addresses')!.option).toBe('--nodeport-addresses');
    expect(p.changed).toBeLessThan(p.traced);
  });

  it('nftables → iptables reads the other way round', () => {
    const p = migrationPreview({ current: nftables, target: iptables, to: 'iptables', baseline: nftables });
    expect(p.groups.map((g) => g.title).sort()).toEqual([
      'A ClusterIP on a port the Service does not define is no longer rejected',
      'NodePorts answer on every local address',
      'NodePorts start answering on 127.0.0.1',
    ]);
  });

  it('drift: a node whose rules are not what kube-proxy would program is named as such', () => {
    const stale = load('stale.txt', renderIptablesSave({ ...state, endpointSlices: overallEndpointSlices.slice(1) }, common));
    const p = migrationPreview({ current: stale, target: nftables, to: 'nftables', baseline: iptables });
    expect(p.groups.find((g) => g.cause === 'drift')!.flows.map((f) => f.portName)).toContain('ns1/svc1:p80');
  });

  it('prints Markdown with the cause, the option and the reference', () => {
    const md = formatMigrationPreview(migrationPreview({ current: iptables, target: nftables, to: 'nftables', baseline: iptables }), true);
    expect(md).toContain('## Migration preview: iptables → nftables');
    expect(md).toContain('### NodePorts no longer answer on 127.0.0.1');
    expect(md).toContain('See: https://kubernetes.io/docs/reference/networking/virtual-ips/#migrating-from-iptables-mode-to-nftables');
  });
});
