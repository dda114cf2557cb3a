import { parseCidr, parseIP, type Cidr, type IP } from '@svcpath/netaddr';
import { LABEL_SERVICE_PROXY_NAME, type IPFamily, type Service, type ServicePortSpec } from './api-objects';
import { toNodePort, toServicePort, type NodePortNumber, type ServicePortNumber } from './ports';
import { servicePortNameString, type ServicePortName } from './service-port-name';

/** kube-proxy's default ClientIP affinity timeout (v1.DefaultClientIPServiceAffinitySeconds). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

export type SessionAffinity =
  { readonly kind: 'None' } | { readonly kind: 'ClientIP'; readonly timeoutSeconds: number };

/**
 * What kube-proxy works from for one port of one Service in one IP family (its
 * `BaseServicePortInfo`). Addresses of the other family are already filtered out.
 */
export interface ServicePortInfo {
  readonly name: ServicePortName;
  /** {@link servicePortNameString} of `name`, precomputed because every rule uses it. */
  readonly nameString: string;
  readonly clusterIP: IP;
  readonly port: ServicePortNumber;
  readonly nodePort: NodePortNumber | null;
  readonly externalIPs: readonly IP[];
  /** status.loadBalancer.ingress IPs in VIP mode; Proxy-mode and hostname-only ingress is not captured. */
  readonly loadBalancerVIPs: readonly IP[];
  readonly loadBalancerSourceRanges: readonly Cidr[];
  readonly sessionAffinity: SessionAffinity;
  /** externalTrafficPolicy Local on an externally reachable Service type. */
  readonly externalPolicyLocal: boolean;
  readonly internalPolicyLocal: boolean;
  /** Only for LoadBalancer Services with externalTrafficPolicy Local. */
  readonly healthCheckNodePort: NodePortNumber | null;
}

/** Why a Service (or one of its ports) is not proxied. */
export type ServiceSkip =
  | { readonly kind: 'headless'; readonly service: string }
  | { readonly kind: 'external-name'; readonly service: string }
  | { readonly kind: 'other-proxy'; readonly service: string; readonly proxyName: string }
  | { readonly kind: 'no-cluster-ip-for-family'; readonly service: string; readonly family: IPFamily }
  | { readonly kind: 'invalid-port'; readonly service: string; readonly port: string };

/** kube-proxy's ExternallyAccessible: any NodePort, load-balancer VIP or external IP. */
export function externallyAccessible(info: ServicePortInfo): boolean {
  return info.nodePort !== null || info.loadBalancerVIPs.length > 0 || info.externalIPs.length > 0;
}

/**
 * True if the port ever uses Cluster-policy endpoints: internal policy Cluster, or any external
 * access at all (eTP=Local still needs Cluster endpoints for short-circuiting pod and host traffic).
 */
export function usesClusterEndpoints(info: ServicePortInfo): boolean {
  return !info.internalPolicyLocal || externallyAccessible(info);
}

/** True if the port ever uses Local-policy endpoints (iTP=Local, or eTP=Local with external access). */
export function usesLocalEndpoints(info: ServicePortInfo): boolean {
  return info.internalPolicyLocal || (info.externalPolicyLocal && externallyAccessible(info));
}

function serviceRef(svc: Service): string {
  return `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`;
}

function familyOf(ip: IP): IPFamily {
  return ip.family === 4 ? 'IPv4' : 'IPv6';
}

/** The cluster IP of the given family, as kube-proxy's GetClusterIPByFamily picks it. */
function clusterIPByFamily(svc: Service, family: IPFamily): IP | null {
  const ips =
    svc.spec.clusterIPs && svc.spec.clusterIPs.length > 0 ? svc.spec.clusterIPs : [svc.spec.clusterIP ?? ''];
  for (const text of ips) {
    const ip = parseIP(text);
    if (ip && familyOf(ip) === family) return ip;
  }
  return null;
}

function isExternallyAccessibleType(svc: Service): boolean {
  const type = svc.spec.type ?? 'ClusterIP';
  return (
    type === 'LoadBalancer' ||
    type === 'NodePort' ||
    (type === 'ClusterIP' && (svc.spec.externalIPs?.length ?? 0) > 0)
  );
}

