/**
 * Every finding code the doctor emits. Codes are stable (tools key on them); each has an anchor in
 * docs/doctor.md — the heading is the code, so the anchor is the code in lower case.
 */
export const FINDING_CODES = [
  // What the cluster says (Services, EndpointSlices, Pods)
  'SVC_NO_ENDPOINTS',
  'SVC_NO_READY_ENDPOINTS',
  'SVC_TERMINATING_ONLY',
  'SVC_SELECTOR_NO_PODS',
  'SVC_TARGET_PORT_NOT_FOUND',
  'SVC_PROTOCOL_MISMATCH',
  'SVC_HEADLESS',
  'SVC_EXTERNAL_NAME',
  // Traffic policies
  'POLICY_EXTERNAL_NO_LOCAL',
  'POLICY_INTERNAL_NO_LOCAL',
  // Session affinity
  'AFFINITY_SINGLE_ENDPOINT',
  'AFFINITY_UNEVEN_LOAD',
  // The node's rules against the cluster
  'DRIFT_SERVICE_MISSING',
  'DRIFT_SERVICE_STALE',
  'DRIFT_ENDPOINT_MISSING',
  'DRIFT_ENDPOINT_STALE',
  'DRIFT_PROBABILITY',
  'DRIFT_AFFINITY',
  'DRIFT_EMPTY_LADDER',
  'DRIFT_NODE_NOT_SYNCING',
  'NODE_ODD_ONE_OUT',
  // Netfilter around kube-proxy's rules
  'HOOK_KUBE_SERVICES_UNREACHED',
  'FILTER_DROP_BEFORE_KUBE',
  'CONNTRACK_INVALID_DROP',
  'CONNTRACK_TABLE_FULL',
  'CONNTRACK_STALE_ENTRY',
  'HAIRPIN_NO_MASQUERADE',
  'SYSCTL_ROUTE_LOCALNET',
  // IPVS mode
  'IPVS_VIP_NOT_ON_DUMMY',
  'IPVS_VIP_NOT_IN_IPSET',
  'IPVS_ALL_WEIGHT_ZERO',
  'IPVS_UNEVEN_SCHEDULING',
  'DRIFT_VIRTUAL_SERVICE_MISSING',
  // One flow (--from / --to)
  'FLOW_BLOCKED',
  'FLOW_NOT_A_SERVICE',
  'FLOW_DELIVERED',
  'FLOW_UNKNOWN_TARGET',
] as const;

export type FindingCode = (typeof FINDING_CODES)[number];

/** The help anchor of a code, relative to the repository root. */
export function helpAnchor(code: FindingCode): string {
  return `docs/doctor.md#${code.toLowerCase()}`;
}
