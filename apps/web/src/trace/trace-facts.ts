import type { TraceSource } from '../api/types';

/** The part of a doctor's finding these facts read (apps/server's findings response). */
interface FindingLike {
  readonly code: string;
  readonly service?: string | null;
  readonly evidence: readonly { readonly kind: string; readonly raw?: string }[];
}

/**
 * Endpoints (`ip:port`) this node's rules still DNAT to although no EndpointSlice lists them, from
 * the doctor's DRIFT_ENDPOINT_STALE findings: their evidence is the KUBE-SVC rule whose comment
 * kube-proxy writes as `ns/svc:port -> ip:port`.
 */
export function staleEndpoints(findings: readonly FindingLike[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of findings) {
    if (f.code !== 'DRIFT_ENDPOINT_STALE') continue;
    for (const e of f.evidence) {
      const m = e.kind === 'rule' ? /--comment "?([^"\s]+) -> ([\d.]+:\d+|\[[\da-f:]+\]:\d+)"?/i.exec(e.raw ?? '') : null;
      if (m?.[1] && m[2]) out.set(m[2], m[1]);
    }
  }
  return out;
}

/**
 * Where a traced packet comes from, in words, from the cluster state: a Pod on this node enters
 * through its veth (PREROUTING), a Pod elsewhere or an outside client arrives over the network
 * (PREROUTING too), the node itself sends through OUTPUT.
 */
export function describeSource(src: string, origin: 'node' | 'external' | string, sources: readonly TraceSource[], thisNode: string | undefined): string {
  if (origin === 'node') {
    const hostPod = sources.find((s) => s.kind === 'pod' && s.ip === src && s.hostNetwork && s.node === thisNode);
    return hostPod ? `sent by host-network Pod ${hostPod.name} on this node (OUTPUT hook)` : 'sent by the node itself (OUTPUT hook)';
  }
  const pod = sources.find((s) => s.kind === 'pod' && s.ip === src && !s.hostNetwork);
  if (pod && thisNode && pod.node === thisNode) return `from Pod ${pod.name} on this node, entering through its veth (PREROUTING hook)`;
  if (pod) return `from Pod ${pod.name} on ${pod.node ? `node ${pod.node}` : 'another node'}, arriving over the network (PREROUTING hook)`;
  const node = sources.find((s) => s.kind === 'node' && s.ip === src);
  if (node) return `from node ${node.name}, arriving over the network (PREROUTING hook)`;
  return 'from a client outside the cluster state, arriving at the node (PREROUTING hook)';
}
