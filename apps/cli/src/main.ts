import { CliError, type Io } from './io';

const HELP = `svcpath — trace how kube-proxy's rules steer a packet to a Kubernetes Service

Usage:
  svcpath trace --rules FILE --src IP --dst IP --dport N [options]
  svcpath trace --rules FILE --flows FLOWS.json [options]
  svcpath trace --snapshot ID [--store DIR] --src IP --dst IP --dport N
  svcpath doctor --rules FILE --node NAME --node-ip IP [--cluster-state FILE] [--from IP] [--to SVC|IP:PORT]
  svcpath collect --node N [--context C] [--ssh USER@HOST[:PORT]] [--store DIR]
  svcpath snapshots [list|show ID|export ID FILE|import PATH|delete ID] [--store DIR]
  svcpath replay --snapshot ID [--store DIR] --from IP --to IP:PORT [--proto tcp|udp] [--tries N]
  svcpath compare --collection NAME [--store DIR] [--from IP|node --to IP:PORT]
  svcpath compare --rules NODE=FILE --rules NODE=FILE [...] [--from IP --to IP:PORT]
  svcpath counters --before FILE --after FILE
  svcpath diff A B [C ...] | --snapshot ID --snapshot ID | --node NAME  [--json|--markdown]
  svcpath fleet --digests DIR --cluster-state FILE [--json]
  svcpath fleet --live [--selector LABELS] [--context C] [--json]
  svcpath node-digest --node NAME [--rules FILE ...] [--detail all|N,N]
  svcpath migrate-preview --snapshot ID --to nftables|iptables [--json|--markdown]

Commands:
  trace     walk a packet through a node's dumps in kernel order and print every outcome
  doctor    compare the cluster with a node's rules and explain what is wrong
  collect   save one node's dumps and the cluster state as a snapshot
  snapshots list, show, export, import and delete saved snapshots
  replay    restore a snapshot's rules in a throwaway lab here and compare the kernel with svcpath
  compare   compare what several nodes program per Service; trace one packet on every node
  counters  show which rules' counters moved between two iptables-save -c dumps
  diff      what changed between two dumps or snapshots of one node, per Service port
  fleet     which nodes disagree with the cluster state, per Service port, grouped
  node-digest  this node's compact per-Service digest (what "fleet" compares)
  migrate-preview  which flows change outcome if kube-proxy moved to another mode

Run "svcpath trace --help" for the options. Documentation: docs/cli.md.`;

type Command = (args: string[], io: Io) => Promise<number>;

/**
 * Each command is imported when it runs, never before: `--help` loads nothing, and trace does not
 * pay for the Kubernetes client and ssh2 that collect needs (1.7 s to import on a cold start).
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  trace: async () => (await import('./trace-command')).traceCommand,
  doctor: async () => (await import('./doctor-command')).doctorCommand,
  collect: async () => (await import('./collect-command')).collectCommand,
  snapshots: async () => (await import('./snapshots-command')).snapshotsCommand,
  replay: async () => (await import('./replay-command')).replayCommand,
  compare: async () => (await import('./compare-command')).compareCommand,
  counters: async () => (await import('./counters-command')).countersCommand,
  diff: async () => (await import('./diff-command')).diffCommand,
  fleet: async () => (await import('./fleet-command')).fleetCommand,
  'node-digest': async () => (await import('./node-digest-command')).nodeDigestCommand,
  'migrate-preview': async () => (await import('./migrate-preview-command')).migratePreviewCommand,
};

/** Runs one command line; returns the exit code (0 ok, 1 bad input data, 2 usage). */
export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(`${HELP}\n`);
    return command ? 0 : 2;
  }
  const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!load) {
    io.stderr.write(`svcpath: unknown command "${command}"\n\n${HELP}\n`);
    return 2;
  }
  try {
    const run = await load();
    return await run(rest, io);
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr.write(`svcpath ${command}: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
