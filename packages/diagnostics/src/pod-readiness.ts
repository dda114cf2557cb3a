import { LABEL_SERVICE_NAME, type EndpointSlice, type Pod } from '@svcpath/k8s-model';
import { objectRef } from './context';
import { objectEvidence, type ObjectEvidence } from './finding';

/** Why one endpoint is not ready, as far as the EndpointSlice and its Pod say. */
export interface UnreadyEndpoint {
  readonly address: string;
  /** `ns/name` of the Pod behind it, when the slice names one. */
  readonly pod: string | null;
  /** Plain words: "Pod web-1: phase Running, Ready=False, ContainersReady=False". */
  readonly reason: string;
  readonly evidence: readonly ObjectEvidence[];
}

/**
 * The endpoints of a Service that are not ready, each explained from the EndpointSlice conditions
 * and, when the Pod is known, its phase and the conditions that are not True.
 */
export function unreadyEndpoints(
  namespace: string,
  service: string,
  slices: readonly EndpointSlice[],
  pods: readonly Pod[] | undefined,
): UnreadyEndpoint[] {
  const out: UnreadyEndpoint[] = [];
  const seen = new Set<string>();
  for (const slice of slices) {
    if (slice.metadata.namespace !== namespace || slice.metadata.labels?.[LABEL_SERVICE_NAME] !== service) continue;
    for (const [i, ep] of (slice.endpoints ?? []).entries()) {
      const address = ep.addresses[0];
      if (address === undefined || ep.conditions?.ready !== false || seen.has(address)) continue;
      seen.add(address);
      const c = ep.conditions;
      const sliceEv = objectEvidence(objectRef('EndpointSlice', slice.metadata), `endpoints[${i}].conditions`, c);
      const podName = ep.targetRef?.kind === 'Pod' || ep.targetRef?.kind === undefined ? ep.targetRef?.name : undefined;
      const pod = podName ? pods?.find((p) => p.metadata.namespace === namespace && p.metadata.name === podName) : undefined;
      const slicePart = c.terminating ? 'terminating' : 'not ready';
      if (!pod) {
        out.push({ address, pod: podName ? `${namespace}/${podName}` : null, reason: `${address}${podName ? ` (Pod ${podName})` : ''} is ${slicePart}`, evidence: [sliceEv] });
        continue;
      }
      const failing = (pod.status?.conditions ?? []).filter((cond) => cond.status !== 'True');
      const podRef = objectRef('Pod', pod.metadata);
      const parts = [
        `phase ${pod.status?.phase ?? 'unknown'}`,
        ...(pod.metadata.deletionTimestamp ? [`being deleted since ${pod.metadata.deletionTimestamp}`] : []),
        ...failing.map((cond) => `${cond.type}=${cond.status}`),
      ];
      out.push({
        address,
        pod: `${namespace}/${podName}`,
        reason: `${address} (Pod ${podName}) is ${slicePart}: ${parts.join(', ')}`,
        evidence: [
          sliceEv,
          objectEvidence(podRef, 'status.phase', pod.status?.phase ?? ''),
          ...failing.map((cond) => objectEvidence(podRef, `status.conditions[${cond.type}].status`, cond.status)),
        ],
      });
    }
  }
  return out;
}
