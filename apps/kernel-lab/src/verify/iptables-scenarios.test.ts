/**
 * The kernel-verified suite for iptables mode: a cluster built from Service and EndpointSlice
 * objects, rendered by kube-proxy-sim into the rules kube-proxy would program on node-a, restored
 * into a node namespace of our own, and probed with real connections. Every flow's observed
 * outcomes must be the tracer's predicted ones, in the predicted shares (4σ + 1% tolerance), with
 * the predicted source address (masquerade or not). Traffic stays inside the lab's namespaces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderIptablesSave } from '@svcpath/kube-proxy-sim';
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
  {
    svc: { ns: 'kube-system', name: 'dns', clusterIP: '10.96.0.53', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, tcp('dns-tcp', 53)] },
    eps: [{ ip: '10.244.1.20', node: NODE }, { ip: '10.244.3.21', node: 'node-b' }],
    target: { dns: 5353, 'dns-tcp': 5353 },
  },
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
  { svc: { ns: 'default', name: 'empty', clusterIP: '10.96.2.1', ports: [tcp('http', 80)] }, eps: [], target: {} },
  { svc: { ns: 'default', name: 'external-db', clusterIP: '10.96.2.2', ports: [tcp('pg', 5432)], selectorless: true }, eps: [{ ip: '192.0.2.50', node: '' }], target: { pg: 5432 } },
  { svc: { ns: 'monitoring', name: 'node-exporter', clusterIP: '10.96.2.3', ports: [tcp('metrics', 9100)] }, eps: [{ ip: '10.0.0.1', node: NODE }, { ip: '10.0.2.1', node: 'node-c' }], target: { metrics: 9100 } },
  { svc: { ns: 'default', name: 'itp-local', clusterIP: '10.96.2.4', ports: [tcp('http', 80)], internalTrafficPolicy: 'Local' }, eps: [{ ip: '10.244.1.80', node: NODE }, { ip: '10.244.3.81', node: 'node-b' }], target: { http: 8080 } },
  { svc: { ns: 'default', name: 'old-terminating', clusterIP: '10.96.2.5', ports: [tcp('http', 80)] }, eps: [{ ip: '10.244.1.90', node: NODE, ready: false, serving: true, terminating: true }], target: { http: 8080 } },
  // Many more Services, so rule walks are as long as on a real node.
  ...Array.from({ length: 40 }, (_, i): Def => ({
    svc: { ns: `team-${i % 5}`, name: `svc-${i}`, clusterIP: `10.96.10.${i + 1}`, ports: [tcp('http', 80)] },
    eps: [{ ip: `10.244.4.${2 * i + 1}`, node: 'node-b' }, { ip: `10.244.4.${2 * i + 2}`, node: NODE }],
    target: { http: 8080 },
  })),
];

const flows: Flow[] = [
  { name: 'pod to a 3-endpoint ClusterIP: thirds, source kept', src: POD_ELSEWHERE, dst: '10.96.0.10', dport: 80, proto: 'tcp' },
  { name: 'off-cluster client to ClusterIP: masqueraded', src: EXTERNAL, dst: '10.96.0.10', dport: 80, proto: 'tcp' },
  { name: 'the node itself to ClusterIP (OUTPUT hook)', src: '10.0.0.1', dst: '10.96.0.10', dport: 80, proto: 'tcp', fromNode: true },
  { name: 'UDP DNS', src: POD_ELSEWHERE, dst: '10.96.0.53', dport: 53, proto: 'udp' },
  { name: 'TCP DNS, same Service, other port', src: POD_ELSEWHERE, dst: '10.96.0.53', dport: 53, proto: 'tcp' },
  { name: 'session affinity: first connections split', src: POD_ELSEWHERE, dst: '10.96.1.1', dport: 80, proto: 'tcp' },
  { name: 'session affinity: a returning client sticks', src: POD_ELSEWHERE, dst: '10.96.1.1', dport: 80, proto: 'tcp', returning: true, tries: 60 },
  { name: 'NodePort on the primary node IP', src: EXTERNAL, dst: '10.0.0.1', dport: 30080, proto: 'tcp' },
  { name: 'NodePort on a second node IP', src: EXTERNAL, dst: '10.0.1.1', dport: 30080, proto: 'tcp' },
  { name: 'LoadBalancer IP from an allowed source range', src: EXTERNAL, dst: '198.51.100.10', dport: 443, proto: 'tcp' },
  { name: 'LoadBalancer IP from outside the source ranges', src: BLOCKED, dst: '198.51.100.10', dport: 443, proto: 'tcp' },
  { name: 'externalTrafficPolicy Local LB: only the local endpoint, source kept', src: EXTERNAL, dst: '198.51.100.11', dport: 80, proto: 'tcp' },
  { name: 'externalTrafficPolicy Local NodePort', src: EXTERNAL, dst: '10.0.0.1', dport: 30081, proto: 'tcp' },
  { name: 'externalTrafficPolicy Local ClusterIP from a pod: all endpoints', src: POD_ELSEWHERE, dst: '10.96.1.4', dport: 80, proto: 'tcp' },
  { name: 'eTP Local with no local endpoint: LB dropped', src: EXTERNAL, dst: '198.51.100.12', dport: 80, proto: 'tcp' },
  { name: 'eTP Local with no local endpoint: NodePort dropped', src: EXTERNAL, dst: '10.0.0.1', dport: 30082, proto: 'tcp' },
  { name: 'health check node port accepted on the node', src: EXTERNAL, dst: '10.0.0.1', dport: 32000, proto: 'tcp' },
  { name: 'Service without endpoints is rejected', src: POD_ELSEWHERE, dst: '10.96.2.1', dport: 80, proto: 'tcp' },
  { name: 'selector-less Service to an external endpoint', src: POD_ELSEWHERE, dst: '10.96.2.2', dport: 5432, proto: 'tcp' },
  { name: 'hostNetwork endpoints: the node itself and another node', src: POD_ELSEWHERE, dst: '10.96.2.3', dport: 9100, proto: 'tcp' },
  { name: 'internalTrafficPolicy Local', src: POD_ELSEWHERE, dst: '10.96.2.4', dport: 80, proto: 'tcp' },
  { name: 'only a terminating endpoint: kube-proxy falls back to it', src: POD_ELSEWHERE, dst: '10.96.2.5', dport: 80, proto: 'tcp' },
  { name: 'a port the Service does not have passes untouched', src: POD_ELSEWHERE, dst: '10.96.0.10', dport: 81, proto: 'tcp', tries: 30 },
  { name: 'one of forty ordinary Services', src: POD_ELSEWHERE, dst: '10.96.10.37', dport: 80, proto: 'tcp' },
];

function listeners(): { endpoints: LabListener[]; nodeListeners: LabListener[] } {
  const endpoints = new Map<string, LabListener>();
  const nodeListeners: LabListener[] = [{ ip: '10.0.0.1', port: 32000, proto: 'tcp' }];
  for (const d of defs)
    for (const e of d.eps)
      for (const p of d.svc.ports) {
        const l: LabListener = { ip: e.ip, port: d.target[p.name]!, proto: p.protocol === 'UDP' ? 'udp' : 'tcp' };
        if (NODE_IPS.includes(e.ip)) nodeListeners.push(l);
        else endpoints.set(`${l.ip}:${l.port}/${l.proto}`, l);
      }
  return { endpoints: [...endpoints.values()], nodeListeners };
}

const available = await labAvailable();

describe.skipIf(!available.ok)(`kernel-verified: iptables mode${available.ok ? '' : ` (skipped: ${available.why})`}`, () => {
  let lab: Lab;
  let rs: Ruleset;
  const dump = renderIptablesSave(
    { services: defs.map((d) => service(d.svc)), endpointSlices: defs.filter((d) => d.eps.length > 0).map((d) => endpointSlice(d.svc, d.eps, d.target)) },
    { nodeName: NODE, nodeIPs: NODE_IPS, clusterCIDR: '10.244.0.0/16' },
  );

  beforeAll(async () => {
    const { endpoints, nodeListeners } = listeners();
    lab = await createLab({ nodeIPs: NODE_IPS, clientIPs: [POD_ELSEWHERE, EXTERNAL, BLOCKED], endpoints, nodeListeners }, { name: 'ipt' });
    await lab.restoreIptables(dump);
    const loaded = loadRuleset([{ name: 'node-a.iptables-save', text: await lab.saveIptables() }]);
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
