import { generateScaleCluster, renderIptablesSave } from '@svcpath/kube-proxy-sim';
import { loadRuleset } from '@svcpath/ruleset';
import { describe, expect, it } from 'vitest';
import { diagnose } from './diagnose';

// The generator behind the 10,000-Service benchmark dump (scripts/bench), at a size a unit test can
// afford: the same shapes — ClusterIP/NodePort/LoadBalancer, eTP Local on a third of the external
// ones, ClientIP affinity, source ranges, 3% of Services without endpoints.
const cluster = generateScaleCluster({ services: 400, endpointsPerService: 10, seed: 1 });
const ruleset = loadRuleset([{ name: 'scale-iptables-save.txt', text: renderIptablesSave(cluster, { nodeName: cluster.nodeName, clusterCIDR: cluster.clusterCIDR }) }]).ruleset!;
const nodeIPs = cluster.nodes.find((n) => n.metadata.name === cluster.nodeName)!.status!.addresses!.map((a) => a.address);
const withSlices = new Set(cluster.endpointSlices.map((s) => `${s.metadata.namespace}/${s.metadata.labels?.['kubernetes.io/service-name']}`));
const local = new Set(cluster.services.filter((s) => s.spec.externalTrafficPolicy === 'Local').map((s) => `${s.metadata.namespace}/${s.metadata.name}`));
const svcOf = (name: string | undefined) => name?.split(':')[0] ?? '';

describe('doctor on the generated scale cluster: only what it is built to hold', () => {
  it.each([
    ['rules only', undefined],
    ['with the cluster state', { services: cluster.services, endpointSlices: cluster.endpointSlices, nodes: cluster.nodes }],
  ])('%s', (_, clusterState) => {
    const d = diagnose({ ruleset, nodeName: cluster.nodeName, nodeIPs, ...(clusterState ? { clusterState } : {}) });
    const loud = d.findings.filter((f) => f.severity !== 'info');
    // Services the generator left without endpoints, and eTP Local ones where this node has none: true.
    const unexplained = loud.filter((f) => !(f.code === 'SVC_NO_ENDPOINTS' && !withSlices.has(svcOf(f.service))) && !(f.code === 'POLICY_EXTERNAL_NO_LOCAL' && local.has(svcOf(f.service))));
    expect(unexplained.map((f) => [f.code, f.service])).toEqual([]);
    expect(loud.some((f) => f.code === 'SVC_NO_ENDPOINTS')).toBe(true);
  });
});
