import type { RuleLine } from './model';
import type { MigrationPreview } from './migration-preview';
import { describeProbe } from './probes';

const line = (r: RuleLine, md: boolean) => (md ? `\`${r.file}:${r.line}\` \`${r.text.replace(/`/g, "'")}\`` : `${r.file}:${r.line}  ${r.text}`);

/** The preview as text (`md` false) or Markdown: one section per cause, each changed flow under it. */
export function formatMigrationPreview(p: MigrationPreview, md: boolean): string {
  const out: string[] = [];
  const h = (level: number, text: string) => (md ? `${'#'.repeat(level)} ${text}` : text);
  out.push(h(2, `Migration preview: ${p.from} → ${p.to}`), '', `${p.changed} of ${p.traced} traced flows change outcome.`, '');
  if (p.changed === 0) out.push('No flow changes outcome.', '');
  for (const g of p.groups) {
    out.push(h(3, `${g.title} (${g.flows.length})`), '', g.explanation, ...(g.option ? [`Option: ${g.option}`] : []), `See: ${g.reference}`, '');
    for (const f of g.flows) {
      out.push(`${md ? '- ' : '  '}${md ? `\`${f.portName}\`` : f.portName}: ${describeProbe(f.probe)}: ${f.before} → ${f.after}`);
      const ev = [...f.evidence.before.map((r) => `before ${line(r, md)}`), ...f.evidence.after.map((r) => `after ${line(r, md)}`)];
      if (!md) out.push(...ev.map((e) => `      ${e}`));
    }
    out.push('');
  }
  out.push(...p.notes.map((n) => (md ? `> ${n}` : `note: ${n}`)));
  return `${out.join('\n')}\n`;
}
