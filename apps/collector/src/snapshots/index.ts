// Public surface of the snapshot store: the format lives in @svcpath/api-contract; this folder
// collects, stores, exports and imports it. See README.md.
export { collectSnapshot, filesFromNodeDumps } from './collect-snapshot.js';
export type { CollectSnapshotOptions, CollectSnapshotResult } from './collect-snapshot.js';
export { buildSnapshot, formatSnapshotProblem } from './build-snapshot.js';
export type { SnapshotParts } from './build-snapshot.js';
export { createFileSnapshotStore, defaultSnapshotStoreDir } from './file-snapshot-store.js';
export type { SnapshotStore, SnapshotSummary, StoreProblem } from './snapshot-store.js';
export { decodeSnapshotDocument, encodeCollection, snapshotsOf } from './snapshot-codec.js';
export { readImportSource } from './read-import-source.js';
export type { ImportSourceKind } from './read-import-source.js';
export { snapshotFromPlainFiles } from './import-dumps.js';
export type { ImportOptions, PlainFile } from './import-dumps.js';
export { detectDumpKind } from './dump-kind.js';
export { detectProxyMode } from './proxy-mode.js';
export { traceableFiles } from '@svcpath/api-contract';
export { unknownWithoutClusterState } from './cluster-state-limits.js';
export { validateSnapshot } from './validate-snapshot.js';
export { SnapshotError, isSnapshotError } from './snapshot-error.js';
export type { SnapshotErrorCode, SnapshotErrorInfo } from './snapshot-error.js';
