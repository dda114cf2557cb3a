import { readdir } from 'node:fs/promises';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { traceableFiles, type Snapshot } from '@svcpath/api-contract';
import { diffRulesets, diffTimeline, formatDiffMarkdown, formatDiffText, formatTimelineMarkdown, formatTimelineText, type DiffSide } from '@svcpath/diff';
import { loadRuleset, type DumpFile } from '@svcpath/ruleset';
import { CliError, readUserFile, type Io } from './io';
import { readSnapshot as readStored, storeDir } from './snapshot-reader';

const HELP = `Usage: svcpath diff A B [C ...] [--node-ip IP] [--json | --markdown]
       svcpath diff --snapshot ID --snapshot ID [...] [--store DIR] [--json | --markdown]
       svcpath diff --node NAME [--store DIR]      every stored snapshot of one node, oldest first

What changed between dumps or snapshots of one node, per Service port: endpoints added or removed,
shares (33% → 50%), session affinity, NodePorts, external and load-balancer IPs, REJECT/DROP,
masquerade, and rules that are not kube-proxy's added before KUBE-SERVICES — each change with its
rule lines on both sides. Any modes (iptables, nftables, IPVS); the same packets are traced on both
sides, so two modes of one cluster differ only where packets do. With more than two sides, a
timeline: each side against the one before it.

  A, B, ...          a side's dump file; several files of one side joined by commas
                     (iptables-save.txt,ipvsadm.txt,ipset.txt)
  --snapshot ID      a stored snapshot (collection~node) as a side; repeatable, in order with files
  --node NAME        every stored snapshot of node NAME, by the time it was taken
  --store DIR        where snapshots are kept (default $SVCPATH_STORE, else ~/.svcpath/snapshots)
  --node-ip IP       the node's addresses, for file sides (NodePorts, traffic from the node); repeatable
  --json             the report (or the timeline's steps) as JSON
  --markdown         Markdown for change reviews and postmortems

Exit codes: 0 compared (whatever changed); 1 bad input data; 2 bad command line.`;

const OPTIONS = {
  snapshot: { type: 'string', multiple: true },
  node: { type: 'string' },
  store: { type: 'string' },
  'node-ip': { type: 'string', multiple: true },
  json: { type: 'boolean' },
  markdown: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** What the user named as one side, in command-line order. */
type SideArg = { readonly kind: 'files'; readonly paths: readonly string[] } | { readonly kind: 'snapshot'; readonly id: string };

function readArgs(args: string[]) {
  try {
    const { values, tokens } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true, tokens: true });
    const sides: SideArg[] = [];
    for (const t of tokens)
      if (t.kind === 'positional') sides.push({ kind: 'files', paths: t.value.split(',').filter(Boolean) });
      else if (t.kind === 'option' && t.name === 'snapshot' && t.value !== undefined) sides.push({ kind: 'snapshot', id: t.value });
    return { values, sides };
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n\n${HELP}`, 2);
  }
}

/** `svcpath diff`: see HELP. */
export async function diffCommand(args: string[], io: Io): Promise<number> {
  const { values, sides } = readArgs(args);
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values.json && values.markdown) throw new CliError('give --json or --markdown, not both', 2);
  const nodeIPs = (values['node-ip'] ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  for (const ip of nodeIPs) if (!isIP(ip)) throw new CliError(`--node-ip: "${ip}" is not an IP address`, 2);
  if (values.node !== undefined && sides.length > 0) throw new CliError('give --node NAME or the sides (files, --snapshot ID), not both', 2);
  const loaded = values.node !== undefined ? await snapshotSidesOfNode(values.node, values.store, io) : await loadSides(sides, nodeIPs, values.store, io);
  if (loaded.length < 2) throw new CliError(`diff needs two sides (files or --snapshot ID); got ${loaded.length}\n\n${HELP}`, 2);
  io.stdout.write(render(loaded, values.node !== undefined || loaded.length > 2, values.json === true, values.markdown === true));
  return 0;
}

function render(sides: readonly DiffSide[], timeline: boolean, json: boolean, markdown: boolean): string {
  if (!timeline) {
    const report = diffRulesets(sides[0]!, sides[1]!);
    return json ? `${JSON.stringify(report, null, 2)}\n` : markdown ? formatDiffMarkdown(report) : formatDiffText(report);
  }
  const steps = diffTimeline(sides);
  return json ? `${JSON.stringify(steps, null, 2)}\n` : markdown ? formatTimelineMarkdown(steps) : formatTimelineText(steps);
}

async function loadSides(sides: readonly SideArg[], nodeIPs: readonly string[], store: string | undefined, io: Io): Promise<DiffSide[]> {
  const out: DiffSide[] = [];
  for (const s of sides) {
    if (s.kind === 'files') {
      const files = s.paths.map((p) => ({ name: p, text: readUserFile(io, p, 'dump') }));
      out.push(sideOf(s.paths.join(','), files, nodeIPs));
    } else out.push(snapshotSide(await readSnapshot(s.id, store, io)));
  }
  return out;
}

/** One side from dump files; a file no format fits is an error naming it. */
export function sideOf(label: string, files: readonly DumpFile[], nodeIPs: readonly string[]): DiffSide {
  const r = loadRuleset(files);
  const unknown = r.formats.find((f) => f.format === 'unknown');
  if (unknown) throw new CliError(`${unknown.file}: not a dump svcpath knows (expected iptables-save, nft list ruleset, ipvsadm or ipset output)`, 1);
  if (!r.ruleset) throw new CliError(`${label}: no rules svcpath can read`, 1);
  return { label, ruleset: r.ruleset, nodeIPs };
}

/** A stored snapshot as a side: its traceable dumps and node IPs. */
export function snapshotSide(s: Snapshot): DiffSide {
  // The dumps trace reads, plus IPVS's tables in IPVS mode (the iptables rules alone do not balance).
  const ipvs = s.mode === 'ipvs' ? s.files.filter((f) => f.kind === 'ipvsadm' || f.kind === 'ipset') : [];
  const files = [...traceableFiles(s), ...ipvs].map((f) => ({ name: `${s.id}/${f.name}`, text: f.text }));
  if (files.length === 0) throw new CliError(`snapshot ${s.id} holds no iptables, nftables or IPVS dump to compare`, 1);
  return sideOf(s.id, files, s.nodeIPs);
}

/** One stored snapshot, read with the CLI's light reader (no Kubernetes client, no ssh2). */
export async function readSnapshot(id: string, store: string | undefined, io: Io): Promise<Snapshot> {
  return readStored(id, storeDir(store, io));
}

/** Every stored snapshot of one node (files `<collection>~<node>.json`), oldest first. */
async function snapshotSidesOfNode(node: string, store: string | undefined, io: Io): Promise<DiffSide[]> {
  const dir = storeDir(store, io);
  const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read the snapshot store ${dir}: ${e.code ?? String(e)}`, 1);
  });
  const ids = names.filter((n) => n.endsWith(`~${node}.json`)).map((n) => n.slice(0, -'.json'.length));
  const snapshots = (await Promise.all(ids.map((id) => readStored(id, dir)))).sort((a, b) => a.takenAt.localeCompare(b.takenAt));
  if (snapshots.length < 2) throw new CliError(`${dir} holds ${snapshots.length} snapshot(s) of node ${node}; a timeline needs two or more`, 1);
  return snapshots.map(snapshotSide);
}
