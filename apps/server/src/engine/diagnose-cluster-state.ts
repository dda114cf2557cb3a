import type { SnapshotClusterState } from '@svcpath/api-contract';
import type { DiagnoseClusterState } from '@svcpath/diagnostics';
import { endpointSlicesFromEndpoints, type EndpointSlice, type Endpoints, type Node, type Pod, type Service } from '@svcpath/k8s-model';

/**
 * The doctor's view of a snapshot's cluster state. The collector narrowed every object with its
 * allow-list schemas before storing it, so the casts only name the kinds; legacy Endpoints become
 * the EndpointSlices the mirroring controller would write, as kube-proxy reads only slices.
 */
export function diagnoseClusterState(state: SnapshotClusterState): DiagnoseClusterState {
  const e = state.endpoints;
  const endpointSlices: EndpointSlice[] =
    e.kind === 'EndpointSlices' ? (e.slices as unknown as EndpointSlice[]) : e.kind === 'Endpoints' ? (e.endpoints as unknown as Endpoints[]).flatMap(endpointSlicesFromEndpoints) : [];
  return {
    services: state.services as unknown as Service[],
    endpointSlices,
    ...(state.pods.length ? { pods: state.pods as unknown as Pod[] } : {}),
    ...(state.nodes.length ? { nodes: state.nodes as unknown as Node[] } : {}),
  };
}
