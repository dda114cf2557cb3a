import { describeChange, describeNodeChange } from './describe-change';
import type { DiffReport, Evidence, RuleLine } from './model';
import type { TimelineStep } from './timeline';

const at = (r: RuleLine): string => `${r.file}:${r.line}`;

function evidenceLines(e: Evidence, indent: string, md: boolean): string[] {
  const out: string[] = [];
  const side = (name: string, rules: readonly RuleLine[]) => {
    if (rules.length === 0) return;
    out.push(`${indent}${name}:`);
    for (const r of rules) out.push(md ? `${indent}  - \`${at(r)}\` ${r.chain}: \`${r.text.replace(/`/g, "'")}\`` : `${indent}  ${at(r)}  ${r.text}`);
  };
  side('before', e.before);
  side('after', e.after);
  return out;
}

function title(r: DiffReport): string {
  return `${r.before.label} (${r.before.mode}) → ${r.after.label} (${r.after.mode})`;
}

/** The report as plain text for a terminal: one block per Service port, rule lines under each change. */
export function formatDiffText(r: DiffReport): string {
  const lines = [`svcpath diff: ${title(r)} — ${r.servicePorts.length} of ${r.compared} Service port(s) changed${r.node.length ? `, ${r.node.length} node-level change(s)` : ''}`, ''];
  if (r.servicePorts.length === 0 && r.node.length === 0) lines.push('No change: every Service port is programmed the same way.', '');
  for (const p of r.servicePorts) {
    lines.push(`${p.portName}  (${p.key})`);
    for (const c of p.changes) lines.push(`  - ${describeChange(c)}`, ...evidenceLines(c.evidence, '      ', false));
    lines.push('');
  }
  if (r.node.length) lines.push('Node', ...r.node.flatMap((c) => [`  - ${describeNodeChange(c)}`, ...evidenceLines(c.evidence, '      ', false)]), '');
  lines.push(...r.notes.map((n) => `note: ${n}`));
  return `${lines.join('\n')}\n`;
}

/** The report in Markdown, for change reviews and postmortems. */
export function formatDiffMarkdown(r: DiffReport, heading = '##'): string {
  const lines = [`${heading} What changed: ${title(r)}`, '', `${r.servicePorts.length} of ${r.compared} Service port(s) changed${r.node.length ? `; ${r.node.length} change(s) to rules before KUBE-SERVICES` : ''}.`, ''];
  if (r.servicePorts.length === 0 && r.node.length === 0) lines.push('No change: every Service port is programmed the same way.', '');
  for (const p of r.servicePorts) {
    lines.push(`${heading}# \`${p.portName}\``, '', `Matched by \`${p.key}\`.`, '');
    for (const c of p.changes) lines.push(`- **${describeChange(c)}**`, ...evidenceLines(c.evidence, '  ', true));
    lines.push('');
  }
  if (r.node.length) lines.push(`${heading}# Node`, '', ...r.node.flatMap((c) => [`- **${describeNodeChange(c)}**`, ...evidenceLines(c.evidence, '  ', true)]), '');
  if (r.notes.length) lines.push(...r.notes.map((n) => `> ${n}`), '');
  return `${lines.join('\n')}\n`;
}

/** A timeline of several snapshots in Markdown: a summary table, then each step's report. */
export function formatTimelineMarkdown(steps: readonly TimelineStep[]): string {
  const lines = ['## Timeline', '', '| from | to | Service ports changed | node changes |', '| --- | --- | --- | --- |'];
  for (const s of steps) lines.push(`| ${s.from} | ${s.to} | ${s.report.servicePorts.map((p) => `\`${p.portName}\``).join(', ') || '—'} | ${s.report.node.length || '—'} |`);
  lines.push('');
  for (const s of steps) if (s.report.servicePorts.length || s.report.node.length) lines.push(formatDiffMarkdown(s.report, '###'));
  return `${lines.join('\n')}\n`;
}

/** A timeline as plain text. */
export function formatTimelineText(steps: readonly TimelineStep[]): string {
  return steps.map((s) => formatDiffText(s.report)).join('\n');
}
