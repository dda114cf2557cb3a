import { describeDisagreement } from './compare-port';
import { groupProblems } from './group-problems';
import type { FleetReport } from './model';

export interface FormatOptions {
  /** Service ports listed before "… N more" (default 15). */
  readonly maxPorts?: number;
  /** Groups listed per port (default 3). */
  readonly maxGroups?: number;
  /** Node names printed per group (default 3). */
  readonly maxNodes?: number;
}

function names(nodes: readonly string[], max: number): string {
  return nodes.length <= max ? nodes.join(', ') : `${nodes.slice(0, max).join(', ')} and ${nodes.length - max} more`;
}

/** A group's disagreements on one line: the first three, then how many more. */
function ways(lines: readonly string[]): string {
  return lines.length <= 3 ? lines.join('; ') : `${lines.slice(0, 3).join('; ')}; and ${lines.length - 3} more`;
}

/**
 * The fleet report as text that fits one screen whatever the fleet's size: a summary line, the
 * most-disputed Service ports with their largest groups of nodes, then problems, all capped.
 */
export function formatFleetReport(r: FleetReport, o: FormatOptions = {}): string {
  const maxPorts = o.maxPorts ?? 15;
  const maxGroups = o.maxGroups ?? 3;
  const maxNodes = o.maxNodes ?? 3;
  const modes = Object.entries(r.modes).map(([m, n]) => `${n} ${m}`).join(', ') || 'none';
  const out = [
    `${r.compared} nodes compared (${modes}) on ${r.servicePorts} Service ports: ${r.agreeing} agree with the cluster state, ${r.compared - r.agreeing} do not.`,
  ];
  if (r.drift.length === 0 && r.undetailed.length === 0) out.push('Every compared node programs every Service port as the cluster state asks.');
  if (r.drift.length > 0) out.push('', `${r.drift.length} Service ports with drift (nodes agreeing / disagreeing):`);
  for (const p of r.drift.slice(0, maxPorts)) {
    out.push(`  ${p.portName}  ${p.agree} agree, ${p.disagree} disagree`);
    for (const g of p.groups.slice(0, maxGroups))
      out.push(`    ${g.nodes.length} × ${ways(g.disagreements.map(describeDisagreement))}: ${names(g.nodes, maxNodes)}`);
    if (p.groups.length > maxGroups) out.push(`    … ${p.groups.length - maxGroups} more ways`);
  }
  if (r.drift.length > maxPorts) out.push(`  … ${r.drift.length - maxPorts} more Service ports (--json for all)`);
  if (r.undetailed.length > 0)
    out.push('', `${r.undetailed.length} nodes differ in buckets their digest does not detail: ${names(r.undetailed.map((u) => u.node), maxNodes)}`);
  if (r.problems.length > 0) {
    // Grouped by reason: a refusal that hit every node is one line, not one per node.
    const groups = groupProblems(r.problems);
    out.push('', `${r.problems.length} nodes not compared:`);
    for (const g of groups.slice(0, 5)) out.push(`  ${names(g.nodes, maxNodes)}: ${g.reason}`);
    if (groups.length > 5) out.push(`  … ${groups.length - 5} more reasons (--json for all)`);
  }
  return `${out.join('\n')}\n`;
}