function ipsOfFamily(texts: readonly string[] | undefined, family: IPFamily): IP[] {
  const out: IP[] = [];
  for (const t of texts ?? []) {
    const ip = parseIP(t);
    if (ip && familyOf(ip) === family) out.push(ip);
  }
  return out;
}

function loadBalancerVIPs(svc: Service, family: IPFamily): IP[] {
  const out: IP[] = [];
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    if (!ing.ip || ing.ipMode === 'Proxy') continue;
    const ip = parseIP(ing.ip);
    if (ip && familyOf(ip) === family) out.push(ip);
  }
  return out;
}

/**
 * Turns one Service into kube-proxy's per-port view for one IP family, or the reason it is not
 * proxied: headless (clusterIP None or empty) and ExternalName Services are skipped, as are
 * Services labelled for another proxy and Services without a cluster IP of that family.
 */
export function servicePortInfos(
  svc: Service,
  family: IPFamily = 'IPv4',
): { readonly ports: ServicePortInfo[]; readonly skipped: ServiceSkip[] } {
  const service = serviceRef(svc);
  const proxyName = svc.metadata.labels?.[LABEL_SERVICE_PROXY_NAME];
  if (proxyName !== undefined) return { ports: [], skipped: [{ kind: 'other-proxy', service, proxyName }] };
  if ((svc.spec.type ?? 'ClusterIP') === 'ExternalName')
    return { ports: [], skipped: [{ kind: 'external-name', service }] };
  const cip = svc.spec.clusterIP ?? '';
  if (cip === '' || cip === 'None') return { ports: [], skipped: [{ kind: 'headless', service }] };
  const clusterIP = clusterIPByFamily(svc, family);
  if (!clusterIP) return { ports: [], skipped: [{ kind: 'no-cluster-ip-for-family', service, family }] };

  const shared = sharedFields(svc, family);
  const ports: ServicePortInfo[] = [];
  const skipped: ServiceSkip[] = [];
  for (const p of svc.spec.ports ?? []) {
    const info = portInfo(svc, p, clusterIP, shared);
    if (info) ports.push(info);
    else skipped.push({ kind: 'invalid-port', service, port: p.name ?? String(p.port) });
  }
  return { ports, skipped };
}

type Shared = Omit<ServicePortInfo, 'name' | 'nameString' | 'clusterIP' | 'port' | 'nodePort'>;

function sharedFields(svc: Service, family: IPFamily): Shared {
  const externalPolicyLocal = isExternallyAccessibleType(svc) && svc.spec.externalTrafficPolicy === 'Local';
  const sessionAffinity: SessionAffinity =
    svc.spec.sessionAffinity === 'ClientIP'
      ? {
          kind: 'ClientIP',
          timeoutSeconds:
            svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS,
        }
      : { kind: 'None' };
  const needsHealthCheck = svc.spec.type === 'LoadBalancer' && externalPolicyLocal;
  const ranges: Cidr[] = [];
  for (const r of svc.spec.loadBalancerSourceRanges ?? []) {
    const c = parseCidr(r);
    if (c && (c.family === 4) === (family === 'IPv4')) ranges.push(c);
  }
  return {
    externalIPs: ipsOfFamily(svc.spec.externalIPs, family),
    loadBalancerVIPs: loadBalancerVIPs(svc, family),
    loadBalancerSourceRanges: ranges,
    sessionAffinity,
    externalPolicyLocal,
    internalPolicyLocal: svc.spec.internalTrafficPolicy === 'Local',
    healthCheckNodePort: needsHealthCheck ? toNodePort(svc.spec.healthCheckNodePort) : null,
  };
}

function portInfo(svc: Service, p: ServicePortSpec, clusterIP: IP, shared: Shared): ServicePortInfo | null {
  const port = toServicePort(p.port);
  if (!port) return null;
  const name: ServicePortName = {
    namespace: svc.metadata.namespace ?? '',
    name: svc.metadata.name ?? '',
    port: p.name ?? '',
    protocol: p.protocol ?? 'TCP',
  };
  return {
    ...shared,
    name,
    nameString: servicePortNameString(name),
    clusterIP,
    port,
    nodePort: toNodePort(p.nodePort),
  };
}
