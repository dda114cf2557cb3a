import { endpointSlicesFromEndpoints, type EndpointSlice, type Endpoints, type Node, type Pod, type Service } from '@svcpath/k8s-model';
import type { DiagnoseClusterState } from './context';

/** A snapshot's cluster state as @svcpath/api-contract stores it (only the fields read here). */
export interface StoredClusterState {
  readonly services: readonly unknown[];
  readonly endpoints: { readonly kind: 'EndpointSlices'; readonly slices: readonly unknown[] } | { readonly kind: 'Endpoints'; readonly endpoints: readonly unknown[] } | { readonly kind: 'unavailable' };
  readonly pods: readonly unknown[];
  readonly nodes: readonly unknown[];
}

/**
 * The doctor's view of a stored cluster state. The collector narrowed every object with its
 * allow-list schemas before storing it, so the casts only name the kinds; legacy Endpoints become
 * the EndpointSlices the mirroring controller would write, as kube-proxy reads only slices.
 */
export function clusterStateOfSnapshot(state: StoredClusterState): DiagnoseClusterState {
  const e = state.endpoints;
  const endpointSlices: EndpointSlice[] =
    e.kind === 'EndpointSlices' ? (e.slices as EndpointSlice[]) : e.kind === 'Endpoints' ? (e.endpoints as Endpoints[]).flatMap(endpointSlicesFromEndpoints) : [];
  return {
    services: state.services as Service[],
    endpointSlices,
    ...(state.pods.length ? { pods: state.pods as Pod[] } : {}),
    ...(state.nodes.length ? { nodes: state.nodes as Node[] } : {}),
  };
}
