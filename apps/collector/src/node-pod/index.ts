// Public surface of the Pod-based node-dump collector (opt-in; see README.md). Like the SSH
// collector, nothing here accepts a command string: callers select catalogue entries by id.
export {
  collectNodeDumpsViaPod,
  DEFAULT_POD_IMAGE,
  DEFAULT_POD_NAMESPACE,
  DEFAULT_START_TIMEOUT_MS,
} from './collect-node-dumps-via-pod.js';
export type {
  CollectNodeDumpsViaPodOptions,
  PodDumpProgress,
  PodNodeDumpResult,
} from './collect-node-dumps-via-pod.js';
export { collectSnapshotViaPod } from './collect-snapshot-via-pod.js';
export type { CollectSnapshotViaPodOptions, DumpPodOptions } from './collect-snapshot-via-pod.js';
export { MANAGED_BY_LABEL } from './node-dump-pod.js';
export { PodCollectError, REQUIRED_RBAC, isPodCollectError } from './pod-collect-error.js';
export type { PodCollectErrorCode, PodCollectErrorInfo } from './pod-collect-error.js';
export type { PodDumpProblem, PodProblem } from './pod-dump-problems.js';
export { collectFleet, DEFAULT_FLEET_CONCURRENCY, DEFAULT_NODE_TIMEOUT_MS } from './collect-fleet.js';
export type { CollectFleetOptions, FleetCollection, FleetNodeOutcome, FleetProgress } from './collect-fleet.js';
