import type { EntryKind, Probe, ProbeOrigin } from './model';
import type { SidePort } from './service-ports';

/** A host outside the cluster (TEST-NET-3, RFC 5737), unless the rules use that address themselves. */
export const OUTSIDE_SOURCE = '203.0.113.10';

/** The first documentation address (RFC 5737) no Service, endpoint or node uses, so that it is "anyone". */
function outsideSource(taken: ReadonlySet<string>): string {
  for (const net of ['203.0.113', '198.51.100', '192.0.2']) for (let i = 10; i < 255; i++) if (!taken.has(`${net}.${i}`)) return `${net}.${i}`;
  return OUTSIDE_SOURCE;
}

/** Where the probes come from; the same on both sides so that one packet is traced twice. */
export interface ProbeSources {
  /** A Pod on the node, or null when neither side names any endpoint address. */
  readonly pod: string | null;
  /** The node's first address, or null when it is not known. */
  readonly node: string | null;
  /** Every address NodePorts are tried on: the node's addresses and 127.0.0.1. */
  readonly nodeAddresses: readonly string[];
  /** A host outside the cluster. */
  readonly outside: string;
}

function hostOf(endpoint: string): string {
  const m = /^\[?([^\]]+?)\]?:\d+$/.exec(endpoint);
  return m?.[1] ?? endpoint;
}

/**
 * Picks the probe sources. A Pod's address is taken from the endpoints the rules name (Pods are
 * endpoints), preferring one that is not an endpoint of `ports` itself — kube-proxy masquerades a
 * Pod that reaches itself through its Service (hairpin), which is not what a probe should show.
 */
export function probeSources(allEndpoints: readonly string[], nodeIPs: readonly string[], serviceAddresses: readonly string[] = []): ProbeSources {
  const hosts = [...new Set(allEndpoints.map(hostOf))].filter((h) => !h.includes(':')).sort();
  const taken = new Set([...hosts, ...nodeIPs, ...serviceAddresses]);
  return { pod: hosts[0] ?? null, node: nodeIPs[0] ?? null, nodeAddresses: [...nodeIPs, '127.0.0.1'], outside: outsideSource(taken) };
}

function podSource(sources: ProbeSources, ports: readonly (SidePort | undefined)[], allEndpoints: readonly string[]): string | null {
  const own = new Set(ports.flatMap((p) => p?.info.endpoints ?? []).map(hostOf));
  const other = [...new Set(allEndpoints.map(hostOf))].filter((h) => !own.has(h) && !h.includes(':')).sort();
  return other[0] ?? sources.pod;
}

/**
 * The packets traced for one Service port: its ClusterIP from a Pod (first: it decides the
 * endpoints and their shares) and from the node, its NodePort on each node address from outside
 * (127.0.0.1 from the node itself), each external and load-balancer IP from outside. Built from
 * both sides' addresses, so a NodePort that exists on one side only is tried on both.
 */
export function planProbes(before: SidePort | undefined, after: SidePort | undefined, sources: ProbeSources, allEndpoints: readonly string[], more?: MoreProbes): Probe[] {
  const ports = [before, after];
  const info = (after ?? before)!.info;
  const proto = ((info.protocol ?? 'tcp').toLowerCase() as Probe['proto']);
  const out: Probe[] = [];
  const add = (entry: EntryKind, from: ProbeOrigin, src: string | null, dst: string | null, dport: number | null) => {
    if (src !== null && dst !== null && dport !== null && !out.some((p) => p.entry === entry && p.from === from && p.dst === dst && p.dport === dport))
      out.push({ entry, from, src, dst, dport, proto });
  };
  const pod = podSource(sources, ports, allEndpoints);
  for (const p of ports) add('cluster-ip', 'pod', pod, p?.info.clusterIP ?? null, p?.info.port ?? null);
  for (const p of ports) add('cluster-ip', 'node', sources.node, p?.info.clusterIP ?? null, p?.info.port ?? null);
  for (const p of ports)
    for (const addr of sources.nodeAddresses)
      add('node-port', addr === '127.0.0.1' ? 'node' : 'outside', addr === '127.0.0.1' ? '127.0.0.1' : sources.outside, addr, p?.info.nodePort ?? null);
  for (const p of ports) for (const ip of p?.info.externalIPs ?? []) add('external-ip', 'outside', sources.outside, ip, p?.info.port ?? null);
  for (const p of ports) for (const ip of p?.info.loadBalancerIPs ?? []) add('load-balancer-ip', 'outside', sources.outside, ip, p?.info.port ?? null);
  if (more) {
    for (const p of ports) add('cluster-ip', 'outside', sources.outside, p?.info.clusterIP ?? null, p?.info.port ?? null);
    for (const p of ports)
      for (const addr of sources.nodeAddresses) if (addr !== '127.0.0.1') add('node-port', 'node', sources.node, addr, p?.info.nodePort ?? null);
    for (const p of ports) add('wrong-port', 'pod', pod, p?.info.clusterIP ?? null, unusedPort(p?.info.clusterIP ?? null, p?.info.port ?? null, more.usedPorts));
  }
  return out;
}

/** Extra probes for a migration preview: ClusterIPs from outside, NodePorts from the node, a wrong port. */
export interface MoreProbes {
  /** `ip:port` of every Service port on either side, so a "wrong" port is one no Service uses. */
  readonly usedPorts: ReadonlySet<string>;
}

function unusedPort(ip: string | null, port: number | null, used: ReadonlySet<string>): number | null {
  if (ip === null || port === null) return null;
  for (let p = port + 1; p !== port; p = p >= 65535 ? 1 : p + 1) if (!used.has(`${ip}:${p}`)) return p;
  return null;
}

/** `cluster-ip 172.30.0.10:80 from a Pod (10.180.0.4)` */
export function describeProbe(p: Probe): string {
  const from = p.from === 'pod' ? `a Pod (${p.src})` : p.from === 'node' ? `the node (${p.src})` : `outside (${p.src})`;
  return `${p.entry} ${p.dst.includes(':') ? `[${p.dst}]` : p.dst}:${p.dport}/${p.proto} from ${from}`;
}
