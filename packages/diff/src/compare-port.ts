import type { AddressRole, Evidence, FlowOutcome, Probe, ProbeResult, RuleLine, ServicePortChange } from './model';
import { dnatShare, endpointShares, summarizeProbe, verdictShare } from './run-probe';
import type { SidePort } from './service-ports';

/** Shares closer than this are the same share (the kernel draws in steps of 2⁻³¹). */
const EPSILON = 1e-6;

/** One probe traced on both sides. */
export interface ProbePair {
  readonly probe: Probe;
  readonly before: ProbeResult;
  readonly after: ProbeResult;
}

const pathOf = (o: FlowOutcome | undefined): readonly RuleLine[] => o?.path ?? [];

/** The path of the outcome `pick` chooses, else of the first outcome. */
function pathWhere(r: ProbeResult, pick: (o: FlowOutcome) => boolean): readonly RuleLine[] {
  return pathOf(r.outcomes.find(pick) ?? r.outcomes[0]);
}

function evidenceWhere(pair: ProbePair, pick: (o: FlowOutcome) => boolean): Evidence {
  return { before: pathWhere(pair.before, pick), after: pathWhere(pair.after, pick) };
}

/** Whether a probe's entry exists on a side (a NodePort or address that one side lacks is reported once, as such). */
function entryOn(side: SidePort | undefined, p: Probe): boolean {
  const info = side?.info;
  if (!info) return false;
  switch (p.entry) {
    case 'cluster-ip':
      return info.clusterIP === p.dst && info.port === p.dport;
    case 'wrong-port':
      return info.clusterIP === p.dst;
    case 'node-port':
      return info.nodePort === p.dport;
    case 'external-ip':
      return info.externalIPs.includes(p.dst);
    case 'load-balancer-ip':
      return info.loadBalancerIPs.includes(p.dst);
    default: {
      const never: never = p.entry;
      return never;
    }
  }
}

/**
 * The changes of one Service port between two sides, from its catalogue entries and the probes
 * traced on both. The first probe (ClusterIP from a Pod) decides endpoints and shares; every
 * probe can show REJECT/DROP, masquerade and reachability changes.
 */
export function comparePort(before: SidePort | undefined, after: SidePort | undefined, pairs: readonly ProbePair[]): ServicePortChange[] {
  const primary = pairs[0];
  if (!before || !after) {
    const side = (after ?? before)!;
    const ev: Evidence = primary ? (after ? { before: [], after: pathWhere(primary.after, () => true) } : { before: pathWhere(primary.before, () => true), after: [] }) : { before: [], after: [] };
    return [{ kind: after ? 'service-port-added' : 'service-port-removed', endpoints: side.info.endpoints, evidence: ev }];
  }
  const out: ServicePortChange[] = [];
  out.push(...addressChanges(before, after, pairs));
  if (before.info.affinitySeconds !== after.info.affinitySeconds && primary)
    out.push({ kind: 'affinity-changed', before: before.info.affinitySeconds, after: after.info.affinitySeconds, evidence: evidenceWhere(primary, (o) => o.verdict === 'DNAT') });
  if (primary) out.push(...endpointChanges(primary));
  for (const pair of pairs) if (entryOn(before, pair.probe) && entryOn(after, pair.probe)) out.push(...probeChanges(pair));
  return out;
}

function addressChanges(before: SidePort, after: SidePort, pairs: readonly ProbePair[]): ServicePortChange[] {
  const out: ServicePortChange[] = [];
  const entryEvidence = (entry: Probe['entry'], dst?: string): Evidence => {
    const pair = pairs.find((p) => p.probe.entry === entry && (dst === undefined || p.probe.dst === dst));
    return pair ? { before: pathWhere(pair.before, () => true), after: pathWhere(pair.after, () => true) } : { before: [], after: [] };
  };
  if (before.info.nodePort !== after.info.nodePort)
    out.push({ kind: 'node-port-changed', before: before.info.nodePort, after: after.info.nodePort, evidence: entryEvidence('node-port') });
  // Compared as one list: nftables' maps do not say whether an address outside `firewall-ips` is an
  // external IP or a load balancer's, so a role that differs between modes is no change.
  const roles = (p: SidePort) => new Map<string, AddressRole>([...p.info.externalIPs.map((ip) => [ip, 'external-ip'] as const), ...p.info.loadBalancerIPs.map((ip) => [ip, 'load-balancer-ip'] as const)]);
  const b = roles(before);
  const a = roles(after);
  for (const [address, role] of a) if (!b.has(address)) out.push({ kind: 'address-added', role, address, evidence: entryEvidence(role, address) });
  for (const [address, role] of b) if (!a.has(address)) out.push({ kind: 'address-removed', role, address, evidence: entryEvidence(role, address) });
  return out;
}

function endpointChanges(pair: ProbePair): ServicePortChange[] {
  const b = endpointShares(pair.before);
  const a = endpointShares(pair.after);
  const out: ServicePortChange[] = [];
  const at = (endpoint: string) => evidenceWhere(pair, (o) => o.destination === endpoint);
  for (const [endpoint, share] of a) if (!b.has(endpoint)) out.push({ kind: 'endpoint-added', endpoint, share, evidence: { before: [], after: at(endpoint).after } });
  for (const [endpoint, share] of b) if (!a.has(endpoint)) out.push({ kind: 'endpoint-removed', endpoint, share, evidence: { before: at(endpoint).before, after: [] } });
  for (const [endpoint, share] of a) {
    const was = b.get(endpoint);
    if (was !== undefined && Math.abs(was - share) > EPSILON) out.push({ kind: 'share-changed', endpoint, before: was, after: share, evidence: at(endpoint) });
  }
  return out;
}

function probeChanges(pair: ProbePair): ServicePortChange[] {
  const out: ServicePortChange[] = [];
  const { probe } = pair;
  for (const verdict of ['REJECT', 'DROP'] as const) {
    const b = verdictShare(pair.before, verdict);
    const a = verdictShare(pair.after, verdict);
    const ev = evidenceWhere(pair, (o) => o.verdict === verdict);
    if (b <= EPSILON && a > EPSILON) out.push({ kind: 'verdict-added', verdict, probe, share: a, evidence: ev });
    if (a <= EPSILON && b > EPSILON) out.push({ kind: 'verdict-removed', verdict, probe, share: b, evidence: ev });
  }
  const db = dnatShare(pair.before);
  const da = dnatShare(pair.after);
  if ((db > EPSILON) !== (da > EPSILON) && out.length === 0)
    out.push({ kind: 'reachability-changed', probe, before: summarizeProbe(pair.before), after: summarizeProbe(pair.after), evidence: evidenceWhere(pair, () => true) });
  if (db > EPSILON && da > EPSILON) {
    const mb = masqueradeFraction(pair.before, db);
    const ma = masqueradeFraction(pair.after, da);
    if (Math.abs(mb - ma) > EPSILON) out.push({ kind: 'masquerade-changed', probe, before: mb, after: ma, evidence: evidenceWhere(pair, (o) => o.verdict === 'DNAT') });
  }
  return out;
}

/** The fraction of the DNATed traffic that is masqueraded. */
function masqueradeFraction(r: ProbeResult, dnat: number): number {
  return r.outcomes.filter((o) => o.verdict === 'DNAT').reduce((a, o) => a + o.masqueradedShare, 0) / dnat;
}
