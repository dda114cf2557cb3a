import { serviceCatalog, type ServicePortInfo } from '@svcpath/proxy-layout';
import type { Ruleset } from '@svcpath/ruleset';

/** A Service port of one side, keyed so that the same port matches across proxy modes. */
export interface SidePort {
  readonly key: string;
  readonly info: ServicePortInfo;
  /** The catalogue names it only as an IPVS virtual service (`ipvs/tcp:ip:port`). */
  readonly ipvsOnly: boolean;
}

const IPVS_PREFIX = 'ipvs/';

/**
 * The key two sides' Service ports are matched by: protocol, ClusterIP and port — the same in
 * every mode, and the only name IPVS keeps — else the ServicePortName.
 */
export function portKey(p: ServicePortInfo): string {
  return p.clusterIP !== null && p.port !== null ? `${(p.protocol ?? 'tcp').toLowerCase()} ${p.clusterIP}:${p.port}` : p.portName;
}

/**
 * The Service ports a side's rules hold, by key. IPVS writes a virtual service per NodePort on
 * every node address; those are folded into the ClusterIP virtual service with the same protocol
 * and real servers (its NodePort), so they are not reported as Service ports of their own.
 */
export function sidePorts(rs: Ruleset, nodeIPs: readonly string[]): Map<string, SidePort> {
  const all = serviceCatalog(rs).flatMap((s) => s.ports);
  const nodeAddrs = new Set([...nodeIPs, '127.0.0.1']);
  const onNode = all.filter((p) => p.portName.startsWith(IPVS_PREFIX) && p.clusterIP !== null && nodeAddrs.has(p.clusterIP));
  const out = new Map<string, SidePort>();
  for (const p of all) {
    if (onNode.includes(p)) continue;
    const ipvsOnly = p.portName.startsWith(IPVS_PREFIX);
    const nodePort = ipvsOnly ? (onNode.find((n) => sameServers(n, p))?.port ?? p.nodePort) : p.nodePort;
    out.set(portKey(p), { key: portKey(p), info: { ...p, nodePort }, ipvsOnly });
  }
  return out;
}

function sameServers(a: ServicePortInfo, b: ServicePortInfo): boolean {
  return a.protocol === b.protocol && a.endpoints.length > 0 && a.endpoints.join(',') === b.endpoints.join(',');
}

/** Every address the Service ports answer on: ClusterIPs, external and load-balancer IPs. */
export function serviceAddresses(ports: readonly SidePort[]): string[] {
  return ports.flatMap((p) => [...(p.info.clusterIP ? [p.info.clusterIP] : []), ...p.info.externalIPs, ...p.info.loadBalancerIPs]);
}
