import type { EndpointSlice, Service, ServicePortSpec } from '@svcpath/k8s-model';

/**
 * Terse builders for the Services and EndpointSlices the kernel-verified scenarios use. They produce
 * the same JSON shapes the API server serves, so kube-proxy-sim renders them as kube-proxy would.
 */
export interface SvcSpec {
  ns: string;
  name: string;
  clusterIP: string;
  ports: (ServicePortSpec & { name: string })[];
  type?: Service['spec']['type'];
  externalIPs?: string[];
  loadBalancerIPs?: string[];
  loadBalancerSourceRanges?: string[];
  externalTrafficPolicy?: 'Cluster' | 'Local';
  internalTrafficPolicy?: 'Cluster' | 'Local';
  affinitySeconds?: number;
  healthCheckNodePort?: number;
  selectorless?: boolean;
}

export interface EpSpec {
  ip: string;
  node: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export function service(s: SvcSpec): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: s.ns, name: s.name, uid: `uid-${s.ns}-${s.name}` },
    spec: {
      type: s.type ?? 'ClusterIP',
      clusterIP: s.clusterIP,
      clusterIPs: [s.clusterIP],
      ports: s.ports,
      ...(s.selectorless ? {} : { selector: { app: s.name } }),
      ...(s.externalIPs ? { externalIPs: s.externalIPs } : {}),
      ...(s.loadBalancerSourceRanges ? { loadBalancerSourceRanges: s.loadBalancerSourceRanges } : {}),
      ...(s.externalTrafficPolicy ? { externalTrafficPolicy: s.externalTrafficPolicy } : {}),
      ...(s.internalTrafficPolicy ? { internalTrafficPolicy: s.internalTrafficPolicy } : {}),
      ...(s.healthCheckNodePort ? { healthCheckNodePort: s.healthCheckNodePort } : {}),
      ...(s.affinitySeconds ? { sessionAffinity: 'ClientIP' as const, sessionAffinityConfig: { clientIP: { timeoutSeconds: s.affinitySeconds } } } : {}),
    },
    ...(s.loadBalancerIPs ? { status: { loadBalancer: { ingress: s.loadBalancerIPs.map((ip) => ({ ip })) } } } : {}),
  };
}

/** One EndpointSlice for a Service, its ports named like the Service's, target ports as given. */
export function endpointSlice(svc: SvcSpec, endpoints: EpSpec[], targetPorts: Record<string, number>): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: svc.ns, name: `${svc.name}-abcde`, labels: { 'kubernetes.io/service-name': svc.name } },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      nodeName: e.node,
      conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false },
    })),
    ports: svc.ports.map((p) => ({ name: p.name, protocol: p.protocol ?? 'TCP', port: targetPorts[p.name] ?? Number(p.targetPort ?? p.port) })),
  };
}
