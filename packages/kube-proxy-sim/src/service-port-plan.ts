import {
  categorizeEndpoints,
  endpointString,
  externallyAccessible,
  usesClusterEndpoints,
  usesLocalEndpoints,
  type EndpointCategories,
  type ProxiedServicePort,
  type ServiceEndpoint,
  type ServicePortInfo,
} from '@svcpath/k8s-model';
import { endpointChainName, servicePortChains, type ServicePortChains } from './chain-names';
import type { ProxierConfig } from './proxier-options';

/** A filter-table verdict for traffic that has no endpoints to go to. */
export interface NoEndpointsFilter {
  readonly target: 'REJECT' | 'DROP';
  readonly comment: string;
}

/** An endpoint with its KUBE-SEP chain and "ip:port" text. */
export interface PlannedEndpoint {
  readonly endpoint: ServiceEndpoint;
  readonly text: string;
  readonly chain: string;
}

/**
 * Everything syncProxyRules decides about one ServicePort before writing a rule: which chains
 * exist, where internal and external traffic go, and what the filter table does without endpoints.
 */
export interface ServicePortPlan {
  readonly info: ServicePortInfo;
  readonly protocol: string;
  readonly chains: ServicePortChains;
  readonly categories: EndpointCategories;
  readonly hasEndpoints: boolean;
  readonly hasInternalEndpoints: boolean;
  readonly hasExternalEndpoints: boolean;
  readonly internalPolicyChain: string;
  readonly externalPolicyChain: string;
  readonly usesClusterPolicyChain: boolean;
  readonly usesLocalPolicyChain: boolean;
  readonly usesExternalTrafficChain: boolean;
  readonly usesFirewallChain: boolean;
  /** Where load-balancer IP traffic goes: KUBE-FW-* with source ranges, else KUBE-EXT-*. */
  readonly loadBalancerTrafficChain: string;
  readonly internalFilter: NoEndpointsFilter | null;
  readonly externalFilter: NoEndpointsFilter | null;
  readonly clusterEndpoints: readonly PlannedEndpoint[];
  readonly localEndpoints: readonly PlannedEndpoint[];
  readonly allEndpoints: readonly PlannedEndpoint[];
}

export function planServicePort(sp: ProxiedServicePort, cfg: ProxierConfig): ServicePortPlan {
  const { info } = sp;
  const protocol = info.name.protocol.toLowerCase();
  const chains = servicePortChains(info.nameString, protocol);
  const categories = categorizeEndpoints(sp.endpoints, info, {
    nodeName: cfg.nodeName,
    zone: cfg.zone,
    nodeHints: cfg.nodeHints,
  });
  const hasEndpoints = categories.hasAnyEndpoints;
  const noLocal = categories.localEndpoints.length === 0;
  const hasInternalEndpoints = hasEndpoints && !(info.internalPolicyLocal && noLocal);
  const hasExternalEndpoints = hasEndpoints && !(info.externalPolicyLocal && noLocal);
  const usesFirewallChain =
    hasEndpoints && info.loadBalancerVIPs.length > 0 && info.loadBalancerSourceRanges.length > 0;

  const sepCache = new Map<ServiceEndpoint, PlannedEndpoint>();
  const planned = (eps: readonly ServiceEndpoint[]): PlannedEndpoint[] =>
    eps.map((endpoint) => {
      let p = sepCache.get(endpoint);
      if (!p) {
        const text = endpointString(endpoint);
        sepCache.set(
          endpoint,
          (p = { endpoint, text, chain: endpointChainName(info.nameString, protocol, text) }),
        );
      }
      return p;
    });

  return {
    info,
    protocol,
    chains,
    categories,
    hasEndpoints,
    hasInternalEndpoints,
    hasExternalEndpoints,
    internalPolicyChain: info.internalPolicyLocal ? chains.local : chains.cluster,
    externalPolicyChain: info.externalPolicyLocal ? chains.local : chains.cluster,
    usesClusterPolicyChain: categories.clusterEndpoints.length > 0 && usesClusterEndpoints(info),
    usesLocalPolicyChain: categories.localEndpoints.length > 0 && usesLocalEndpoints(info),
    // Built even without externally usable endpoints: the short-circuit rules for pod and host
    // traffic still need it.
    usesExternalTrafficChain: hasEndpoints && externallyAccessible(info),
    usesFirewallChain,
    loadBalancerTrafficChain: usesFirewallChain ? chains.firewall : chains.external,
    ...noEndpointsFilters(info.nameString, hasEndpoints, hasInternalEndpoints, hasExternalEndpoints),
    clusterEndpoints: planned(categories.clusterEndpoints),
    localEndpoints: planned(categories.localEndpoints),
    allEndpoints: planned(categories.allReachableEndpoints),
  };
}

/** REJECT when there are no endpoints at all; DROP when only a Local policy has none here. */
function noEndpointsFilters(
  name: string,
  hasEndpoints: boolean,
  hasInternal: boolean,
  hasExternal: boolean,
): { internalFilter: NoEndpointsFilter | null; externalFilter: NoEndpointsFilter | null } {
  if (!hasEndpoints) {
    const reject: NoEndpointsFilter = { target: 'REJECT', comment: `${name} has no endpoints` };
    return { internalFilter: reject, externalFilter: reject };
  }
  const drop: NoEndpointsFilter = { target: 'DROP', comment: `${name} has no local endpoints` };
  return { internalFilter: hasInternal ? null : drop, externalFilter: hasExternal ? null : drop };
}
