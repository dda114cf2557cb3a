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

/**
 * For a packet that passed untranslated: the nat rule that ended the walk before kube-proxy's
 * KUBE-SERVICES could translate it (an ACCEPT or RETURN), else the last step.
 */
export function bypassStep(o: Outcome): PathStep | null {
  return o.path.find((s) => s.table === 'nat' && !isKubeChain(s) && /^(ACCEPT|RETURN)\b/.test(s.action)) ?? decidingStep(o);
}
