export { FlowInput, FlowList, describeIssues } from './flow-input';
export {
  SNAPSHOT_FORMAT_VERSION,
  DumpKind,
  ProxyMode,
  Snapshot,
  SnapshotClusterState,
  SnapshotCollectionFile,
  SnapshotFile,
  SnapshotProblem,
  formatSnapshotDocument,
  safeSnapshotName,
  snapshotId,
} from './snapshot';
export { SNAPSHOT_MIGRATIONS, migrateSnapshotDocument, readSnapshotDocument } from './snapshot-version';
export type { SnapshotDocument, SnapshotDocumentResult } from './snapshot-version';
export { traceableFiles } from './snapshot-traceable';
export { ImportRequest, ImportPhase, ImportStatus, importEnded } from './import-job';
export { FindingEvidence, FindingResponse, FindingsResponse } from './findings-response';
export type { CollectionJobView, CollectionRequest, CountersWindow, LoadSummary, SnapshotDetail, SnapshotMeta, TraceSource } from './responses';
export type { FleetRunRequest, FleetRunView } from './fleet-run';
