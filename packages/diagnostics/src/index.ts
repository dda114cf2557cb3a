export { diagnose, type Diagnosis } from './diagnose';
export { compareNodes, type CompareOptions, type NodeRules } from './compare-nodes';
export { flowMatrix, outcomeKey, type FlowMatrix, type MatrixNode, type MatrixNodeSummary, type MatrixPacket, type MatrixRow } from './flow-matrix';
export { FINDING_CODES, helpAnchor, type FindingCode } from './codes';
export { rankFindings, isCause, type Evidence, type Finding, type FindingCause, type ObjectEvidence, type RuleEvidence, type Severity, type TraceEvidence, type SysctlEvidence, type IpvsEvidence } from './finding';
export type { DiagnoseInput, DiagnoseClusterState, IpvsInput, DummyAddress } from './context';
export { parseDummyAddresses } from './dummy-addresses';
export { clusterStateOfSnapshot, type StoredClusterState } from './snapshot-cluster-state';
