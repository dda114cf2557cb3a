import { parseIP, type IP } from '@svcpath/netaddr';
import { comparePort, type ProbePair } from './compare-port';
import { foreignRulesBeforeServices, type ForeignRule } from './foreign-rules';
import type { DiffReport, DiffSide, NodeChange, ServicePortDiff } from './model';
import { planProbes, probeSources } from './probes';
import { serviceAddresses } from './service-ports';
import { serviceOfPortName } from '@svcpath/proxy-layout';
import { unchangedServices } from './rule-fingerprints';
import { runProbe } from './run-probe';
import { sidePorts, type SidePort } from './service-ports';

function modeOf(side: DiffSide): string {
  return side.ruleset.dataplane;
}

function localAddresses(side: DiffSide): IP[] {
  return side.nodeIPs.flatMap((a) => parseIP(a) ?? []);
}

/**
 * What changed between two dumps of one node, in Service terms: per Service port, endpoints,
 * shares, affinity, NodePorts, addresses, REJECT/DROP, masquerade and reachability; for the node,
 * rules kube-proxy did not write that now run before its Service dispatch. The same packets are
 * traced on both sides (see probes.ts), so two modes of one cluster differ only where their
 * packets do. Only Service ports with changes are listed.
 */
export function diffRulesets(before: DiffSide, after: DiffSide): DiffReport {
  const b = sidePorts(before.ruleset, before.nodeIPs);
  const a = sidePorts(after.ruleset, after.nodeIPs);
  const nodeIPs = [...new Set([...before.nodeIPs, ...after.nodeIPs])];
  const allEndpoints = [...b.values(), ...a.values()].flatMap((p) => p.info.endpoints);
  const sources = probeSources(allEndpoints, nodeIPs, serviceAddresses([...b.values(), ...a.values()]));
  const localB = localAddresses(before);
  const localA = localAddresses(after);
  const servicePorts: ServicePortDiff[] = [];
  const keys = [...new Set([...b.keys(), ...a.keys()])];
  // Same mode, same rules for a Service and for everything shared: nothing to trace (see rule-fingerprints.ts).
  const same = unchangedServices(before.ruleset, after.ruleset);
  for (const key of keys) {
    const pb = b.get(key);
    const pa = a.get(key);
    if (pb && pa && pb.info.portName === pa.info.portName && same.has(serviceOfPortName(pb.info.portName))) continue;
    const pairs: ProbePair[] = planProbes(pb, pa, sources, allEndpoints).map((probe) => ({ probe, before: runProbe(before.ruleset, localB, probe), after: runProbe(after.ruleset, localA, probe) }));
    const changes = comparePort(pb, pa, pairs);
    if (changes.length > 0) servicePorts.push({ portName: displayName(pb, pa), key, changes });
  }
  servicePorts.sort((x, y) => x.portName.localeCompare(y.portName));
  return {
    before: { label: before.label, mode: modeOf(before) },
    after: { label: after.label, mode: modeOf(after) },
    servicePorts,
    node: foreignRuleChanges(foreignRulesBeforeServices(before.ruleset), foreignRulesBeforeServices(after.ruleset)),
    compared: keys.length,
    notes: probeNotes(sources),
  };
}

/** The ServicePortName, preferring a side that names it (IPVS keeps only addresses). */
function displayName(b: SidePort | undefined, a: SidePort | undefined): string {
  const named = [a, b].find((p) => p && !p.ipvsOnly) ?? a ?? b;
  return named!.info.portName;
}

function foreignRuleChanges(before: readonly ForeignRule[], after: readonly ForeignRule[]): NodeChange[] {
  const count = (list: readonly ForeignRule[]) => {
    const m = new Map<string, ForeignRule[]>();
    for (const r of list) m.set(r.identity, [...(m.get(r.identity) ?? []), r]);
    return m;
  };
  const cb = count(before);
  const ca = count(after);
  const out: NodeChange[] = [];
  for (const [id, rules] of ca) for (const r of rules.slice(cb.get(id)?.length ?? 0)) out.push({ kind: 'foreign-rule-added', hook: r.hook, evidence: { before: [], after: [r.rule] } });
  for (const [id, rules] of cb) for (const r of rules.slice(ca.get(id)?.length ?? 0)) out.push({ kind: 'foreign-rule-removed', hook: r.hook, evidence: { before: [r.rule], after: [] } });
  return out;
}

function probeNotes(s: ReturnType<typeof probeSources>): string[] {
  const notes = [`packets from outside come from ${s.outside} (a documentation address no Service, endpoint or node uses)`];
  if (s.pod === null) notes.push('no endpoint address is known, so no packet was traced from a Pod');
  if (s.node === null) notes.push('the node\'s addresses are not known: NodePorts were tried on 127.0.0.1 only and nothing was traced from the node (give the node IPs)');
  return notes;
}
