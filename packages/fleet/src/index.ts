export * from './model';
export { makeNodeDigest, digestOfStates, type NodeDigestOptions } from './node-digest';
export { readPortStates } from './read-port-states';
export { hash64, bucketOf, portHash, canonicalPortState } from './digest-hash';
export { expectedPortState, planPorts, type PortPlan } from './expected-states';
export { fleetExpectation, type FleetExpectation, type NodeExpectation } from './fleet-expectation';
export { fleetAggregator, type FleetAggregator } from './aggregate';
export { comparePort, describeDisagreement } from './compare-port';
export { formatFleetReport, type FormatOptions } from './format-fleet';
