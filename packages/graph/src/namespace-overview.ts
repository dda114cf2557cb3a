import type { ServiceInfo } from './service-catalog';

/** One namespace of a node's rules, counted: what the aggregated overview draws as one card. */
export interface NamespaceSummary {
  readonly name: string;
  readonly services: number;
  readonly servicePorts: number;
  /** Distinct `ip:port` ServiceEndpoints the namespace's KUBE-SEP chains DNAT to. */
  readonly endpoints: number;
  /** Services with at least one port kube-proxy rejects for having no endpoints. */
  readonly noEndpoints: number;
  readonly nodePorts: number;
  /** Services reachable on an external or load-balancer IP. */
  readonly external: number;
}

/** The node at a glance: every namespace with its counts, small enough to draw at once. */
export interface NamespaceOverview {
  readonly services: number;
  readonly servicePorts: number;
  readonly endpoints: number;
  readonly noEndpoints: number;
  /** Sorted by name. */
  readonly namespaces: readonly NamespaceSummary[];
}

/** One Service as a row of a namespace's list: no chains or endpoint lists, only what a row shows. */
export interface ServiceRow {
  /** `ns/name`. */
  readonly id: string;
  readonly name: string;
  readonly clusterIP: string | null;
  /** `port/protocol` of each ServicePort, e.g. `80/tcp`. */
  readonly ports: readonly string[];
  readonly nodePorts: readonly number[];
  readonly externalIPs: readonly string[];
  readonly endpoints: number;
  readonly noEndpoints: boolean;
  readonly affinity: boolean;
}

const endpointsOf = (s: ServiceInfo): number => new Set(s.ports.flatMap((p) => p.endpoints)).size;
const hasNoEndpoints = (s: ServiceInfo): boolean => s.ports.some((p) => p.noEndpoints);
const isExternal = (s: ServiceInfo): boolean => s.ports.some((p) => p.externalIPs.length > 0 || p.loadBalancerIPs.length > 0);

/** Counts per namespace over a Service catalog (see serviceCatalog). */
export function namespaceOverview(catalog: readonly ServiceInfo[]): NamespaceOverview {
  const byNs = new Map<string, ServiceInfo[]>();
  for (const s of catalog) (byNs.get(s.namespace) ?? byNs.set(s.namespace, []).get(s.namespace)!).push(s);
  const namespaces = [...byNs].map(([name, list]): NamespaceSummary => ({
    name,
    services: list.length,
    servicePorts: list.reduce((n, s) => n + s.ports.length, 0),
    endpoints: list.reduce((n, s) => n + endpointsOf(s), 0),
    noEndpoints: list.filter(hasNoEndpoints).length,
    nodePorts: list.filter((s) => s.ports.some((p) => p.nodePort !== null)).length,
    external: list.filter(isExternal).length,
  }));
  namespaces.sort((a, b) => a.name.localeCompare(b.name));
  const sum = (k: 'servicePorts' | 'endpoints' | 'noEndpoints') => namespaces.reduce((n, x) => n + x[k], 0);
  return { services: catalog.length, servicePorts: sum('servicePorts'), endpoints: sum('endpoints'), noEndpoints: sum('noEndpoints'), namespaces };
}

/** A Service as a list row. */
export function serviceRow(s: ServiceInfo): ServiceRow {
  return {
    id: s.id,
    name: s.name,
    clusterIP: s.ports.find((p) => p.clusterIP)?.clusterIP ?? null,
    ports: s.ports.filter((p) => p.port !== null).map((p) => `${p.port}/${p.protocol ?? 'tcp'}`),
    nodePorts: s.ports.map((p) => p.nodePort).filter((p): p is number => p !== null),
    externalIPs: [...new Set(s.ports.flatMap((p) => [...p.externalIPs, ...p.loadBalancerIPs]))],
    endpoints: endpointsOf(s),
    noEndpoints: hasNoEndpoints(s),
    affinity: s.ports.some((p) => p.affinitySeconds !== null),
  };
}

/** The rows of one namespace's Services, sorted by name; empty when the namespace has none. */
export function namespaceServices(catalog: readonly ServiceInfo[], namespace: string): ServiceRow[] {
  return catalog.filter((s) => s.namespace === namespace).map(serviceRow);
}
