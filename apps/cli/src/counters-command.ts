import { counterDeltas, type CounterDeltaReport, type RuleDelta } from '@svcpath/counters';
import { loadRuleset, type Ruleset } from '@svcpath/ruleset';
import { CliError, readFlags, readUserFile, type Io } from './io';
import { readSnapshot, rulesOf, storeDir } from './snapshot-reader';

const HELP = `Usage: svcpath counters --before FILE --after FILE [--json]
       svcpath counters --snapshot ID --since ID [--store DIR] [--json]

Compares two \`iptables-save -c\` dumps of one node taken some time apart (a minute is plenty) and
prints the rules whose packet counters moved: where packets really went, per Service and endpoint,
and where they died (DROP/REJECT rules and DROP policies that counted packets).

  --before FILE   the first \`iptables-save -c\` dump
  --after FILE    the second one, from the same node
  --snapshot ID   instead of files: the later snapshot of a node (collection~node) ...
  --since ID      ... and an earlier one of the same node, both collected with counters
  --store DIR     where snapshots are kept (default $SVCPATH_STORE, else ~/.svcpath/snapshots)
  --json          print {moved, died, services, added, removed, hasCounters} as JSON

nat-table counters count a connection's first packet only, so DNAT deltas are new connections.
A counter that went down means kube-proxy rewrote the rule in between ("reset": a lower bound).`;

const OPTIONS = {
  before: { type: 'string' },
  after: { type: 'string' },
  snapshot: { type: 'string' },
  since: { type: 'string' },
  store: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function countersCommand(args: string[], io: Io): Promise<number> {
  const values = readFlags(args, OPTIONS, HELP, io);
  if (!values) return 0;
  const files = values.before !== undefined || values.after !== undefined;
  const stored = values.snapshot !== undefined || values.since !== undefined;
  if (files && stored) throw new CliError('give --before/--after FILE or --snapshot/--since ID, not both', 2);
  const [before, after] = stored ? await fromSnapshots(values.snapshot, values.since, storeDir(values.store, io)) : fromFiles(io, values.before, values.after);
  const report = counterDeltas(before, after);
  if (!report.hasCounters) throw new CliError(`neither dump carries counters: save them with \`iptables-save -c\` (svcpath collect does)`, 1);
  if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout.write(formatCounters(report));
  return 0;
}

function fromFiles(io: Io, before?: string, after?: string): [Ruleset, Ruleset] {
  if (!before || !after) throw new CliError(`--before FILE and --after FILE (or --snapshot ID and --since ID) are required\n\n${HELP}`, 2);
  return [load(before, [{ name: before, text: readUserFile(io, before, 'dump') }]), load(after, [{ name: after, text: readUserFile(io, after, 'dump') }])];
}

async function fromSnapshots(id: string | undefined, since: string | undefined, dir: string): Promise<[Ruleset, Ruleset]> {
  if (!id || !since) throw new CliError(`--snapshot ID and --since ID go together\n\n${HELP}`, 2);
  if (id === since) throw new CliError('--since must name an earlier snapshot than --snapshot', 2);
  const [later, earlier] = [await readSnapshot(id, dir), await readSnapshot(since, dir)];
  if (later.node !== earlier.node) throw new CliError(`counters compare two snapshots of one node: ${since} is of "${earlier.node}", ${id} of "${later.node}"`, 1);
  return [load(since, rulesOf(earlier, 'compare counters of')), load(id, rulesOf(later, 'compare counters of'))];
}

function load(what: string, files: { name: string; text: string }[]): Ruleset {
  const loaded = loadRuleset(files);
  if (!loaded.ruleset) throw new CliError(`no rules in ${what}`, 1);
  if (loaded.ruleset.dataplane !== 'iptables') throw new CliError(`${what}: counters are read from \`iptables-save -c\` dumps; this is ${loaded.ruleset.dataplane}`, 1);
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
