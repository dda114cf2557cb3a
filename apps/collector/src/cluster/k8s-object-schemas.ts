/**
 * Allow-list schemas for the Kubernetes objects the collector keeps.
 *
 * Each schema accepts an object either as API JSON (watch events) or as client-node's deserialized
 * model (list calls; same field names, Dates for timestamps), and returns a subset of the API JSON
 * shape. zod's `z.object` drops every key it does not name, which is how the state is kept free of
 * credentials: a Pod's `env`, volumes and annotations such as
 * `kubectl.kubernetes.io/last-applied-configuration` never get past these schemas.
 */
import { z } from 'zod';

/** `null` and absent mean the same in API JSON (`omitempty`); both become `undefined`. */
function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === null ? undefined : value), schema.optional());
}

const str = z.string();
const timestamp = z
  .union([z.string(), z.date()])
  .transform((value) => (typeof value === 'string' ? value : value.toISOString().replace('.000Z', 'Z')));

/**
 * Annotations kube-proxy or the tracer read; everything else (last-applied-configuration above
 * all, which can hold a whole manifest with secrets) is dropped.
 */
export const KEPT_ANNOTATIONS: readonly string[] = [
  'service.kubernetes.io/topology-mode',
  'service.kubernetes.io/topology-aware-hints',
  'endpoints.kubernetes.io/over-capacity',
];

const annotations = optional(z.record(str, str)).transform((all) => {
  if (!all) return undefined;
  const kept = Object.entries(all).filter(([key]) => KEPT_ANNOTATIONS.includes(key));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
});

const ownerReference = z.object({
  apiVersion: str,
  kind: str,
  name: str,
  uid: str,
  controller: optional(z.boolean()),
});

const objectMeta = z.object({
  name: str,
  namespace: optional(str),
  uid: optional(str),
  resourceVersion: optional(str),
  labels: optional(z.record(str, str)),
  annotations,
  ownerReferences: optional(z.array(ownerReference)),
  deletionTimestamp: optional(timestamp),
});

const objectReference = z.object({
  kind: optional(str),
  namespace: optional(str),
  name: optional(str),
  uid: optional(str),
});

const servicePort = z.object({
  name: optional(str),
  protocol: optional(str),
  port: z.number(),
  targetPort: optional(z.union([z.number(), str])),
  nodePort: optional(z.number()),
  appProtocol: optional(str),
});

export const serviceSchema = z.object({
  metadata: objectMeta,
  spec: z.object({
    type: optional(str),
    clusterIP: optional(str),
    clusterIPs: optional(z.array(str)),
    ipFamilies: optional(z.array(str)),
    ipFamilyPolicy: optional(str),
    ports: optional(z.array(servicePort)),
    selector: optional(z.record(str, str)),
    sessionAffinity: optional(str),
    sessionAffinityConfig: optional(
      z.object({ clientIP: optional(z.object({ timeoutSeconds: optional(z.number()) })) }),
    ),
    externalIPs: optional(z.array(str)),
    externalName: optional(str),
    externalTrafficPolicy: optional(str),
    internalTrafficPolicy: optional(str),
    healthCheckNodePort: optional(z.number()),
    loadBalancerIP: optional(str),
    loadBalancerSourceRanges: optional(z.array(str)),
    loadBalancerClass: optional(str),
    allocateLoadBalancerNodePorts: optional(z.boolean()),
    publishNotReadyAddresses: optional(z.boolean()),
    trafficDistribution: optional(str),
  }),
  status: optional(
    z.object({
      loadBalancer: optional(
        z.object({
          ingress: optional(
            z.array(z.object({ ip: optional(str), hostname: optional(str), ipMode: optional(str) })),
          ),
        }),
      ),
    }),
  ),
});

const endpointConditions = z.object({
  ready: optional(z.boolean()),
  serving: optional(z.boolean()),
  terminating: optional(z.boolean()),
});
const forName = z.array(z.object({ name: str }));

export const endpointSliceSchema = z.object({
  metadata: objectMeta,
  addressType: str,
  endpoints: optional(
    z.array(
      z.object({
        addresses: z.array(str),
        conditions: optional(endpointConditions),
        hostname: optional(str),
        nodeName: optional(str),
        zone: optional(str),
        targetRef: optional(objectReference),
        hints: optional(z.object({ forZones: optional(forName), forNodes: optional(forName) })),
      }),
    ),
  ),
  ports: optional(
    z.array(
      z.object({
        name: optional(str),
        protocol: optional(str),
        port: optional(z.number()),
        appProtocol: optional(str),
      }),
    ),
  ),
});

const endpointAddress = z.object({
  ip: str,
  hostname: optional(str),
  nodeName: optional(str),
  targetRef: optional(objectReference),
});

export const endpointsSchema = z.object({
  metadata: objectMeta,
  subsets: optional(
    z.array(
      z.object({
        addresses: optional(z.array(endpointAddress)),
        notReadyAddresses: optional(z.array(endpointAddress)),
        ports: optional(
          z.array(
            z.object({
              name: optional(str),
              port: z.number(),
              protocol: optional(str),
              appProtocol: optional(str),
            }),
          ),
        ),
      }),
    ),
  ),
});

const condition = z.object({ type: str, status: str });

export const podSchema = z.object({
  metadata: objectMeta,
  spec: optional(
    z.object({
      nodeName: optional(str),
      hostNetwork: optional(z.boolean()),
      containers: optional(
        z.array(
          z.object({
            name: str,
            ports: optional(
              z.array(
                z.object({
                  name: optional(str),
                  containerPort: z.number(),
                  protocol: optional(str),
                  hostPort: optional(z.number()),
                  hostIP: optional(str),
                }),
              ),
            ),
          }),
        ),
      ),
    }),
  ),
  status: optional(
    z.object({
      phase: optional(str),
      podIP: optional(str),
      podIPs: optional(z.array(z.object({ ip: str }))),
      hostIP: optional(str),
      hostIPs: optional(z.array(z.object({ ip: str }))),
      conditions: optional(z.array(condition)),
    }),
  ),
});

export const nodeSchema = z.object({
  metadata: objectMeta,
  spec: optional(
    z.object({
      podCIDR: optional(str),
      podCIDRs: optional(z.array(str)),
      unschedulable: optional(z.boolean()),
    }),
  ),
  status: optional(
    z.object({
      addresses: optional(z.array(z.object({ type: str, address: str }))),
      conditions: optional(z.array(condition)),
      nodeInfo: optional(
        z.object({
          kubeletVersion: optional(str),
          kubeProxyVersion: optional(str),
          kernelVersion: optional(str),
          osImage: optional(str),
          operatingSystem: optional(str),
          architecture: optional(str),
          containerRuntimeVersion: optional(str),
        }),
      ),
    }),
  ),
});

/** A v1 Service, reduced to what kube-proxy programs. */
export type Service = z.output<typeof serviceSchema>;
/** A discovery.k8s.io/v1 EndpointSlice, reduced to what kube-proxy reads. */
export type EndpointSlice = z.output<typeof endpointSliceSchema>;
/** A v1 Endpoints object (read only when EndpointSlices cannot be). */
export type Endpoints = z.output<typeof endpointsSchema>;
/** A v1 Pod: placement, IPs, readiness and declared ports; never its env, volumes or image. */
export type Pod = z.output<typeof podSchema>;
/** A v1 Node: addresses, pod CIDRs, zone labels, readiness. */
export type Node = z.output<typeof nodeSchema>;
