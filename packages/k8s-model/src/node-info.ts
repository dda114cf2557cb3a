import { parseIP, type IP } from '@svcpath/netaddr';
import { LABEL_TOPOLOGY_ZONE, type Node } from './api-objects';

/** The node's zone label, used by topology-aware hints; null when unlabelled. */
export function nodeZone(node: Node): string | null {
  return node.metadata.labels?.[LABEL_TOPOLOGY_ZONE] ?? null;
}

/** The node's InternalIP addresses in API order (kube-proxy's node IP is the first of its family). */
export function nodeInternalIPs(node: Node): IP[] {
  const out: IP[] = [];
  for (const a of node.status?.addresses ?? []) {
    if (a.type !== 'InternalIP') continue;
    const ip = parseIP(a.address);
    if (ip) out.push(ip);
  }
  return out;
}
