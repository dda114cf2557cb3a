import type { IP } from '@svcpath/netaddr';
import type { EndpointPortNumber } from './ports';

/**
 * One endpoint of one ServicePort as kube-proxy sees it (its `BaseEndpointInfo`): the address,
 * the port for this ServicePort, its conditions, where it runs and its topology hints.
 */
export interface ServiceEndpoint {
  readonly ip: IP;
  readonly port: EndpointPortNumber;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly nodeName: string | null;
  readonly zone: string | null;
  /** Zones this endpoint is hinted for; empty when the slice gives no zone hints. */
  readonly zoneHints: ReadonlySet<string>;
  /** Nodes this endpoint is hinted for (PreferSameNode); empty when none. */
  readonly nodeHints: ReadonlySet<string>;
  /** True when the endpoint runs on the node being modelled (nodeName equals that node's name). */
  readonly isLocal: boolean;
}

/** kube-proxy's `Endpoint.String()`: "ip:port", "[ip]:port" for IPv6. */
export function endpointString(ep: Pick<ServiceEndpoint, 'ip' | 'port'>): string {
  return ep.ip.family === 6 ? `[${ep.ip.text}]:${ep.port}` : `${ep.ip.text}:${ep.port}`;
}
