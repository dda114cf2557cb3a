import { parseIP } from '@svcpath/netaddr';
import { LABEL_SERVICE_NAME, type EndpointAddress, type EndpointSlice, type Endpoints } from './api-objects';

/**
 * Converts a legacy v1 Endpoints object to the EndpointSlices the EndpointSlice mirroring
 * controller would write (one slice per subset and address family). kube-proxy itself reads only
 * EndpointSlices; this lets a snapshot that has Endpoints but no slices be modelled the same way.
 * `addresses` become ready endpoints, `notReadyAddresses` not-ready ones.
 */
export function endpointSlicesFromEndpoints(eps: Endpoints): EndpointSlice[] {
  const out: EndpointSlice[] = [];
  const name = eps.metadata.name ?? '';
  (eps.subsets ?? []).forEach((subset, i) => {
    for (const family of ['IPv4', 'IPv6'] as const) {
      const pick = (a: EndpointAddress): boolean => {
        const ip = parseIP(a.ip);
        return ip !== null && (ip.family === 4) === (family === 'IPv4');
      };
      const toEndpoint = (ready: boolean) => (a: EndpointAddress) => ({
        addresses: [a.ip],
        conditions: { ready, serving: ready, terminating: false },
        ...(a.nodeName !== undefined ? { nodeName: a.nodeName } : {}),
        ...(a.hostname !== undefined ? { hostname: a.hostname } : {}),
        ...(a.targetRef !== undefined ? { targetRef: a.targetRef } : {}),
      });
      const endpoints = [
        ...(subset.addresses ?? []).filter(pick).map(toEndpoint(true)),
        ...(subset.notReadyAddresses ?? []).filter(pick).map(toEndpoint(false)),
      ];
      if (endpoints.length === 0) continue;
      out.push({
        metadata: {
          name: `${name}-mirror-${i}-${family.toLowerCase()}`,
          ...(eps.metadata.namespace !== undefined ? { namespace: eps.metadata.namespace } : {}),
          labels: { [LABEL_SERVICE_NAME]: name },
        },
        addressType: family,
        endpoints,
        ports: (subset.ports ?? []).map((p) => ({
          name: p.name ?? '',
          port: p.port,
          protocol: p.protocol ?? 'TCP',
        })),
      });
    }
  });
  return out;
}
