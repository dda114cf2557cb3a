import type { Finding, FindingCause } from './finding';

/** Drift on one Service port, which kube-proxy not syncing at all explains. */
const SYNC_DRIFT = new Set(['DRIFT_SERVICE_MISSING', 'DRIFT_SERVICE_STALE', 'DRIFT_ENDPOINT_MISSING', 'DRIFT_ENDPOINT_STALE', 'DRIFT_AFFINITY', 'DRIFT_PROBABILITY']);

/** Why a Service port has no endpoints, as the cluster says (ns/svc or ns/svc:port findings). */
const NO_ENDPOINT_CAUSES = ['SVC_SELECTOR_NO_PODS', 'SVC_TARGET_PORT_NOT_FOUND', 'SVC_PROTOCOL_MISMATCH'] as const;

/** `ns/svc` of `ns/svc:port`. */
const serviceOf = (name: string | undefined) => name?.split(':')[0];

/**
 * Links findings that follow from another one to their cause: a Service port without endpoints
 * whose selector matches no Pod (or whose named targetPort no Pod declares), and per-Service drift
 * on a node whose kube-proxy stopped syncing. The consequence keeps its own evidence; the report
 * shows it under its cause instead of beside it as an equal.
 */
export function linkCauses(findings: readonly Finding[]): Finding[] {
  const notSyncing = findings.find((f) => f.code === 'DRIFT_NODE_NOT_SYNCING' && f.node === undefined);
  // The findings that can explain a port without endpoints, in order: searched for each such port,
  // they are few, where all findings of a stale large node are tens of thousands.
  const explaining = findings.filter((f) => (NO_ENDPOINT_CAUSES as readonly string[]).includes(f.code));
  return findings.map((f) => {
    const cause = causeOf(f, explaining, notSyncing);
    return cause ? { ...f, cause } : f;
  });
}

function causeOf(f: Finding, explaining: readonly Finding[], notSyncing: Finding | undefined): FindingCause | null {
  if (f.cause) return f.cause;
  if (notSyncing && SYNC_DRIFT.has(f.code)) return { code: notSyncing.code };
  if (f.code !== 'SVC_NO_ENDPOINTS' || f.service === undefined) return null;
  for (const code of NO_ENDPOINT_CAUSES) {
    const c = explaining.find((x) => x.code === code && (x.service === f.service || (code === 'SVC_SELECTOR_NO_PODS' && x.service === serviceOf(f.service))));
    // A numeric targetPort mismatch still yields endpoints; only the named ones (critical) explain none.
    if (c && (code === 'SVC_SELECTOR_NO_PODS' || c.severity === 'critical')) return { code, ...(c.service ? { service: c.service } : {}) };
  }
  return null;
}
