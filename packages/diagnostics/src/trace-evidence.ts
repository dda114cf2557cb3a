import type { Ruleset } from '@svcpath/ruleset';
import type { Outcome, PacketSpec, PathStep } from '@svcpath/tracer';
import { ruleEvidence, type RuleEvidence, type TraceEvidence } from './finding';

export function packetText(p: PacketSpec): string {
  return `${p.proto} ${p.src.text} → ${p.dst.family === 6 ? `[${p.dst.text}]` : p.dst.text}:${p.dport}`;
}

/** A traced outcome as evidence. */
export function traceEvidence(packet: PacketSpec, o: Outcome): TraceEvidence {
  return {
    kind: 'trace',
    packet: packetText(packet),
    verdict: o.verdict,
    probability: o.probability,
    destination: o.destination,
    path: o.path.map((s) => ({ table: s.table, chain: s.chain, rule: s.rule, file: s.file, line: s.line, action: s.action })),
  };
}

/** The step that decided a DROP or REJECT: the last one on the path. */
export function decidingStep(o: Outcome): PathStep | null {
  return o.path[o.path.length - 1] ?? null;
}

/** The rule of a path step, as evidence (null for a chain policy, rule 0). */
export function stepRule(rs: Ruleset, s: PathStep): RuleEvidence | null {
  const id = `${s.table}/${s.chain}`;
  const rule = s.rule > 0 ? rs.chains.get(id)?.rules[s.rule - 1] : undefined;
  return rule ? ruleEvidence(id, rule) : null;
}

/** Whether a chain is kube-proxy's (or kubelet's KUBE-FIREWALL): KUBE-* in iptables, the kube-proxy table in nft. */
export function isKubeChain(s: Pick<PathStep, 'table' | 'chain'>): boolean {
  return s.chain.startsWith('KUBE-') || /(^|\s)kube-proxy$/.test(s.table);
}

/** Whether a path step is kube-proxy's Service dispatch: nat/KUBE-SERVICES (or the jump to it), or the nft kube-proxy table. */
function isServiceDispatch(s: PathStep): boolean {
  if (/(^|\s)kube-proxy$/.test(s.table)) return true;
  return s.table === 'nat' && (s.chain === 'KUBE-SERVICES' || /^(jump|goto) KUBE-SERVICES$/.test(s.action));
}

/**
 * Whether a packet that left untranslated ever reached kube-proxy's Service dispatch on its way in
 * (nat PREROUTING for Pod and outside traffic, nat OUTPUT for the node's own). If it did,
 * KUBE-SERVICES simply holds no rule for the destination — a missing or stale Service (drift), not
 * a bypass: the kernel walks PREROUTING → KUBE-SERVICES and falls through.
 */
export function reachedServiceDispatch(o: Outcome): boolean {
  return o.path.some((s) => (s.hook === 'prerouting' || s.hook === 'output') && isServiceDispatch(s));
}

/**
 * For a packet that passed untranslated without reaching KUBE-SERVICES: the nat rule on the way in
 * (PREROUTING or OUTPUT, outside kube-proxy's chains) that ended the walk with ACCEPT or RETURN.
 * Rules at later hooks (KUBE-POSTROUTING's RETURN) run after the translation point and never
 * decide it; null when no such rule exists (the jump to KUBE-SERVICES itself is missing).
 */
export function bypassStep(o: Outcome): PathStep | null {
  return o.path.find((s) => s.table === 'nat' && (s.hook === 'prerouting' || s.hook === 'output') && !isKubeChain(s) && /^(ACCEPT|RETURN)\b/.test(s.action)) ?? null;
}
