import { usesClusterEndpoints, usesLocalEndpoints, type ServicePortInfo } from './service-port-info';
import { endpointString, type ServiceEndpoint } from './service-endpoint';

/** How topology hints narrowed the Cluster endpoints: not at all, to this zone, or to this node. */
export type TopologyMode = 'None' | 'PreferSameZone' | 'PreferSameNode';

export interface TopologyContext {
  /** This node's name: decides PreferSameNode hints (locality itself is already in `isLocal`). */
  readonly nodeName: string;
  /** This node's `topology.kubernetes.io/zone` label, if any. */
  readonly zone?: string | null;
  /** The PreferSameTrafficDistribution feature gate (node hints); on by default. */
  readonly nodeHints?: boolean;
}

export interface EndpointCategories {
  /** Endpoints for Cluster traffic policy, after topology; empty when the port never uses Cluster policy. */
  readonly clusterEndpoints: readonly ServiceEndpoint[];
  /** Endpoints on this node for Local traffic policy; empty when the port never uses Local policy. */
  readonly localEndpoints: readonly ServiceEndpoint[];
  /** Union of the two: every endpoint this node may send the port's traffic to. */
  readonly allReachableEndpoints: readonly ServiceEndpoint[];
  /** True if the Service has usable endpoints anywhere in the cluster (even if none are reachable here). */
  readonly hasAnyEndpoints: boolean;
  /** For a port that uses Local policy: whether this node has local endpoints for it. */
  readonly hasLocalEndpoints: boolean;
  readonly topologyMode: TopologyMode;
  /** Which lists fell back to serving-and-terminating endpoints because none were ready. */
  readonly terminatingFallback: { readonly cluster: boolean; readonly local: boolean };
}

const isServingTerminating = (ep: ServiceEndpoint): boolean => ep.serving && ep.terminating;

/**
 * THE function deciding which endpoints a Service port uses on a node — kube-proxy's
 * CategorizeEndpoints (pkg/proxy/topology.go). Ready endpoints are used by default; each list
 * independently falls back to serving-and-terminating endpoints when it has no ready ones.
 * Cluster endpoints are narrowed by topology hints when every ready endpoint carries hints and
 * some hint names this node (PreferSameNode) or its zone (PreferSameZone).
 */
export function categorizeEndpoints(
  endpoints: readonly ServiceEndpoint[],
  svc: ServicePortInfo,
  topology: TopologyContext,
): EndpointCategories {
  const none: EndpointCategories = {
    clusterEndpoints: [],
    localEndpoints: [],
    allReachableEndpoints: [],
    hasAnyEndpoints: false,
    hasLocalEndpoints: false,
    topologyMode: 'None',
    terminatingFallback: { cluster: false, local: false },
  };
  if (endpoints.length === 0) return none;

  let topologyMode: TopologyMode = 'None';
  let clusterEndpoints: ServiceEndpoint[] = [];
  let clusterFallback = false;
  let hasAnyEndpoints = false;
  if (usesClusterEndpoints(svc)) {
    topologyMode = topologyModeFromHints(endpoints, topology);
    clusterEndpoints = endpoints.filter((ep) => ep.ready && availableForTopology(ep, topologyMode, topology));
    if (clusterEndpoints.length === 0) {
      // Topology was already ignored if no ready endpoint matched it, so nothing is ready anywhere.
      clusterEndpoints = endpoints.filter(isServingTerminating);
      clusterFallback = clusterEndpoints.length > 0;
    }
    hasAnyEndpoints = clusterEndpoints.length > 0;
  }
  const base = {
    ...none,
    clusterEndpoints,
    hasAnyEndpoints,
    topologyMode,
    terminatingFallback: { cluster: clusterFallback, local: false },
  };
  if (!usesLocalEndpoints(svc)) return { ...base, allReachableEndpoints: clusterEndpoints };

  let localReady = false;
  let localServingTerminating = false;
  for (const ep of endpoints) {
    if (ep.ready) {
      hasAnyEndpoints = true;
      if (ep.isLocal) localReady = true;
    } else if (isServingTerminating(ep)) {
      hasAnyEndpoints = true;
      if (ep.isLocal) localServingTerminating = true;
    }
  }
  const localFallback = !localReady && localServingTerminating;
  const localEndpoints = localReady
    ? endpoints.filter((ep) => ep.isLocal && ep.ready)
    : localFallback
      ? endpoints.filter((ep) => ep.isLocal && isServingTerminating(ep))
      : [];
  const result = {
    ...base,
    localEndpoints,
    hasAnyEndpoints,
    hasLocalEndpoints: localEndpoints.length > 0,
    terminatingFallback: { cluster: clusterFallback, local: localFallback },
  };
  if (!usesClusterEndpoints(svc)) return { ...result, allReachableEndpoints: localEndpoints };
  // With no topology and ready local endpoints, the cluster list already contains every local one.
  if (topologyMode === 'None' && !localFallback)
    return { ...result, allReachableEndpoints: clusterEndpoints };
  return { ...result, allReachableEndpoints: union(clusterEndpoints, localEndpoints) };
}

/** Union keyed by "ip:port", sorted by that key (kube-proxy builds it from a map; we keep it stable). */
function union(a: readonly ServiceEndpoint[], b: readonly ServiceEndpoint[]): ServiceEndpoint[] {
  const byKey = new Map<string, ServiceEndpoint>();
  for (const ep of a) byKey.set(endpointString(ep), ep);
  for (const ep of b) byKey.set(endpointString(ep), ep);
  return [...byKey.entries()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)).map((e) => e[1]);
}

function topologyModeFromHints(
  endpoints: readonly ServiceEndpoint[],
  topology: TopologyContext,
): TopologyMode {
  const zone = topology.zone ?? '';
  let hasReady = false;
  let allNodeHints = true;
  let hintForNode = false;
  let allZoneHints = true;
  let hintForZone = false;
  for (const ep of endpoints) {
    if (!ep.ready) continue;
    hasReady = true;
    if (ep.nodeHints.size === 0) allNodeHints = false;
    else if (ep.nodeHints.has(topology.nodeName)) hintForNode = true;
    if (ep.zoneHints.size === 0) allZoneHints = false;
    else if (ep.zoneHints.has(zone)) hintForZone = true;
  }
  if (!hasReady) return 'None';
  if ((topology.nodeHints ?? true) && allNodeHints && hintForNode) return 'PreferSameNode';
  if (allZoneHints && hintForZone) return 'PreferSameZone';
  return 'None';
}

function availableForTopology(ep: ServiceEndpoint, mode: TopologyMode, topology: TopologyContext): boolean {
  switch (mode) {
    case 'None':
      return true;
    case 'PreferSameNode':
      return ep.nodeHints.has(topology.nodeName);
    case 'PreferSameZone':
      return ep.zoneHints.has(topology.zone ?? '');
    default: {
      const never: never = mode;
      return never;
    }
  }
}
