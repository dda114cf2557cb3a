import { readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fleetAggregator, fleetExpectation, formatFleetReport, parseNodeDigest, type FleetAggregator } from '@svcpath/fleet';
import { detectFormat } from '@svcpath/ruleset';
import { readClusterState } from './doctor-command';
import { CliError, readFlags, readUserFile, type Io } from './io';
import { digestOfDumps } from './node-digest-command';

const HELP = `Usage: svcpath fleet --digests DIR --cluster-state FILE [--json]

Which nodes disagree with the cluster state, per Service port: for each Service port, how many nodes
agree, and which do not and how (missing or stale endpoint, missing or stale Service, wrong shares,
affinity, NodePort), nodes that differ the same way grouped, so thousands of nodes fit one screen.

  --digests DIR          a folder with one file per node: a digest printed by "svcpath node-digest"
                         (*.json), or the node's dump (iptables-save or nft list ruleset), named
                         NODE.<anything>; files are read one at a time
  --cluster-state FILE   cluster objects as JSON: {"services","endpointSlices","nodes"?} or the output
                         of \`kubectl get svc,endpointslices,nodes -A -o json\` (nodes give zones)
  --json                 print the whole report as JSON

A digest without detail tells that a node differs, not how: the report lists such nodes with the
buckets to ask for ("svcpath node-digest --node NODE --detail N,N"). Dumps are always read in full.`;

const OPTIONS = {
  digests: { type: 'string' },
  'cluster-state': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function fleetCommand(args: string[], io: Io): Promise<number> {
  const values = readFlags(args, OPTIONS, HELP, io);
  if (!values) return 0;
  if (!values.digests || !values['cluster-state']) throw new CliError(`--digests DIR and --cluster-state FILE are required\n\n${HELP}`, 2);
  const expectation = fleetExpectation(readClusterState(io, values['cluster-state']));
  const agg = fleetAggregator(expectation);
  const files = listFolder(io, values.digests);
  if (files.length === 0) throw new CliError(`${values.digests}: no files`, 1);
  for (const f of files) addFile(io, agg, f);
  const report = agg.report();
  io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatFleetReport(report));
  if (!values.json && report.undetailed.length > 0) {
    const u = report.undetailed[0]!;
    io.stdout.write(`To see how, e.g.: svcpath node-digest --node ${u.node} --detail ${u.buckets.join(',')}\n`);
  }
  return 0;
}

function listFolder(io: Io, dir: string): string[] {
  try {
    return readdirSync(resolve(io.cwd, dir), { withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith('.'))
      .map((e) => join(dir, e.name))
      .sort();
  } catch (e) {
    throw new CliError(`cannot read the folder "${dir}": ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 1);
  }
}

/** One node's file: a digest (JSON) or a dump (digested here); unreadable ones are named, not fatal. */
function addFile(io: Io, agg: FleetAggregator, path: string): void {
  const text = readUserFile(io, path, 'node file');
  const node = basename(path).replace(/\..*$/, '');
  if (/^\s*\{\s*"kind"\s*:\s*"node-digest"/.test(text)) {
    const d = parseNodeDigest(text, path);
    if (typeof d === 'string') agg.problem({ kind: 'no-digest', node, reason: d });
    else agg.add(d);
    return;
  }
  const format = detectFormat(text);
  if (format !== 'iptables' && format !== 'nft-text' && format !== 'nft-json') {
    agg.problem({ kind: 'no-digest', node, reason: `${path}: neither a node digest nor an iptables-save / nft dump` });
    return;
  }
  agg.add(digestOfDumps(node, [{ name: path, text }], null, 'all'));
}
