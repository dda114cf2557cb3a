import { readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fleetAggregator, fleetExpectation, formatFleetReport, parseNodeDigest, type FleetAggregator } from '@svcpath/fleet';
import { detectFormat } from '@svcpath/ruleset';
import { readClusterState } from './doctor-command';
import { CliError, readFlags, readUserFile, type Io } from './io';
import { digestOfDumps } from './node-digest-command';

// Literal copies of the collector's defaults (checked in fleet-command.test.ts): importing them
// would load the Kubernetes client for --help.
export const LIVE_NAMESPACE = 'svcpath-nodes';
export const LIVE_IMAGE = 'ghcr.io/svcpath/svcpath:0.1.0';

const HELP = `Usage: svcpath fleet --digests DIR --cluster-state FILE [--json]
       svcpath fleet --live [--selector L] [--context C] [--kubeconfig F] [options] [--json]

Which nodes disagree with the cluster state, per Service port: for each Service port, how many nodes
agree, and which do not and how (missing or stale endpoint, missing or stale Service, wrong shares,
affinity, NodePort), nodes that differ the same way grouped, so thousands of nodes fit one screen.

Offline, from files:
  --digests DIR          a folder with one file per node: a digest printed by "svcpath node-digest"
                         (*.json), or the node's dump (iptables-save or nft list ruleset), named
                         NODE.<anything>; files are read one at a time
  --cluster-state FILE   cluster objects as JSON: {"services","endpointSlices","nodes"?} or the output
                         of \`kubectl get svc,endpointslices,nodes -A -o json\` (nodes give zones)

Live, from the cluster of the current kube context (as kubectl):
  --live                 read the cluster state, run one short-lived Pod per node that prints the
                         node's digest ("svcpath node-digest", from the svcpath image), then ask
                         only the nodes that differ for the detail of the differing buckets;
                         every Pod is deleted, on failure and on Ctrl-C too
  --selector L           only nodes with these labels (k=v, k!=v, k, !k; comma-separated)
  --context C            kubeconfig context (default: the current-context)
  --kubeconfig FILE      read only this kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)
  --concurrency N        Pods at a time (default 20)
  --node-timeout S       seconds per node and round, Pod creation to digest (default 180)
  --namespace NS         where the Pods run (default ${LIVE_NAMESPACE}: Pod Security privileged)
  --image IMG            the svcpath image the Pods run (default ${LIVE_IMAGE})
  Progress goes to stderr; nodes that gave no digest are listed with the reason (the report is
  then marked PARTIAL). Exit 0 with a report, 1 when no node could be compared, 130 on Ctrl-C.
  Needs: list Services, EndpointSlices, Pods, Nodes; create, get, delete pods and get pods/log in
  the namespace (deploy/base/rbac-*.yaml).
  --dumps WHICH          then fetch full dumps, stored as snapshots to trace on ("svcpath trace
                         --snapshot ID", the web app) of the nodes that disagree ("disagreeing") or "all";
                         a dump Pod per node (as "collect --via-pod"), megabytes each. Default: none
  --dump-image IMG       the dump Pods' image (default docker.io/nicolaka/netshoot:v0.13)
  --store DIR            where the snapshots go (default $SVCPATH_STORE or ~/.svcpath/snapshots)

  --json                 print the whole report as JSON

A digest without detail tells that a node differs, not how: the report lists such nodes with the
buckets to ask for ("svcpath node-digest --node NODE --detail N,N"). Dumps are always read in full.`;

const OPTIONS = {
  live: { type: 'boolean' },
  selector: { type: 'string' },
  context: { type: 'string' },
  kubeconfig: { type: 'string' },
  concurrency: { type: 'string' },
  'node-timeout': { type: 'string' },
  namespace: { type: 'string' },
  image: { type: 'string' },
  dumps: { type: 'string' },
  'dump-image': { type: 'string' },
  store: { type: 'string' },
  digests: { type: 'string' },
  'cluster-state': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function fleetCommand(args: string[], io: Io): Promise<number> {
  const values = readFlags(args, OPTIONS, HELP, io);
  if (!values) return 0;
  const liveOnly = (['selector', 'context', 'kubeconfig', 'concurrency', 'node-timeout', 'namespace', 'image', 'dumps', 'dump-image', 'store'] as const).filter((k) => values[k] !== undefined);
  if (values.live) {
    if (values.digests || values['cluster-state']) throw new CliError(`--live reads the cluster itself: leave out --digests and --cluster-state\n\n${HELP}`, 2);
    // Only this path loads the Kubernetes client.
    return (await import('./fleet-live')).fleetLive(values, io);
  }
  if (liveOnly.length > 0) throw new CliError(`--${liveOnly[0]} needs --live\n\n${HELP}`, 2);
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
