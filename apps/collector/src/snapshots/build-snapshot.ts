/**
 * Assembles a Snapshot from what was collected or imported: derives the id, the node's addresses,
 * the dataplane mode and the tool versions from the parts, so every path into the store (collect,
 * folder import, pasted dump, the demo script) fills them the same way. Pure.
 */
import { SNAPSHOT_FORMAT_VERSION, snapshotId } from '@svcpath/api-contract';
import type { Snapshot, SnapshotClusterState, SnapshotFile, SnapshotProblem } from '@svcpath/api-contract';
import { addressesFromIpAddrJson, addressesFromIpAddrText, nodeIPsFrom } from './node-addresses.js';
import type { NodeAddressSource } from './node-addresses.js';
import { detectProxyMode } from './proxy-mode.js';

export interface SnapshotParts {
  readonly collection: string;
  readonly node: string;
  readonly takenAt: string;
  readonly cluster: string | null;
  readonly context: string | null;
  readonly files: readonly SnapshotFile[];
  readonly clusterState: SnapshotClusterState | null;
  readonly problems: readonly SnapshotProblem[];
  /** Addresses the user gave (--node-ip), added after the derived ones. */
  readonly extraNodeIPs?: readonly string[];
  readonly source?: string;
}

/** Version files by catalogue id; imported ones are keyed by their file name. */
const VERSION_KEYS: Readonly<Record<string, string>> = {
  'iptables-version': 'iptables',
  'nft-version': 'nft',
  'ipvsadm-version': 'ipvsadm',
  'kernel-release': 'kernel',
};

function toolVersions(files: readonly SnapshotFile[], nodeObject: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of files) {
    const line = f.text.trim().split('\n')[0]?.trim();
    if (f.kind !== 'version' || !line) continue;
    out[f.commandId ? (VERSION_KEYS[f.commandId] ?? f.commandId) : f.name.replace(/\.[^.]*$/, '')] = line;
  }
  const info = (nodeObject?.['status'] as { nodeInfo?: Record<string, unknown> } | undefined)?.nodeInfo;
  for (const [key, field] of [['kubelet', 'kubeletVersion'], ['kube-proxy', 'kubeProxyVersion']] as const) {
    const value = info?.[field];
    if (typeof value === 'string' && value !== '') out[key] = value;
  }
  return out;
}

export function buildSnapshot(parts: SnapshotParts): Snapshot {
  const nodeObject = parts.clusterState?.nodes.find((n) => n.metadata.name === parts.node);
  const interfaceAddresses = parts.files.flatMap((f) =>
    f.kind === 'ip-addr-json' ? addressesFromIpAddrJson(f.text) : f.kind === 'ip-addr-text' ? addressesFromIpAddrText(f.text) : [],
  );
  const derived = nodeIPsFrom(nodeObject as NodeAddressSource | undefined, interfaceAddresses);
  const configuredMode = parts.clusterState?.kubeProxyConfig?.['mode'];
  return {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    id: snapshotId(parts.collection, parts.node),
    collection: snapshotId(parts.collection, parts.node).split('~')[0]!,
    node: parts.node,
    cluster: parts.cluster,
    context: parts.context,
    nodeIPs: [...new Set([...derived, ...(parts.extraNodeIPs ?? [])])],
    takenAt: parts.takenAt,
    mode: detectProxyMode(parts.files, typeof configuredMode === 'string' ? configuredMode : null),
    toolVersions: toolVersions(parts.files, nodeObject),
    problems: [...parts.problems],
    files: [...parts.files],
    clusterState: parts.clusterState,
    ...(parts.source === undefined ? {} : { source: parts.source }),
  };
}

/** `node:worker-2 command-timeout: conntrack: no result within 300000 ms`. */
export function formatSnapshotProblem(p: SnapshotProblem): string {
  return `${p.source}:${p.subject} ${p.code}: ${p.message}`;
}
