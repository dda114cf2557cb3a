// Public surface of live fleet collection: one digest Pod per node, aggregated (see README.md).
export { collectLiveFleet, DEFAULT_DIGEST_NODE_TIMEOUT_MS, LiveFleetError } from './collect-live-fleet.js';
export type { LiveFleetOptions, LiveFleetProgress, LiveFleetResult } from './collect-live-fleet.js';
export { DEFAULT_DIGEST_IMAGE, DEFAULT_DIGEST_NAMESPACE, nodeDigestPod } from './node-digest-pod.js';
export { parseNodeSelector } from './node-selector.js';
