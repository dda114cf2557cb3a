import { chainKindOf } from '@svcpath/proxy-layout';
import { parseIP, type IP } from '@svcpath/netaddr';
import type { Ruleset } from '@svcpath/ruleset';
import { trace, type Outcome, type PathStep } from '@svcpath/tracer';
import type { FlowOutcome, Probe, ProbeResult, RuleLine } from './model';

/** The rule line a path step stands for, with the rule's text when the ruleset has it. */
export function ruleLineOf(rs: Ruleset, step: PathStep): RuleLine {
  const chain = `${step.table}/${step.chain}`;
  const rule = step.rule > 0 ? rs.chains.get(chain)?.rules[step.rule - 1] : undefined;
  return { file: step.file, line: step.line, chain, text: rule?.raw ?? step.action };
}

/** Chains every Service's packets pass the same way: hook jumps, marking, masquerading, forwarding. */
const PLUMBING = new Set(['builtin', 'mark-masq', 'postrouting', 'proxy-firewall', 'firewall', 'forward']);

/**
 * The steps of a path that say something about this Service port: dispatch, per-Service and
 * per-endpoint chains, anything that is not kube-proxy's, and the rule that rejects or drops. The hook
 * jumps and the shared masquerade chains are the same for every Service and would bury the rest.
 */
function tellingSteps(path: readonly PathStep[], verdict: Outcome['verdict']): PathStep[] {
  const dies = verdict === 'REJECT' || verdict === 'DROP';
  return path.filter((s, i) => (dies && i === path.length - 1) || s.chain.startsWith('local-') || !PLUMBING.has(chainKindOf(s.chain)));
}

function flowKey(o: Outcome): string {
  return `${o.verdict} ${o.destination ?? ''} ${o.delivery ?? ''}`;
}

/**
 * Traces one probe and sums its outcomes per verdict and destination (an affinity ladder or a
 * probability ladder reaches one endpoint by several paths; the share is what matters).
 */
export function runProbe(rs: Ruleset, localAddresses: readonly IP[], probe: Probe): ProbeResult {
  const src = parseIP(probe.src);
  const dst = parseIP(probe.dst);
  if (!src || !dst) return { probe, outcomes: [] };
  const result = trace(rs, { src, dst, dport: probe.dport, proto: probe.proto }, { localAddresses });
  const byKey = new Map<string, { verdict: Outcome['verdict']; destination: string | null; delivery: Outcome['delivery']; share: number; masqueradedShare: number; path: readonly RuleLine[] }>();
  for (const o of result.outcomes) {
    const key = flowKey(o);
    const prev = byKey.get(key);
    const masq = o.masquerade || o.snat !== null ? o.probability : 0;
    if (prev) {
      prev.share += o.probability;
      prev.masqueradedShare += masq;
    } else byKey.set(key, { verdict: o.verdict, destination: o.destination, delivery: o.delivery, share: o.probability, masqueradedShare: masq, path: tellingSteps(o.path, o.verdict).map((s) => ruleLineOf(rs, s)) });
  }
  const outcomes: FlowOutcome[] = [...byKey.values()].sort((a, b) => flowSort(a).localeCompare(flowSort(b)));
  return { probe, outcomes };
}

function flowSort(o: FlowOutcome): string {
  return `${o.verdict} ${o.destination ?? ''}`;
}

/** The share of a probe's traffic DNATed to a Service endpoint. */
export function dnatShare(r: ProbeResult): number {
  return r.outcomes.filter((o) => o.verdict === 'DNAT').reduce((a, o) => a + o.share, 0);
}

/** The share of a probe's traffic with a verdict. */
export function verdictShare(r: ProbeResult, verdict: Outcome['verdict']): number {
  return r.outcomes.filter((o) => o.verdict === verdict).reduce((a, o) => a + o.share, 0);
}

/** Shares per DNAT destination. */
export function endpointShares(r: ProbeResult): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of r.outcomes) if (o.verdict === 'DNAT' && o.destination) out.set(o.destination, (out.get(o.destination) ?? 0) + o.share);
  return out;
}

/** In words, what a probe's packets meet: `DNAT to 3 endpoints`, `REJECT`, `not translated (ACCEPT to the node)`. */
export function summarizeProbe(r: ProbeResult): string {
  if (r.outcomes.length === 0) return 'no outcome';
  const parts: string[] = [];
  const eps = endpointShares(r);
  if (eps.size > 0) parts.push(`DNAT to ${eps.size} endpoint${eps.size === 1 ? '' : 's'}`);
  for (const v of ['REJECT', 'DROP'] as const) if (verdictShare(r, v) > 0) parts.push(v);
  for (const o of r.outcomes) if (o.verdict === 'ACCEPT') parts.push(`not translated (ACCEPT ${o.delivery === 'local' ? 'to the node' : 'and forwarded'})`);
  return [...new Set(parts)].join(', ');
}
