/**
 * The kernel-verified suite for kube-proxy-sim's nftables renderer: a mixed cluster (ClusterIP,
 * NodePort, LoadBalancer with source ranges, externalTrafficPolicy Local with and without a local
 * endpoint, session affinity, no endpoints) rendered as the `nft -f` transaction kube-proxy's
 * nftables proxier would run on node-a, loaded into a node namespace of our own, and probed with
 * real connections. The tracer reads the same transaction; every flow's observed outcomes must be
 * its predicted ones, in the predicted shares, from the predicted source address. The flows that
 * `svcpath migrate-preview` reports as mode differences are here too (NodePorts on 127.0.0.1 and on
 * a non-primary address, a wrong ClusterIP port). Traffic stays inside the lab's namespaces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderNftablesTransaction } from '@svcpath/kube-proxy-sim';
import { loadRuleset, type Ruleset } from '@svcpath/ruleset';
import { createLab } from '../lab';
import { labAvailable } from '../lab-available';
import type { Lab, LabListener } from '../lab-types';
import { endpointSlice, service, type EpSpec, type SvcSpec } from '@svcpath/kube-proxy-sim';
import { checkFlow, describeCheck, type Flow } from './compare-trace';

const NODE = 'node-a';
const NODE_IPS = ['10.0.0.1', '10.0.1.1'];
const POD_ELSEWHERE = '10.244.2.7';
const EXTERNAL = '203.0.113.9';
const BLOCKED = '203.0.113.200';

interface Def {
  svc: SvcSpec;
  eps: EpSpec[];
  target: Record<string, number>;
}
const tcp = (name: string, port: number, extra: { nodePort?: number } = {}) => ({ name, port, protocol: 'TCP' as const, ...extra });

const defs: Def[] = [
  { svc: { ns: 'default', name: 'web', clusterIP: '10.96.0.10', ports: [tcp('http', 80)] }, eps: [{ ip: '10.244.1.10', node: NODE }, { ip: '10.244.3.11', node: 'node-b' }, { ip: '10.244.3.12', node: 'node-b' }], target: { http: 8080 } },
  { svc: { ns: 'kube-system', name: 'dns', clusterIP: '10.96.0.53', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }, eps: [{ ip: '10.244.1.20', node: NODE }, { ip: '10.244.3.21', node: 'node-b' }], target: { dns: 5353 } },
  { svc: { ns: 'shop', name: 'sticky', clusterIP: '10.96.1.1', ports: [tcp('http', 80)], affinitySeconds: 600 }, eps: [{ ip: '10.244.1.30', node: NODE }, { ip: '10.244.3.31', node: 'node-b' }], target: { http: 8080 } },
  { svc: { ns: 'shop', name: 'cart', type: 'NodePort', clusterIP: '10.96.1.2', ports: [tcp('http', 80, { nodePort: 30080 })] }, eps: [{ ip: '10.244.1.40', node: NODE }, { ip: '10.244.3.41', node: 'node-b' }], target: { http: 8080 } },
  {
    svc: { ns: 'shop', name: 'front', type: 'LoadBalancer', clusterIP: '10.96.1.3', ports: [tcp('https', 443, { nodePort: 30443 })], loadBalancerIPs: ['198.51.100.10'], loadBalancerSourceRanges: ['203.0.113.0/25'] },
    eps: [{ ip: '10.244.1.50', node: NODE }, { ip: '10.244.3.51', node: 'node-b' }],
    target: { https: 8443 },
  },
  {
    svc: { ns: 'shop', name: 'local-lb', type: 'LoadBalancer', clusterIP: '10.96.1.4', ports: [tcp('http', 80, { nodePort: 30081 })], loadBalancerIPs: ['198.51.100.11'], externalTrafficPolicy: 'Local', healthCheckNodePort: 32000 },
    eps: [{ ip: '10.244.1.60', node: NODE }, { ip: '10.244.3.61', node: 'node-b' }],
    target: { http: 8080 },
  },
  {
    svc: { ns: 'shop', name: 'remote-only', type: 'LoadBalancer', clusterIP: '10.96.1.5', ports: [tcp('http', 80, { nodePort: 30082 })], loadBalancerIPs: ['198.51.100.12'], externalTrafficPolicy: 'Local', healthCheckNodePort: 32001 },
    eps: [{ ip: '10.244.3.71', node: 'node-b' }],
    target: { http: 8080 },
  },
  { svc: { ns: 'default', name: 'empty', type: 'NodePort', clusterIP: '10.96.2.1', ports: [tcp('http', 80, { nodePort: 30090 })] }, eps: [], target: {} },
];

const flows: Flow[] = [
  { name: 'pod to a 3-endpoint ClusterIP: thirds through numgen, source kept', src: POD_ELSEWHERE, dst: '10.96.0.10', dport: 80, proto: 'tcp' },
  { name: 'off-cluster client to ClusterIP: masqueraded', src: EXTERNAL, dst: '10.96.0.10', dport: 80, proto: 'tcp' },
  { name: 'the node itself to ClusterIP (OUTPUT hook)', src: '10.0.0.1', dst: '10.96.0.10', dport: 80, proto: 'tcp', fromNode: true },
  { name: 'UDP', src: POD_ELSEWHERE, dst: '10.96.0.53', dport: 53, proto: 'udp' },
  // First connections under affinity are not sampled here: the lab clears xt_recent lists between
  // tries, not nft affinity sets, so every try after the first is a returning client.
  { name: 'session affinity: a returning client sticks (affinity sets)', src: POD_ELSEWHERE, dst: '10.96.1.1', dport: 80, proto: 'tcp', returning: true, tries: 60 },
  { name: 'NodePort on the primary node IP: masqueraded', src: EXTERNAL, dst: '10.0.0.1', dport: 30080, proto: 'tcp' },
  { name: 'NodePort on a second node IP: not in nodeport-ips, reaches the node untranslated', src: EXTERNAL, dst: '10.0.1.1', dport: 30080, proto: 'tcp', tries: 30 },
  { name: 'NodePort on 127.0.0.1 from the node: not translated', src: '10.0.0.1', dst: '127.0.0.1', dport: 30080, proto: 'tcp', fromNode: true, tries: 30 },
  { name: 'LoadBalancer IP from an allowed source range', src: EXTERNAL, dst: '198.51.100.10', dport: 443, proto: 'tcp' },
  { name: 'LoadBalancer IP from outside the source ranges: dropped by firewall-check', src: BLOCKED, dst: '198.51.100.10', dport: 443, proto: 'tcp', tries: 20 },
  { name: 'externalTrafficPolicy Local LB: only the local endpoint, source kept', src: EXTERNAL, dst: '198.51.100.11', dport: 80, proto: 'tcp' },
  { name: 'externalTrafficPolicy Local NodePort', src: EXTERNAL, dst: '10.0.0.1', dport: 30081, proto: 'tcp' },
  { name: 'externalTrafficPolicy Local LB from a pod: short-circuited to all endpoints', src: POD_ELSEWHERE, dst: '198.51.100.11', dport: 80, proto: 'tcp' },
  { name: 'eTP Local with no local endpoint: LB dropped', src: EXTERNAL, dst: '198.51.100.12', dport: 80, proto: 'tcp', tries: 20 },
  { name: 'eTP Local with no local endpoint: NodePort dropped', src: EXTERNAL, dst: '10.0.0.1', dport: 30082, proto: 'tcp', tries: 20 },
  { name: 'Service without endpoints: ClusterIP rejected', src: POD_ELSEWHERE, dst: '10.96.2.1', dport: 80, proto: 'tcp', tries: 30 },
  { name: 'Service without endpoints: NodePort rejected', src: EXTERNAL, dst: '10.0.0.1', dport: 30090, proto: 'tcp', tries: 30 },
  { name: 'a port the Service does not have: rejected by cluster-ips-check', src: POD_ELSEWHERE, dst: '10.96.0.10', dport: 81, proto: 'tcp', tries: 30 },
  { name: 'an unallocated address in the service CIDR: dropped', src: POD_ELSEWHERE, dst: '10.96.3.3', dport: 80, proto: 'tcp', tries: 20 },
];

function listeners(): { endpoints: LabListener[]; nodeListeners: LabListener[] } {
  const endpoints = new Map<string, LabListener>();
  // Listeners on the node for what nftables mode leaves untranslated, so "reached the node" is seen as such.
  const nodeListeners: LabListener[] = [
    { ip: '10.0.1.1', port: 30080, proto: 'tcp' },
    { ip: '127.0.0.1', port: 30080, proto: 'tcp' },
  ];
  for (const d of defs)
    for (const e of d.eps)
      for (const p of d.svc.ports) {
        const l: LabListener = { ip: e.ip, port: d.target[p.name]!, proto: p.protocol === 'UDP' ? 'udp' : 'tcp' };
        endpoints.set(`${l.ip}:${l.port}/${l.proto}`, l);
      }
  return { endpoints: [...endpoints.values()], nodeListeners };
}

const available = await labAvailable();

describe.skipIf(!available.ok)(`kernel-verified: kube-proxy-sim's nftables rendering${available.ok ? '' : ` (skipped: ${available.why})`}`, () => {
  let lab: Lab;
  let rs: Ruleset;
  const transaction = renderNftablesTransaction(
    { services: defs.map((d) => service(d.svc)), endpointSlices: defs.filter((d) => d.eps.length > 0).map((d) => endpointSlice(d.svc, d.eps, d.target)) },
    { nodeName: NODE, nodeIPs: NODE_IPS, clusterCIDR: '10.244.0.0/16', serviceCIDRs: ['10.96.0.0/16'] },
  );

  beforeAll(async () => {
    const { endpoints, nodeListeners } = listeners();
    lab = await createLab({ nodeIPs: NODE_IPS, clientIPs: [POD_ELSEWHERE, EXTERNAL, BLOCKED], endpoints, nodeListeners }, { name: 'nftsim' });
    await lab.restoreNft(transaction);
    const loaded = loadRuleset([{ name: 'node-a.nft', text: transaction }]);
    expect(loaded.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    rs = loaded.ruleset!;
  }, 120_000);
  afterAll(async () => lab?.destroy());

  for (const flow of flows) {
    it(flow.name, async () => {
      const check = await checkFlow(lab, rs, flow, { nodeIPs: NODE_IPS, masqueradeSource: NODE_IPS[0]! });
      expect(check.mismatches, describeCheck(check)).toEqual([]);
    }, 60_000);
  }
});
