/** @svcpath/kernel-lab: ask the real kernel what a ruleset does to packets. See README.md. */
export type { Lab, LabListener, LabProto, LabSpec, ProbeRequest, ProbeResult } from './lab-types';
export { createLab } from './lab';
export { labAvailable } from './lab-available';
export { outcomeKey, summarize, type OutcomeKeyOptions } from './outcome';
export { tolerance, withinTolerance, TOLERANCE_SLACK } from './tolerance';
export { planTopology, type LabNames, type TopologyPlan } from './topology';
export { CommandFailedError } from './run-command';
export { LabSpecError } from './lab-spec-check';
export { checkFlow, predictedKey, type Flow, type FlowCheck } from './verify/compare-trace';
export { restorableDump, type RestorableDump } from './restorable-dump';
