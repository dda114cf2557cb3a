import {
  categorizeEndpoints,
  endpointString,
  nodeZone,
  proxiedServicePorts,
  usesClusterEndpoints,
  usesLocalEndpoints,
  type ClusterState,
  type IPFamily,
  type Node,
  type ProxiedServicePort,
  type ServiceEndpoint,
  type ServicePortInfo,
} from '@svcpath/k8s-model';
import type { PortState } from './model';

/** A node name no Node can have (names are DNS subdomains), for "a node hosting no endpoint". */
const NO_NODE = '\u0000none';

/** What kube-proxy on one node should program for one Service port, per the cluster state. */
export function expectedPortState(sp: ProxiedServicePort, nodeName: string, zone: string | null): PortState {
  const endpoints = sp.endpoints.map((ep): ServiceEndpoint => (ep.isLocal === (ep.nodeName === nodeName) ? ep : { ...ep, isLocal: ep.nodeName === nodeName }));
  const c = categorizeEndpoints(endpoints, sp.info, { nodeName, zone });
  return portStateOf(sp.info, usesClusterEndpoints(sp.info) ? c.clusterEndpoints : [], usesLocalEndpoints(sp.info) ? c.localEndpoints : []);
}

function portStateOf(info: ServicePortInfo, cluster: readonly ServiceEndpoint[], local: readonly ServiceEndpoint[]): PortState {
  const affinity = info.sessionAffinity.kind === 'ClientIP' ? info.sessionAffinity.timeoutSeconds : null;
  return {
    clusterIP: `${info.clusterIP.text}:${info.port}/${info.name.protocol.toLowerCase()}`,
    nodePort: info.nodePort,
    // kube-proxy writes the affinity check per endpoint, so a port with no endpoint shows none.
    affinitySeconds: cluster.length + local.length > 0 ? affinity : null,
    cluster: cluster.map(endpointString).sort(),
    local: local.map(endpointString).sort(),
    unequalShares: [],
  };
}

/** A proxied port and which nodes' answers for it differ from everyone else's. */
export interface PortPlan {
  readonly sp: ProxiedServicePort;
  /** Nodes whose own endpoints (Local policy) or node hints make their answer their own. */
  readonly specialNodes: readonly string[];
  /** Topology zone hints: the answer depends on the node's zone. */
  readonly zonal: boolean;
}

/**
 * Every Service port the cluster state proxies, with what makes a node's expected answer differ
 * from the rest: local endpoints under a Local traffic policy, node hints, zone hints. Read once for
 * the whole fleet, so 5,000 nodes cost a handful of categorisations per port, not 5,000.
 */
export function planPorts(state: ClusterState, family: IPFamily = 'IPv4'): PortPlan[] {
  const { servicePorts } = proxiedServicePorts(state, { nodeName: NO_NODE, family });
  return servicePorts.map((sp) => {
    const special = new Set<string>();
    let zonal = false;
    const local = usesLocalEndpoints(sp.info);
    for (const ep of sp.endpoints) {
      if (local && ep.nodeName) special.add(ep.nodeName);
      for (const n of ep.nodeHints) special.add(n);
      if (ep.zoneHints.size > 0) zonal = true;
    }
    return { sp, specialNodes: [...special], zonal };
  });
}

/** The node's topology zone, from the Node objects when the cluster state has them. */
export function zonesOf(nodes: readonly Node[] | undefined): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const n of nodes ?? []) if (n.metadata.name) out.set(n.metadata.name, nodeZone(n));
  return out;
}

export { NO_NODE };
