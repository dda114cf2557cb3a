import { formatIPv4, parseIP } from '@svcpath/netaddr';
import {
  LABEL_SERVICE_NAME,
  LABEL_TOPOLOGY_ZONE,
  type EndpointSlice,
  type EndpointSliceEndpoint,
  type Node,
  type Service,
  type ServiceSpec,
} from '@svcpath/k8s-model';

export interface ScaleClusterOptions {
  readonly services: number;
  readonly endpointsPerService: number;
  readonly seed: number;
  /** Nodes to spread endpoints over. Default 50. */
  readonly nodes?: number;
}

export interface ScaleCluster {
  readonly services: Service[];
  readonly endpointSlices: EndpointSlice[];
  readonly nodes: Node[];
  /** The node to render for ("node-0"). */
  readonly nodeName: string;
  /** The pod network the endpoints live in (use as clusterCIDR). */
  readonly clusterCIDR: string;
}

/** mulberry32: a tiny deterministic PRNG, so the same seed always gives the same cluster. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const base = (text: string): number => parseIP(text)!.value as number;
const ZONES = ['zone-a', 'zone-b', 'zone-c'];
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

function makeNodes(count: number): Node[] {
  return Array.from({ length: count }, (_, i) => ({
    metadata: { name: `node-${i}`, labels: { [LABEL_TOPOLOGY_ZONE]: ZONES[i % ZONES.length]! } },
    status: { addresses: [{ type: 'InternalIP' as const, address: formatIPv4(base('192.168.0.10') + i) }] },
  }));
}

/**
 * A deterministic, realistic cluster for benchmarks: 100 namespaces; roughly 77% ClusterIP, 15%
 * NodePort and 8% LoadBalancer Services (NodePorts stop at the 30000–32767 range; later ones fall
 * back to ClusterIP); 10% with ClientIP affinity; a third of NodePort/LoadBalancer Services with
 * externalTrafficPolicy Local; every 20th LoadBalancer with source ranges; 10% with a second port;
 * 3% without endpoints; 2% of endpoints terminating.
 */
export function generateScaleCluster(o: ScaleClusterOptions): ScaleCluster {
  const rand = prng(o.seed);
  const nodes = makeNodes(o.nodes ?? 50);
  const services: Service[] = [];
  const endpointSlices: EndpointSlice[] = [];
  let nextNodePort = NODE_PORT_MIN;
  let nextPod = 0;
  for (let i = 0; i < o.services; i++) {
    const namespace = `ns-${i % 100}`;
    const name = `svc-${i}`;
    const roll = rand();
    let type: ServiceSpec['type'] = roll < 0.08 ? 'LoadBalancer' : roll < 0.23 ? 'NodePort' : 'ClusterIP';
    const twoPorts = rand() < 0.1;
    const portsNeeded = (twoPorts ? 2 : 1) + (type === 'LoadBalancer' ? 1 : 0);
    if (type !== 'ClusterIP' && nextNodePort + portsNeeded - 1 > NODE_PORT_MAX) type = 'ClusterIP';
    const local = type !== 'ClusterIP' && rand() < 0.33;
    const ports = [{ name: 'http', protocol: 'TCP' as const, port: 80, targetPort: 8080 }];
    if (twoPorts) ports.push({ name: 'metrics', protocol: 'TCP' as const, port: 9090, targetPort: 9090 });
    const spec: ServiceSpec = {
      type,
      selector: { app: name },
      clusterIP: formatIPv4(base('10.96.0.10') + i),
      ports: type === 'ClusterIP' ? ports : ports.map((p) => ({ ...p, nodePort: nextNodePort++ })),
      ...(rand() < 0.1
        ? {
            sessionAffinity: 'ClientIP' as const,
            sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
          }
        : {}),
      ...(local ? { externalTrafficPolicy: 'Local' as const } : {}),
      ...(local && type === 'LoadBalancer' ? { healthCheckNodePort: nextNodePort++ } : {}),
      ...(type === 'LoadBalancer' && i % 20 === 0 ? { loadBalancerSourceRanges: ['203.0.113.0/24'] } : {}),
    };
    const lbIP = formatIPv4(base('198.18.0.1') + i);
    services.push({
      metadata: { namespace, name },
      spec,
      ...(type === 'LoadBalancer'
        ? { status: { loadBalancer: { ingress: [{ ip: lbIP, ipMode: 'VIP' as const }] } } }
        : {}),
    });
    if (rand() < 0.03) continue; // no endpoints
    const endpoints: EndpointSliceEndpoint[] = [];
    for (let e = 0; e < o.endpointsPerService; e++) {
      const node = nodes[Math.floor(rand() * nodes.length)]!;
      const terminating = rand() < 0.02;
      endpoints.push({
        addresses: [formatIPv4(base('10.128.0.2') + nextPod++)],
        conditions: { ready: !terminating, serving: true, terminating },
        nodeName: node.metadata.name!,
        zone: node.metadata.labels![LABEL_TOPOLOGY_ZONE]!,
      });
    }
    endpointSlices.push({
      metadata: { namespace, name: `${name}-abc12`, labels: { [LABEL_SERVICE_NAME]: name } },
      addressType: 'IPv4',
      endpoints,
      ports: ports.map((p) => ({ name: p.name, protocol: p.protocol, port: p.targetPort })),
    });
  }
  return { services, endpointSlices, nodes, nodeName: 'node-0', clusterCIDR: '10.128.0.0/9' };
}
