/**
 * Minimal models of the Kubernetes API objects svcpath reads, shaped like the real JSON the API
 * server returns (`kubectl get -o json`). Only the fields svcpath uses are declared; a field is
 * optional wherever the API lets it be absent. Enum-like strings are typed as unions of the values
 * the API defines — a newer value would need a cast, which is the point: we only model what we know.
 */

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type IPFamily = 'IPv4' | 'IPv6';

/** Label on an EndpointSlice naming the Service it belongs to (discovery.k8s.io/v1). */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
/** Services with this label are handled by another proxy; kube-proxy's informers skip them. */
export const LABEL_SERVICE_PROXY_NAME = 'service.kubernetes.io/service-proxy-name';
/** EndpointSlices with this label belong to headless Services; kube-proxy's informers skip them. */
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
/** Node label holding the node's zone, used for topology-aware hints. */
export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';

export interface ObjectMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly deletionTimestamp?: string;
}

export interface ObjectReference {
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly uid?: string;
}

// ---------------------------------------------------------------------------------------------
// Service (v1)

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
export type TrafficPolicy = 'Cluster' | 'Local';

export interface ServicePortSpec {
  readonly name?: string;
  /** Defaults to TCP in the API. */
  readonly protocol?: Protocol;
  readonly port: number;
  readonly targetPort?: number | string;
  readonly nodePort?: number;
  readonly appProtocol?: string;
}

export interface ServiceSpec {
  readonly type?: ServiceType;
  readonly selector?: Readonly<Record<string, string>>;
  /** "None" for headless Services. */
  readonly clusterIP?: string;
  readonly clusterIPs?: readonly string[];
  readonly ipFamilies?: readonly IPFamily[];
  readonly ipFamilyPolicy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
  readonly ports?: readonly ServicePortSpec[];
  readonly externalIPs?: readonly string[];
  readonly externalName?: string;
  readonly externalTrafficPolicy?: TrafficPolicy;
  readonly internalTrafficPolicy?: TrafficPolicy;
  readonly healthCheckNodePort?: number;
  readonly loadBalancerIP?: string;
  readonly loadBalancerSourceRanges?: readonly string[];
  readonly loadBalancerClass?: string;
  readonly allocateLoadBalancerNodePorts?: boolean;
  readonly sessionAffinity?: 'None' | 'ClientIP';
  readonly sessionAffinityConfig?: { readonly clientIP?: { readonly timeoutSeconds?: number } };
  readonly publishNotReadyAddresses?: boolean;
  readonly trafficDistribution?: string;
}

export interface LoadBalancerIngress {
  readonly ip?: string;
  readonly hostname?: string;
  /** "VIP" (default) or "Proxy"; kube-proxy only captures VIP-mode ingress IPs. */
  readonly ipMode?: 'VIP' | 'Proxy';
}

export interface ServiceStatus {
  readonly loadBalancer?: { readonly ingress?: readonly LoadBalancerIngress[] };
}

export interface Service {
  readonly apiVersion?: 'v1';
  readonly kind?: 'Service';
  readonly metadata: ObjectMeta;
  readonly spec: ServiceSpec;
  readonly status?: ServiceStatus;
}

// ---------------------------------------------------------------------------------------------
// EndpointSlice (discovery.k8s.io/v1)

export interface EndpointConditions {
  /** Absent means "unknown", which consumers read as ready. */
  readonly ready?: boolean | null;
  /** Absent means "unknown", which consumers read as serving. */
  readonly serving?: boolean | null;
  readonly terminating?: boolean | null;
}

export interface EndpointHints {
  readonly forZones?: readonly { readonly name: string }[];
  readonly forNodes?: readonly { readonly name: string }[];
}

export interface EndpointSliceEndpoint {
  readonly addresses: readonly string[];
  readonly conditions?: EndpointConditions;
  readonly hostname?: string;
  readonly targetRef?: ObjectReference;
  readonly nodeName?: string;
  readonly zone?: string;
  readonly hints?: EndpointHints;
}

export interface EndpointSlicePort {
  /** kube-proxy ignores ports whose name is absent; the controller writes "" for unnamed ports. */
  readonly name?: string | null;
  readonly protocol?: Protocol;
  readonly port?: number | null;
  readonly appProtocol?: string;
}

export interface EndpointSlice {
  readonly apiVersion?: 'discovery.k8s.io/v1';
  readonly kind?: 'EndpointSlice';
  readonly metadata: ObjectMeta;
  readonly addressType: 'IPv4' | 'IPv6' | 'FQDN';
  readonly endpoints?: readonly EndpointSliceEndpoint[] | null;
  readonly ports?: readonly EndpointSlicePort[] | null;
}

// ---------------------------------------------------------------------------------------------
// Endpoints (v1, legacy; kube-proxy reads EndpointSlices only)

export interface EndpointAddress {
  readonly ip: string;
  readonly hostname?: string;
  readonly nodeName?: string;
  readonly targetRef?: ObjectReference;
}

export interface EndpointsPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol?: Protocol;
  readonly appProtocol?: string;
}

export interface EndpointSubset {
  readonly addresses?: readonly EndpointAddress[];
  readonly notReadyAddresses?: readonly EndpointAddress[];
  readonly ports?: readonly EndpointsPort[];
}

export interface Endpoints {
  readonly apiVersion?: 'v1';
  readonly kind?: 'Endpoints';
  readonly metadata: ObjectMeta;
  readonly subsets?: readonly EndpointSubset[];
}

// ---------------------------------------------------------------------------------------------
// Pod and Node (v1)

export interface Pod {
  readonly apiVersion?: 'v1';
  readonly kind?: 'Pod';
  readonly metadata: ObjectMeta;
  readonly spec?: {
    readonly nodeName?: string;
    readonly hostNetwork?: boolean;
    readonly containers?: readonly {
      readonly name: string;
      readonly ports?: readonly {
        readonly name?: string;
        readonly containerPort: number;
        readonly protocol?: Protocol;
      }[];
    }[];
  };
  readonly status?: {
    readonly phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
    readonly podIP?: string;
    readonly podIPs?: readonly { readonly ip: string }[];
    readonly hostIP?: string;
    readonly conditions?: readonly { readonly type: string; readonly status: 'True' | 'False' | 'Unknown' }[];
  };
}

export interface NodeAddress {
  readonly type: 'InternalIP' | 'ExternalIP' | 'Hostname' | 'InternalDNS' | 'ExternalDNS';
  readonly address: string;
}

export interface Node {
  readonly apiVersion?: 'v1';
  readonly kind?: 'Node';
  readonly metadata: ObjectMeta;
  readonly spec?: {
    readonly podCIDR?: string;
    readonly podCIDRs?: readonly string[];
    readonly unschedulable?: boolean;
  };
  readonly status?: { readonly addresses?: readonly NodeAddress[] };
}
