import type { TraceResult } from '@svcpath/tracer';
import { describeOutcome } from './describe-outcome';
import type { Graph } from './model';

export interface MarkdownInput {
  readonly title: string;
  /** `node · collection · taken at`, as the caller wants it shown. */
  readonly source: string;
  readonly graph: Graph | null;
  readonly trace?: {
    readonly flow: { src: string; dst: string; dport: number; proto: string; returningTo?: string | undefined };
    readonly result: TraceResult;
  };
  /** At most this many graph nodes' rules are listed. Default 40. */
  readonly maxNodes?: number;
}

const cite = (file: string, line: number): string => (line > 0 ? `${file}:${line}` : 'assumed');

function traceSection(t: NonNullable<MarkdownInput['trace']>): string[] {
  const f = t.flow;
  const out = [
    `## Trace: ${f.proto} ${f.src} → ${f.dst}:${f.dport}`,
    '',
    f.returningTo ? `Returning client (ClientIP affinity to ${f.returningTo}).` : 'First connection (no affinity state).',
    `Arrives ${t.result.origin === 'node' ? 'from the node itself (OUTPUT hook)' : 'from outside the node (PREROUTING hook)'}.`,
    '',
    '| # | Outcome | Verdict | Service | Rules evaluated |',
    '| --- | --- | --- | --- | --- |',
  ];
  t.result.outcomes.forEach((o, i) => out.push(`| ${i + 1} | ${describeOutcome(o)} | ${o.verdict} | ${o.service ?? '—'} | ${o.rulesEvaluated} |`));
  t.result.outcomes.forEach((o, i) => {
    out.push('', `### ${i + 1}. ${describeOutcome(o)}`, '');
    for (const s of o.path) out.push(`- ${s.hook} · ${s.table} \`${s.chain}\` rule ${s.rule} (${cite(s.file, s.line)}): ${s.action}`);
    for (const a of o.assumptions) out.push(`- assumption: ${a}`);
  });
  return out;
}

function graphSection(g: Graph, max: number): string[] {
  const out = [`## Rules in view: ${g.title}`, ''];
  const withRules = g.nodes.filter((n) => n.rules.length > 0);
  for (const n of withRules.slice(0, max)) {
    out.push(`### \`${n.label}\` (${n.detail})`, '', n.explanation, '', '```');
    for (const r of n.rules) out.push(`${cite(r.file, r.line).padEnd(12)} ${r.raw}`);
    out.push('```', '');
  }
  if (withRules.length > max) out.push(`… and ${withRules.length - max} more nodes.`, '');
  return out;
}

/** A Markdown summary of the current view: the trace's outcomes with every rule cited by line, then the graph's rules. */
export function viewMarkdown(input: MarkdownInput): string {
  const out = [`# svcpath: ${input.title}`, '', input.source, ''];
  if (input.trace) out.push(...traceSection(input.trace), '');
  if (input.graph) out.push(...graphSection(input.graph, input.maxNodes ?? 40));
  const assumptions = input.trace?.result.assumptions ?? input.graph?.assumptions ?? [];
  if (assumptions.length) out.push('## Assumptions', '', ...assumptions.map((a) => `- ${a}`), '');
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trim()}\n`;
}
