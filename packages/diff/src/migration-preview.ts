import { parseIP } from '@svcpath/netaddr';
import { causeInfo, type CauseInfo, type MigrationCause } from './migration-causes';
import type { DiffSide, Evidence, Probe, ProbeResult } from './model';
import { planProbes, probeSources } from './probes';
import { dnatShare, runProbe, summarizeProbe } from './run-probe';
import { serviceAddresses, sidePorts } from './service-ports';

/** The inputs of a preview: the node's rules, the target mode's rendering, and optionally the current mode's. */
export interface MigrationInput {
  readonly current: DiffSide;
  readonly target: DiffSide;
  readonly to: 'nftables' | 'iptables';
  /**
   * The cluster state rendered in the node's current mode: where it disagrees with the node's own
   * rules, the change is drift, not the mode (absent for IPVS, which svcpath does not render).
   */
  readonly baseline?: DiffSide;
}

/** One flow whose outcome changes. */
export interface ChangedFlow {
  readonly portName: string;
  readonly probe: Probe;
  readonly before: string;
  readonly after: string;
  readonly evidence: Evidence;
}

export interface MigrationGroup extends CauseInfo {
  readonly cause: MigrationCause;
  readonly flows: readonly ChangedFlow[];
}

export interface MigrationPreview {
  readonly from: string;
  readonly to: 'nftables' | 'iptables';
  /** Flows traced on both sides, and how many of them change. */
  readonly traced: number;
  readonly changed: number;
  readonly groups: readonly MigrationGroup[];
  readonly notes: readonly string[];
}

/** What a probe's packets meet, in words, with the masquerade share when it is not all-or-nothing zero. */
function outcomeText(r: ProbeResult): string {
  const dnat = dnatShare(r);
  const masq = r.outcomes.reduce((a, o) => a + o.masqueradedShare, 0);
  return `${summarizeProbe(r)}${dnat > 0 && masq > 0 ? `, masqueraded${masq < dnat - 1e-9 ? ` (${Math.round((masq / dnat) * 100)}%)` : ''}` : ''}`;
}

function endpointsOf(r: ProbeResult): string {
  return r.outcomes.filter((o) => o.verdict === 'DNAT').map((o) => `${o.destination}=${o.share.toFixed(6)}`).sort().join(',');
}

function classify(probe: Probe, cur: ProbeResult, tgt: ProbeResult, base: ProbeResult | null): MigrationCause {
  if (base && (outcomeText(base) !== outcomeText(cur) || endpointsOf(base) !== endpointsOf(cur))) return 'drift';
  if (probe.entry === 'wrong-port') return 'clusterip-wrong-port';
  if (probe.entry === 'node-port') return probe.dst === '127.0.0.1' ? 'localhost-nodeports' : 'nodeport-addresses';
  if (summarizeProbe(cur) === summarizeProbe(tgt)) return 'masquerade';
  return 'other';
}

/**
 * Which flows change outcome if kube-proxy on this node moved to another mode: every Service port
 * from a Pod, from the node and from outside, its NodePort on every node address (127.0.0.1 too)
 * from outside and from the node, external and load-balancer IPs, and a port the Service does not
 * define — traced on the node's rules and on the target mode's rendering, grouped by cause.
 */
export function migrationPreview(input: MigrationInput): MigrationPreview {
  const { current, target, baseline } = input;
  const cur = sidePorts(current.ruleset, current.nodeIPs);
  const tgt = sidePorts(target.ruleset, target.nodeIPs);
  const all = [...cur.values(), ...tgt.values()];
  const allEndpoints = all.flatMap((p) => p.info.endpoints);
  const sources = probeSources(allEndpoints, current.nodeIPs, serviceAddresses(all));
  const usedPorts = new Set(all.flatMap((p) => (p.info.clusterIP !== null && p.info.port !== null ? [`${p.info.clusterIP}:${p.info.port}`] : [])));
  const local = (s: DiffSide) => s.nodeIPs.flatMap((a) => parseIP(a) ?? []);
  const groups = new Map<MigrationCause, ChangedFlow[]>();
  let traced = 0;
  for (const key of [...new Set([...cur.keys(), ...tgt.keys()])].sort()) {
    const a = cur.get(key);
    const b = tgt.get(key);
    const portName = [b, a].find((p) => p && !p.ipvsOnly)?.info.portName ?? (a ?? b)!.info.portName;
    for (const probe of planProbes(a, b, sources, allEndpoints, { usedPorts })) {
      traced++;
      const rc = runProbe(current.ruleset, local(current), probe);
      const rt = runProbe(target.ruleset, local(target), probe);
      if (outcomeText(rc) === outcomeText(rt) && endpointsOf(rc) === endpointsOf(rt)) continue;
      const rb = baseline ? runProbe(baseline.ruleset, local(baseline), probe) : null;
      const cause = classify(probe, rc, rt, rb);
      const flow: ChangedFlow = { portName, probe, before: outcomeText(rc), after: outcomeText(rt), evidence: { before: rc.outcomes[0]?.path ?? [], after: rt.outcomes[0]?.path ?? [] } };
      groups.set(cause, [...(groups.get(cause) ?? []), flow]);
    }
  }
  const out: MigrationGroup[] = [...groups].map(([cause, flows]) => ({ cause, ...causeInfo(cause, input.to), flows }));
  const notes = baseline ? [] : ['the current mode is not rendered (IPVS), so drift cannot be told from mode differences'];
  return { from: current.ruleset.dataplane, to: input.to, traced, changed: out.reduce((n, g) => n + g.flows.length, 0), groups: out, notes };
}
