import type { EndpointSlice, IPFamily, Service } from './api-objects';
import { endpointsByServicePort, cmp, type EndpointSliceSkip } from './service-endpoints';
import type { ServiceEndpoint } from './service-endpoint';
import { servicePortInfos, type ServicePortInfo, type ServiceSkip } from './service-port-info';
import { servicePortNameKey } from './service-port-name';

/** One proxied ServicePort with all of its endpoints (before categorisation). */
export interface ProxiedServicePort {
  readonly info: ServicePortInfo;
  /** Every endpoint of this ServicePort, sorted by "ip:port"; categorise with categorizeEndpoints. */
  readonly endpoints: readonly ServiceEndpoint[];
}

export interface ClusterState {
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
}

export type ProxyNote =
  | { readonly kind: 'service-skipped'; readonly skip: ServiceSkip }
  | { readonly kind: 'endpoint-slice-skipped'; readonly skip: EndpointSliceSkip };

/**
 * The ServicePorts kube-proxy on `nodeName` proxies, each with its endpoints, sorted by
 * ServicePortName string then protocol. Selector-less Services are proxied like any other: their
 * endpoints come from whatever EndpointSlices carry their service-name label.
 */
export function proxiedServicePorts(
  state: ClusterState,
  node: { readonly nodeName: string; readonly family?: IPFamily },
): { readonly servicePorts: ProxiedServicePort[]; readonly notes: ProxyNote[] } {
  const family = node.family ?? 'IPv4';
  const { endpoints, skipped } = endpointsByServicePort(state.endpointSlices, {
    nodeName: node.nodeName,
    family,
  });
  const notes: ProxyNote[] = skipped.map((skip) => ({ kind: 'endpoint-slice-skipped', skip }));
  const servicePorts: ProxiedServicePort[] = [];
  for (const svc of state.services) {
    const { ports, skipped: svcSkips } = servicePortInfos(svc, family);
    for (const skip of svcSkips) notes.push({ kind: 'service-skipped', skip });
    for (const info of ports)
      servicePorts.push({ info, endpoints: endpoints.get(servicePortNameKey(info.name)) ?? [] });
  }
  servicePorts.sort(
    (a, b) => cmp(a.info.nameString, b.info.nameString) || cmp(a.info.name.protocol, b.info.name.protocol),
  );
  return { servicePorts, notes };
}
