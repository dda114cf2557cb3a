import { CliError, type Io } from './io';
import { traceCommand } from './trace-command';

const HELP = `svcpath — trace how kube-proxy's rules steer a packet to a Kubernetes Service

Usage:
  svcpath trace --rules FILE --src IP --dst IP --dport N [options]
  svcpath trace --rules FILE --flows FLOWS.json [options]

Commands:
  trace     walk a packet through a node's dumps in kernel order and print every outcome

Run "svcpath trace --help" for the options. Documentation: docs/cli.md.`;

const COMMANDS: Record<string, (args: string[], io: Io) => Promise<number>> = {
  trace: traceCommand,
};

/** Runs one command line; returns the exit code (0 ok, 1 bad input data, 2 usage). */
export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(`${HELP}\n`);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.stderr.write(`svcpath: unknown command "${command}"\n\n${HELP}\n`);
    return 2;
  }
  try {
    return await run(rest, io);
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr.write(`svcpath ${command}: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
