/**
 * The checks every snapshot passes before the store writes it or an import accepts it: the schema,
 * an id that matches its collection and node, unique file names, and cluster state narrowed to the
 * allow-listed fields (so no credential is ever written).
 */
import { Snapshot, describeIssues, snapshotId } from '@svcpath/api-contract';
import { sanitizeClusterState } from './cluster-state-doc.js';
import { SnapshotError } from './snapshot-error.js';

/** Returns the snapshot as it will be stored; throws SnapshotError INVALID naming the field. */
export function validateSnapshot(input: unknown, where: string): Snapshot {
  const parsed = Snapshot.safeParse(input);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw new SnapshotError('INVALID', `${where}: not a valid snapshot:\n  ${issues.slice(0, 10).join('\n  ')}`, {
      file: where,
      ...(issues[0] ? { field: issues[0].split(':')[0] } : {}),
      issues,
    });
  }
  const s = parsed.data;
  const expected = snapshotId(s.collection, s.node);
  if (s.id !== expected)
    throw new SnapshotError('INVALID', `${where}: id: "${s.id}" should be "${expected}" (collection~node)`, { file: where, field: 'id' });
  const seen = new Set<string>();
  s.files.forEach((f, i) => {
    if (seen.has(f.name))
      throw new SnapshotError('INVALID', `${where}: files[${i}].name: "${f.name}" appears twice`, { file: where, field: `files[${i}].name` });
    seen.add(f.name);
  });
  return s.clusterState === null ? s : { ...s, clusterState: sanitizeClusterState(s.clusterState, where) };
}
