/**
 * What a snapshot cannot tell without the cluster state, in plain words for `snapshots show` and
 * the import command. The rules show what kube-proxy programmed; what Kubernetes intends (and so
 * whether the two differ) lives only in the API server's objects.
 */
import type { Snapshot } from '@svcpath/api-contract';

const ENDPOINTS = [
  'Which endpoints are ready, serving or terminating: the rules list only the endpoints kube-proxy chose to program, and a not-ready Pod is simply absent from them.',
  'Whether the rules are stale: only the Services and EndpointSlices the API server holds now show what kube-proxy should have programmed (a Service added later, an endpoint that has moved).',
];
const PODS = 'Which Pod and node each endpoint address belongs to (the rules name addresses, not Pods).';
const SERVICES =
  'Services kube-proxy writes no rules for: ExternalName and headless Services, and Services another proxy handles (service.kubernetes.io/service-proxy-name).';
const NO_COMMENTS =
  'The Service of rules without comments: kube-proxy drops per-endpoint comments above 1000 endpoints, and IPVS virtual servers carry no Service names.';
const CONFIG =
  "kube-proxy's own configuration (mode, clusterCIDR, masqueradeAll, nodePortAddresses): it can only be inferred from the rules.";

/** One sentence per thing that cannot be told; [] when the snapshot has everything it needs. */
export function unknownWithoutClusterState(snapshot: Pick<Snapshot, 'clusterState'>): string[] {
  const state = snapshot.clusterState;
  if (state === null) return [...ENDPOINTS, PODS, SERVICES, NO_COMMENTS, CONFIG];
  const out: string[] = [];
  if (state.endpoints.kind === 'unavailable') out.push(...ENDPOINTS);
  else if (state.services.length === 0) out.push(ENDPOINTS[1]!, SERVICES);
  if (state.pods.length === 0) out.push(PODS);
  if (state.kubeProxyConfig === null) out.push(CONFIG);
  return out;
}
