import type { TraceSource } from '@svcpath/api-contract';
import type { Snapshot } from './snapshot';

interface PodLike {
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: { readonly nodeName?: string; readonly hostNetwork?: boolean };
  readonly status?: { readonly podIP?: string; readonly podIPs?: readonly { readonly ip?: string }[] };
}
interface NodeLike {
  readonly metadata?: { readonly name?: string };
  readonly status?: { readonly addresses?: readonly { readonly type?: string; readonly address?: string }[] };
}

/** Pods with an address and the nodes of the snapshot's cluster state; empty without cluster state. */
export function traceSources(s: Snapshot): { sources: TraceSource[] } {
  const cs = s.clusterState;
  if (!cs) return { sources: [] };
  const pods = (cs.pods as readonly PodLike[]).flatMap((p): TraceSource[] => {
    const ip = p.status?.podIP ?? p.status?.podIPs?.[0]?.ip;
    if (!ip || !p.metadata?.name) return [];
    return [{ kind: 'pod', name: `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`, ip, node: p.spec?.nodeName ?? null, hostNetwork: p.spec?.hostNetwork === true }];
  });
  const nodes = (cs.nodes as readonly NodeLike[]).flatMap((n): TraceSource[] => {
    const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    return ip && n.metadata?.name ? [{ kind: 'node', name: n.metadata.name, ip, node: n.metadata.name, hostNetwork: true }] : [];
  });
  return { sources: [...nodes, ...pods.sort((a, b) => a.name.localeCompare(b.name))] };
}
