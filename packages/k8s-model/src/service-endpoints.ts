import { parseIP } from '@svcpath/netaddr';
import {
  LABEL_HEADLESS,
  LABEL_SERVICE_NAME,
  type EndpointSlice,
  type EndpointSliceEndpoint,
  type IPFamily,
} from './api-objects';
import { toEndpointPort, type EndpointPortNumber } from './ports';
import { servicePortNameKey, type ServicePortName } from './service-port-name';
import { endpointString, type ServiceEndpoint } from './service-endpoint';

/** Why an EndpointSlice, or part of one, was ignored — mirroring the cases kube-proxy logs and skips. */
export type EndpointSliceSkip =
  | { readonly kind: 'no-service-label'; readonly slice: string }
  | { readonly kind: 'headless-slice'; readonly slice: string }
  | { readonly kind: 'unsupported-address-type'; readonly slice: string; readonly addressType: string }
  | { readonly kind: 'port-without-name'; readonly slice: string }
  | { readonly kind: 'port-without-number'; readonly slice: string; readonly portName: string }
  | { readonly kind: 'endpoint-without-address'; readonly slice: string }
  | { readonly kind: 'wrong-family-address'; readonly slice: string; readonly address: string };

export interface EndpointsForNode {
  /** Node kube-proxy runs on (its hostname / --hostname-override); decides `isLocal`. */
  readonly nodeName: string;
  readonly family?: IPFamily;
}

/**
 * Groups the endpoints of all EndpointSlices by ServicePortName, as kube-proxy's
 * EndpointSliceCache does: slices are joined to their Service by the `kubernetes.io/service-name`
 * label; ports without a name or number are ignored; endpoints are keyed by "ip:port" so an
 * address listed by two slices appears once (a local copy wins); each list is sorted by that
 * string, which is the order kube-proxy writes its probability ladder in.
 */
export function endpointsByServicePort(
  slices: readonly EndpointSlice[],
  node: EndpointsForNode,
): { readonly endpoints: Map<string, ServiceEndpoint[]>; readonly skipped: EndpointSliceSkip[] } {
  const family = node.family ?? 'IPv4';
  const sets = new Map<string, Map<string, ServiceEndpoint>>();
  const skipped: EndpointSliceSkip[] = [];
  // kube-proxy iterates slices in map order; sort by name so duplicate handling is deterministic.
  const ordered = [...slices].sort((a, b) => cmp(a.metadata.name ?? '', b.metadata.name ?? ''));
  for (const slice of ordered) {
    const sliceRef = `${slice.metadata.namespace ?? ''}/${slice.metadata.name ?? ''}`;
    const serviceName = slice.metadata.labels?.[LABEL_SERVICE_NAME];
    if (!serviceName) {
      skipped.push({ kind: 'no-service-label', slice: sliceRef });
      continue;
    }
    if (slice.metadata.labels?.[LABEL_HEADLESS] !== undefined) {
      skipped.push({ kind: 'headless-slice', slice: sliceRef });
      continue;
    }
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') {
      skipped.push({ kind: 'unsupported-address-type', slice: sliceRef, addressType: slice.addressType });
      continue;
    }
    for (const port of slice.ports ?? []) {
      if (port.name === undefined || port.name === null) {
        skipped.push({ kind: 'port-without-name', slice: sliceRef });
        continue;
      }
      const portNumber = toEndpointPort(port.port);
      if (!portNumber) {
        skipped.push({ kind: 'port-without-number', slice: sliceRef, portName: port.name });
        continue;
      }
      const spn: ServicePortName = {
        namespace: slice.metadata.namespace ?? '',
        name: serviceName,
        port: port.name,
        protocol: port.protocol ?? 'TCP',
      };
      const key = servicePortNameKey(spn);
      let set = sets.get(key);
      if (!set) sets.set(key, (set = new Map()));
      addEndpoints(set, slice.endpoints ?? [], portNumber, family, node.nodeName, sliceRef, skipped);
    }
  }
  const endpoints = new Map<string, ServiceEndpoint[]>();
  for (const [key, set] of sets) {
    if (set.size === 0) continue;
    endpoints.set(
      key,
      [...set.entries()].sort((a, b) => cmp(a[0], b[0])).map((e) => e[1]),
    );
  }
  return { endpoints, skipped };
}

function addEndpoints(
  set: Map<string, ServiceEndpoint>,
  eps: readonly EndpointSliceEndpoint[],
  port: EndpointPortNumber,
  family: IPFamily,
  nodeName: string,
  sliceRef: string,
  skipped: EndpointSliceSkip[],
): void {
  for (const ep of eps) {
    const first = ep.addresses[0];
    if (first === undefined) {
      skipped.push({ kind: 'endpoint-without-address', slice: sliceRef });
      continue;
    }
    const ip = parseIP(first);
    if (!ip || (ip.family === 4) !== (family === 'IPv4')) {
      skipped.push({ kind: 'wrong-family-address', slice: sliceRef, address: first });
      continue;
    }
    const c = ep.conditions ?? {};
    const isLocal = nodeName !== '' && ep.nodeName === nodeName;
    const endpoint: ServiceEndpoint = {
      ip,
      port,
      ready: c.ready !== false,
      serving: c.serving !== false,
      terminating: c.terminating === true,
      nodeName: ep.nodeName ?? null,
      zone: ep.zone ?? null,
      zoneHints: new Set((ep.hints?.forZones ?? []).map((z) => z.name)),
      nodeHints: new Set((ep.hints?.forNodes ?? []).map((n) => n.name)),
      isLocal,
    };
    const key = endpointString(endpoint);
    if (!set.has(key) || isLocal) set.set(key, endpoint);
  }
}

/** Plain code-unit comparison, as Go compares strings (not locale-aware). */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
