import type { Snapshot as SnapshotDocument } from '@svcpath/api-contract';
import { buildSnapshot, detectDumpKind } from '@svcpath/collector';
import type { Snapshot } from './snapshot';

/**
 * The stored document of a snapshot: the one it came from (a collection, an export file), or, for
 * dumps imported through the API, one assembled the way the collector assembles imports (each file's
 * kind detected from its text and name). The id is the server's, which may carry a `-2` suffix.
 */
export function documentOfSnapshot(s: Snapshot): SnapshotDocument {
  if (s.document) return s.document.id === s.id ? s.document : { ...s.document, id: s.id };
  const doc = buildSnapshot({
    collection: s.collection,
    node: s.node,
    takenAt: s.takenAt,
    cluster: null,
    context: s.clusterState?.context ?? null,
    files: s.files.map((f) => ({ name: f.name, text: f.text, kind: detectDumpKind(f.name, f.text), commandId: null, truncated: false, partial: false })),
    clusterState: s.clusterState ?? null,
    problems: [],
    extraNodeIPs: s.nodeIPs,
    source: 'imported through the svcpath server',
  });
  return { ...doc, id: s.id };
}
