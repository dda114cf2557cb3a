import type { ServiceInfo } from '../api/types';

export interface Destination {
  readonly label: string;
  readonly dst: string;
  readonly dport: number;
  readonly proto: 'tcp' | 'udp' | 'sctp';
}

const protoOf = (p: string | null): Destination['proto'] => (p === 'udp' || p === 'sctp' ? p : 'tcp');

/** The ways to reach a Service: each port's ClusterIP, NodePort on every node address, external and LB IPs. */
export function destinationsOf(s: ServiceInfo | undefined, nodeIPs: readonly string[]): Destination[] {
  if (!s) return [];
  const out: Destination[] = [];
  for (const p of s.ports) {
    const proto = protoOf(p.protocol);
    const name = p.portName.slice(s.id.length + 1) || String(p.port ?? '');
    if (p.clusterIP && p.port) out.push({ label: `ClusterIP ${p.clusterIP}:${p.port} (${name})`, dst: p.clusterIP, dport: p.port, proto });
    if (p.nodePort) for (const ip of nodeIPs) out.push({ label: `NodePort ${ip}:${p.nodePort} (${name})`, dst: ip, dport: p.nodePort, proto });
    if (p.port) {
      for (const ip of p.externalIPs) out.push({ label: `External IP ${ip}:${p.port} (${name})`, dst: ip, dport: p.port, proto });
      for (const ip of p.loadBalancerIPs) out.push({ label: `LoadBalancer IP ${ip}:${p.port} (${name})`, dst: ip, dport: p.port, proto });
    }
  }
  return out;
}
