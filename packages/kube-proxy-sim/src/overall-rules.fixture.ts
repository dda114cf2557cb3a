import type { EndpointSlice, Service } from '@svcpath/k8s-model';
import type { IptablesProxierOptions } from './proxier-options';

/**
 * The cluster of kube-proxy's TestOverallIPTablesRules (pkg/proxy/iptables/proxier_test.go,
 * Apache-2.0), rebuilt as API objects from fixtures/TestOverallIPTablesRules/context.json.
 */
const svc = (ns: string, name: string, spec: Service['spec'], status?: Service['status']): Service => ({
  metadata: { namespace: ns, name },
  spec,
  ...(status ? { status } : {}),
});

const slice = (ns: string, svcName: string, eps: { ip: string; nodeName?: string }[]): EndpointSlice => ({
  metadata: { namespace: ns, name: `${svcName}-abcde`, labels: { 'kubernetes.io/service-name': svcName } },
  addressType: 'IPv4',
  endpoints: eps.map((e) => ({ addresses: [e.ip], ...(e.nodeName ? { nodeName: e.nodeName } : {}) })),
  ports: [{ name: 'p80', port: 80, protocol: 'TCP' }],
});

const p80 = { name: 'p80', port: 80, protocol: 'TCP' as const };

export const overallServices: Service[] = [
  svc('ns1', 'svc1', { type: 'ClusterIP', clusterIP: '172.30.0.41', ports: [p80] }),
  svc(
    'ns2',
    'svc2',
    {
      type: 'LoadBalancer',
      clusterIP: '172.30.0.42',
      ports: [{ ...p80, nodePort: 3001 }],
      externalIPs: ['192.168.99.22'],
      externalTrafficPolicy: 'Local',
      healthCheckNodePort: 30000,
    },
    { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
  ),
  svc('ns3', 'svc3', { type: 'NodePort', clusterIP: '172.30.0.43', ports: [{ ...p80, nodePort: 3003 }] }),
  svc('ns4', 'svc4', {
    type: 'NodePort',
    clusterIP: '172.30.0.44',
    ports: [p80],
    externalIPs: ['192.168.99.33'],
  }),
  svc(
    'ns5',
    'svc5',
    {
      type: 'LoadBalancer',
      clusterIP: '172.30.0.45',
      ports: [{ ...p80, nodePort: 3002 }],
      externalTrafficPolicy: 'Cluster',
      loadBalancerSourceRanges: ['203.0.113.0/25'],
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
    },
    { loadBalancer: { ingress: [{ ip: '5.6.7.8' }] } },
  ),
  svc('ns6', 'svc6', { type: 'ClusterIP', clusterIP: '172.30.0.46', ports: [p80] }),
];

export const overallEndpointSlices: EndpointSlice[] = [
  slice('ns1', 'svc1', [{ ip: '10.180.0.1' }]),
  slice('ns2', 'svc2', [{ ip: '10.180.0.2' }]),
  slice('ns3', 'svc3', [{ ip: '10.180.0.3' }]),
  slice('ns4', 'svc4', [{ ip: '10.180.0.4' }, { ip: '10.180.0.5', nodeName: 'test-node' }]),
  slice('ns5', 'svc5', [{ ip: '10.180.0.3' }]),
];

/** The test proxier: node test-node, pod CIDR detector, localhost NodePorts, no --random-fully. */
export const overallOptions: IptablesProxierOptions = {
  nodeName: 'test-node',
  nodeIPs: ['192.168.0.2'],
  clusterCIDR: '10.0.0.0/8',
  masqueradeBit: 14,
  localhostNodePorts: true,
  nfacct: true,
  randomFully: false,
};
