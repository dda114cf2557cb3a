import { parseArgs } from 'node:util';
import { counterDeltas, type CounterDeltaReport, type RuleDelta } from '@svcpath/counters';
import { loadRuleset, type Ruleset } from '@svcpath/ruleset';
import { CliError, readUserFile, type Io } from './io';

const HELP = `Usage: svcpath counters --before FILE --after FILE [--json]

Compares two \`iptables-save -c\` dumps of one node taken some time apart (a minute is plenty) and
prints the rules whose packet counters moved: where packets really went, per Service and endpoint,
and where they died (DROP/REJECT rules and DROP policies that counted packets).

  --before FILE   the first \`iptables-save -c\` dump
  --after FILE    the second one, from the same node
  --json          print {moved, died, services, added, removed, hasCounters} as JSON

nat-table counters count a connection's first packet only, so DNAT deltas are new connections.
A counter that went down means kube-proxy rewrote the rule in between ("reset": a lower bound).`;

export async function countersCommand(args: string[], io: Io): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args,
      options: { before: { type: 'string' }, after: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values;
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n\n${HELP}`, 2);
  }
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (!values.before || !values.after) throw new CliError(`--before FILE and --after FILE are required\n\n${HELP}`, 2);
  const report = counterDeltas(load(io, values.before), load(io, values.after));
  if (!report.hasCounters) throw new CliError(`neither dump carries counters: save them with \`iptables-save -c\``, 1);
  if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout.write(formatCounters(report));
  return 0;
}

function load(io: Io, path: string): Ruleset {
  const loaded = loadRuleset([{ name: path, text: readUserFile(io, path, 'dump') }]);
  if (!loaded.ruleset) throw new CliError(`no rules in ${path}`, 1);
  if (loaded.ruleset.dataplane !== 'iptables') throw new CliError(`${path}: counters are read from \`iptables-save -c\` dumps; this is ${loaded.ruleset.dataplane}`, 1);
  return loaded.ruleset;
}

const BASIS: Record<RuleDelta['basis'], string> = { before: '', reset: ' (counter reset: rule rewritten, at least)', added: ' (new rule, at least)' };

function ruleLine(d: RuleDelta): string {
  const where = d.index === 0 ? `${d.table}/${d.chain} policy` : `${d.table}/${d.chain}#${d.index}`;
  return `${`+${d.packets}`.padStart(8)} pkts ${`+${d.bytes}`.padStart(10)} B  ${where}  ${d.file}:${d.line}  ${d.raw}${BASIS[d.basis]}`;
}

/** The readable report: per Service first (what a user asks), then the places packets died, then every moved rule. */
export function formatCounters(r: CounterDeltaReport): string {
  const lines = [`svcpath counters: ${r.moved.length} rule(s) moved, ${r.died.length} where packets died${r.added || r.removed ? `; ${r.added} rule(s) added, ${r.removed} removed between the dumps` : ''}`, ''];
  if (r.moved.length === 0) lines.push('No counter moved: no packet matched any rule between the two dumps.', '');
  if (r.services.length) lines.push('Per Service (new connections by endpoint; packets that died):');
  for (const s of r.services) {
    const eps = s.endpoints.map((e) => `${e.destination} ×${e.connections}`).join(', ');
    lines.push(`  ${s.service}: ${s.connections} connection(s)${eps ? ` → ${eps}` : ''}${s.died ? `; ${s.died} packet(s) died` : ''}`);
  }
  if (r.services.length) lines.push('');
  if (r.died.length) lines.push('Where packets died:', ...r.died.map((d) => `${ruleLine(d)}  [${d.died}${d.service ? ` ${d.service}` : ''}]`), '');
  if (r.moved.length) lines.push('Moved rules:', ...r.moved.map(ruleLine));
  return `${lines.join('\n')}\n`;
}
