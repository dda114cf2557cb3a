/** @svcpath/counters: where packets went between two `iptables-save -c` dumps of one node. See README.md. */
export { counterDeltas, type CounterDeltaReport, type RuleDelta, type ServiceCounters, type DeltaBasis } from './counter-deltas';
