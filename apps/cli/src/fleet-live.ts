// `svcpath fleet --live`: the Kubernetes side of the fleet command, imported only on that path so
// `fleet --digests` and `--help` never load @kubernetes/client-node. The work is
// @svcpath/collector's collectLiveFleet (the same code the server's fleet job runs); this file
// turns flags into its options, progress into stderr lines, Ctrl-C into cancellation.
import { collectLiveFleet, DEFAULT_DIGEST_IMAGE, DEFAULT_DIGEST_NAMESPACE, LiveFleetError, type LiveFleetProgress, type LiveFleetResult } from '@svcpath/collector';
import { formatFleetReport } from '@svcpath/fleet';
import { CliError, type Io } from './io';
import { openStore, withSnapshotErrors } from './snapshots-command';

export interface LiveFlags {
  readonly context?: string;
  readonly kubeconfig?: string;
  readonly selector?: string;
  readonly concurrency?: string;
  readonly 'node-timeout'?: string;
  readonly namespace?: string;
  readonly image?: string;
  readonly json?: boolean;
  readonly dumps?: string;
  readonly 'dump-image'?: string;
  readonly store?: string;
}

export const LIVE_DEFAULTS = { image: DEFAULT_DIGEST_IMAGE, namespace: DEFAULT_DIGEST_NAMESPACE };

function positive(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--${flag}: expected a positive whole number, got "${text}"`, 2);
  return n;
}

/** Progress for a person watching stderr: a line per round, per failed node, and every ~5%. */
function progressPrinter(io: Io): (e: LiveFleetProgress) => void {
  let step = 1;
  return (e) => {
    switch (e.kind) {
      case 'cluster-read':
        io.stderr.write(`svcpath fleet: ${e.selected} of ${e.nodes} nodes, ${e.servicePorts} Service ports in the cluster state\n`);
        return;
      case 'round':
        step = Math.max(1, Math.floor(e.nodes / 20));
        io.stderr.write(
          e.round === 1
            ? `svcpath fleet: digest Pods on ${e.nodes} nodes\n`
            : e.round === 2
              ? `svcpath fleet: ${e.nodes} nodes differ; asking them for the detail of the differing buckets\n`
              : `svcpath fleet: full dumps of ${e.nodes} nodes (a dump Pod each), stored as snapshots\n`,
        );
        return;
      case 'node-started':
        return;
      case 'node-finished':
        if (e.outcome !== 'collected' && e.outcome !== 'cancelled') io.stderr.write(`  ${e.node}: ${e.outcome}\n`);
        if (e.done % step === 0 || e.done === e.total) io.stderr.write(`  [${e.done}/${e.total}]\n`);
        return;
      case 'pod-not-deleted':
        io.stderr.write(`  ${e.message}\n`);
        return;
      default: {
        const never: never = e;
        return never;
      }
    }
  };
}

/** Runs the live collection; exit 0 with a report (partial or not), 130 when cancelled, 1 when nothing was compared. */
export async function fleetLive(flags: LiveFlags, io: Io): Promise<number> {
  if (flags.dumps !== undefined && flags.dumps !== 'disagreeing' && flags.dumps !== 'all') throw new CliError(`--dumps: expected "disagreeing" or "all", got "${flags.dumps}"`, 2);
  const store = flags.dumps ? openStore(flags.store, io) : null;
  const cancel = new AbortController();
  const onSigint = () => {
    io.stderr.write('\nsvcpath fleet: cancelled; deleting the Pods already created (Ctrl-C again to leave them to their activeDeadlineSeconds)\n');
    cancel.abort();
  };
  process.once('SIGINT', onSigint);
  let r: LiveFleetResult;
  try {
    r = await collectLiveFleet({
      ...(flags.context ? { context: flags.context } : {}),
      ...(flags.kubeconfig ? { kubeconfigPath: flags.kubeconfig } : {}),
      ...(flags.selector ? { selector: flags.selector } : {}),
      ...(flags.namespace ? { namespace: flags.namespace } : {}),
      ...(flags.image ? { image: flags.image } : {}),
      concurrency: positive('concurrency', flags.concurrency, 20),
      nodeTimeoutMs: positive('node-timeout', flags['node-timeout'], 180) * 1000,
      signal: cancel.signal,
      onProgress: progressPrinter(io),
      ...(store && flags.dumps
        ? {
            dumps: {
              which: flags.dumps as 'disagreeing' | 'all',
              ...(flags['dump-image'] ? { image: flags['dump-image'] } : {}),
              store: async (s) => {
                await withSnapshotErrors(() => store.put(s));
                return s.id;
              },
            },
          }
        : {}),
    });
  } catch (e) {
    if (e instanceof LiveFleetError) throw new CliError(e.message, 1);
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  io.stdout.write(flags.json ? `${JSON.stringify(r, null, 2)}\n` : formatLive(r));
  if (r.cancelled) return 130;
  return r.report.compared === 0 ? 1 : 0;
}

function formatLive(r: LiveFleetResult): string {
  const head = [`Context ${r.context} (${r.server}), ${r.nodes.length} nodes selected${r.cancelled ? ' — CANCELLED, partial' : r.report.problems.length > 0 ? ` — PARTIAL: ${r.report.problems.length} not compared` : ''}.`];
  for (const p of r.clusterProblems.slice(0, 3)) head.push(`Cluster state: ${p.message}`);
  const tail: string[] = [];
  if (r.pods.notDeleted.length > 0) tail.push(`${r.pods.notDeleted.length} Pods could not be deleted: kubectl delete pods -n ${r.pods.notDeleted[0]!.split('/')[0]} -l app.kubernetes.io/managed-by=svcpath`);
  tail.push(`${r.pods.created} Pods created, ${r.pods.deleted} deleted; ${Math.round(r.digestBytes[0] / 1024)} KiB of digests, ${Math.round(r.digestBytes[1] / 1024)} KiB of detail.`);
  if (r.dumps.length > 0) {
    const stored = r.dumps.filter((d) => d.snapshotId !== null);
    tail.push(`${stored.length} of ${r.dumps.length} nodes' full dumps stored as snapshots (trace one: svcpath trace --snapshot ID …):`);
    for (const d of r.dumps.slice(0, 20)) tail.push(`  ${d.node}: ${d.snapshotId ?? 'none'}${d.problem ? ` (${d.problem})` : ''}`);
    if (r.dumps.length > 20) tail.push(`  … ${r.dumps.length - 20} more (--json for all)`);
  }
  return `${head.join('\n')}\n${formatFleetReport(r.report)}${tail.join('\n')}\n`;
}
