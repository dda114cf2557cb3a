/**
 * The resources the collector reads, with their API group, scope, allow-list schema and the
 * client-node call that lists one page of them.
 */
import { Observable } from '@kubernetes/client-node';
import type {
  ConfigurationOptions,
  CoreV1Api,
  DiscoveryV1Api,
  ObservableMiddleware,
} from '@kubernetes/client-node';
import type { z } from 'zod';
import type { ApiTarget, ApiVerb } from './cluster-problem.js';
import {
  endpointSliceSchema,
  endpointsSchema,
  nodeSchema,
  podSchema,
  serviceSchema,
} from './k8s-object-schemas.js';
import type { EndpointSlice, Endpoints, Node, Pod, Service } from './k8s-object-schemas.js';

/** Plural resource name (as in RBAC and URLs) → the object type the state holds. */
export interface ClusterObjectMap {
  services: Service;
  endpointslices: EndpointSlice;
  endpoints: Endpoints;
  pods: Pod;
  nodes: Node;
}
export type ClusterResource = keyof ClusterObjectMap;

export interface ApiClients {
  readonly core: CoreV1Api;
  readonly discovery: DiscoveryV1Api;
}

/** One page of a list, as client-node returns it (`_continue` is its spelling of `continue`). */
export interface ListPage {
  readonly items: readonly unknown[];
  readonly metadata?: { readonly _continue?: string; readonly resourceVersion?: string };
}
export interface PageRequest {
  readonly namespace?: string;
  readonly limit: number;
  readonly _continue?: string;
}
type Lister = (clients: ApiClients, page: PageRequest, options: ConfigurationOptions) => Promise<ListPage>;

interface ResourceInfo<R extends ClusterResource> {
  readonly group: string;
  readonly version: string;
  readonly namespaced: boolean;
  readonly schema: z.ZodType<ClusterObjectMap[R], unknown>;
  readonly list: Lister;
}

export const RESOURCES: { readonly [R in ClusterResource]: ResourceInfo<R> } = {
  services: {
    group: '',
    version: 'v1',
    namespaced: true,
    schema: serviceSchema,
    list: ({ core }, { namespace, ...page }, options) =>
      namespace === undefined
        ? core.listServiceForAllNamespaces(page, options)
        : core.listNamespacedService({ namespace, ...page }, options),
  },
  endpointslices: {
    group: 'discovery.k8s.io',
    version: 'v1',
    namespaced: true,
    schema: endpointSliceSchema,
    list: ({ discovery }, { namespace, ...page }, options) =>
      namespace === undefined
        ? discovery.listEndpointSliceForAllNamespaces(page, options)
        : discovery.listNamespacedEndpointSlice({ namespace, ...page }, options),
  },
  endpoints: {
    group: '',
    version: 'v1',
    namespaced: true,
    schema: endpointsSchema,
    list: ({ core }, { namespace, ...page }, options) =>
      namespace === undefined
        ? core.listEndpointsForAllNamespaces(page, options)
        : core.listNamespacedEndpoints({ namespace, ...page }, options),
  },
  pods: {
    group: '',
    version: 'v1',
    namespaced: true,
    schema: podSchema,
    list: ({ core }, { namespace, ...page }, options) =>
      namespace === undefined
        ? core.listPodForAllNamespaces(page, options)
        : core.listNamespacedPod({ namespace, ...page }, options),
  },
  nodes: {
    group: '',
    version: 'v1',
    namespaced: false,
    schema: nodeSchema,
    list: ({ core }, page, options) => core.listNode(page, options),
  },
};

/** The problem target for a request on `resource`. */
export function targetOf(resource: ClusterResource, verb: ApiVerb, namespace?: string): ApiTarget {
  const info = RESOURCES[resource];
  const scoped = info.namespaced && namespace !== undefined ? { namespace } : {};
  return { resource, group: info.group, version: info.version, verb, namespaced: info.namespaced, ...scoped };
}

/** The URL path of a collection, e.g. `/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices`. */
export function collectionPath(resource: ClusterResource, namespace?: string): string {
  const info = RESOURCES[resource];
  const prefix = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
  const scope =
    info.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${prefix}${scope}/${resource}`;
}

/** Per-call options that abort a request after `timeoutMs` (client-node has no default timeout). */
export function timeoutOptions(timeoutMs: number): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre: (context) => {
      context.setSignal(AbortSignal.timeout(timeoutMs));
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}
