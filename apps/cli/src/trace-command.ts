import { parseArgs } from 'node:util';
import type { FlowInput } from '@svcpath/api-contract';
import { parseIP, type IP } from '@svcpath/netaddr';
import { DumpChangedError } from '@svcpath/parse-iptables';
import { detectProxyMode, iptablesBackend } from '@svcpath/proxy-layout';
import { loadRuleset, type DumpFile, type Ruleset } from '@svcpath/ruleset';
import { recentForReturningClient, trace, type TraceResult } from '@svcpath/tracer';
import { formatTree } from './format-tree';
import { CliError, readUserFile, reportDiagnostics, type Io } from './io';
import { readDumps } from './read-dumps';
import { lineOfArrayElement, lineOfOffset } from './json-lines';

const HELP = `Usage: svcpath trace --rules FILE [--rules FILE ...] --src IP --dst IP --dport N [options]
       svcpath trace --rules FILE --flows FLOWS.json [options]
       svcpath trace --snapshot ID [--store DIR] --src IP --dst IP --dport N [options]

Walks the first packet of a new connection through a node's dumps in the kernel's order and prints
every outcome with its probability, verdict, masquerade decision and the rules on its path.

  --rules FILE         a node dump: iptables-save, iptables -S, nft list ruleset (text or -j),
                       ipvsadm -Sn/-Ln, ipset save, or a pasted fragment; repeatable (one node)
  --src IP             source address (a node address means the node itself sends it)
  --dst IP             destination address (ClusterIP, node IP for NodePorts, LB or external IP)
  --dport N            destination port
  --proto P            tcp (default), udp or sctp
  --sport N            source port (default 40000)
  --in-iface NAME      interface the packet arrives on, where rules test it
  --node-ip IP[,IP]    the node's own addresses (addrtype LOCAL); repeatable
  --returning-to IP:PORT  trace a client that reached this endpoint within the affinity timeout
  --flows FILE         a JSON array of {"src","dst","dport","proto","returningTo"?}: prints a JSON array
  --json               print the result as JSON (shape in docs/cli.md)
  --strict             exit 1 when the dump has lines svcpath did not understand`;

export async function traceCommand(args: string[], io: Io): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        rules: { type: 'string', multiple: true },
        snapshot: { type: 'string' },
        store: { type: 'string' },
        src: { type: 'string' },
        dst: { type: 'string' },
        dport: { type: 'string' },
        proto: { type: 'string' },
        sport: { type: 'string' },
        'in-iface': { type: 'string' },
        'node-ip': { type: 'string', multiple: true },
        'returning-to': { type: 'string' },
        flows: { type: 'string' },
        json: { type: 'boolean' },
        strict: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n\n${HELP}`, 2);
  }
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (!values.rules?.length && !values.snapshot) throw new CliError(`--rules FILE or --snapshot ID is required\n\n${HELP}`, 2);
  const stored = values.snapshot ? await storedSnapshot(values.snapshot, values.store, io) : { files: [], nodeIPs: [] };
  const nodeIPs = parseNodeIPs([...stored.nodeIPs, ...(values['node-ip'] ?? [])]);
  const flows = values.flows ? await readFlows(io, values.flows) : [await singleFlow(values)];

  const files = [...stored.files, ...readDumps(io, values.rules ?? [])];
  return whileFilesHold(() => traceFiles(io, values, files, flows, nodeIPs));
}

/** The rest of trace, once the dumps are open (a scanned one's chains are read from its file as walked). */
function traceFiles(io: Io, values: { strict?: boolean | undefined; flows?: string | undefined; json?: boolean | undefined }, files: readonly DumpFile[], flows: readonly FlowInput[], nodeIPs: IP[]): number {
  const loaded = loadRuleset(files);
  reportDiagnostics(io, loaded.diagnostics);
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!loaded.ruleset) throw new CliError(`no rules to trace in ${files.map((f) => f.name).join(', ')}`, 1);
  if (values.strict && errors.length > 0) throw new CliError(`${errors.length} line(s) not understood (--strict)`, 1);
  if (nodeIPs.length === 0)
    io.stderr.write('svcpath trace: note: no --node-ip given; only loopback counts as the node\'s own address (addrtype LOCAL, NodePorts)\n');

  const mode = detectProxyMode(loaded.ruleset, files.map((f) => ({ file: f.name, backend: iptablesBackend(f.name, f.text) })));
  for (const w of mode.warnings) io.stderr.write(`svcpath trace: warning: ${w}\n`);
  const backend = files.map((f) => iptablesBackend(f.name, f.text)).find((b) => b !== null) ?? undefined;
  const results = flows.map((f) => ({ ...traceFlow(loaded.ruleset!, f, nodeIPs, backend), mode: mode.mode }));
  // No answer (the kernel would refuse the ruleset, or the trace hit its budget) is an error, not a verdict.
  const failed = results.find((r) => r.error)?.error;
  if (failed) throw new CliError(`${failed.file ? `${failed.file}:${failed.line}: ` : ''}${failed.code}: ${failed.message}`, 1);
  if (values.flows) io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else if (values.json) io.stdout.write(`${JSON.stringify(results[0], null, 2)}\n`);
  else io.stdout.write(`kube-proxy mode: ${mode.mode} (${mode.evidence.join('; ')})\n${formatTree(results[0]!, loaded.ruleset)}`);
  return 0;
}

/** Runs `fn`, which may read a scanned dump's chains from its file: a file cut short meanwhile is bad input. */
function whileFilesHold<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof DumpChangedError) throw new CliError(e.message, 1);
    throw e;
  }
}

/** A stored snapshot's dumps and addresses, read with the light reader (no Kubernetes client, no ssh2). */
async function storedSnapshot(id: string, store: string | undefined, io: Io) {
  const { readSnapshot, rulesOf, storeDir } = await import('./snapshot-reader');
  const snapshot = await readSnapshot(id, storeDir(store, io));
  return { files: rulesOf(snapshot, 'trace'), nodeIPs: snapshot.nodeIPs };
}

function traceFlow(rs: Ruleset, f: FlowInput, nodeIPs: IP[], backend: 'nft' | 'legacy' | undefined): TraceResult {
  const src = parseIP(f.src)!;
  const recent = f.returningTo ? recentForReturningClient(rs, src, f.returningTo) : undefined;
  return trace(
    rs,
    { src, dst: parseIP(f.dst)!, dport: f.dport, proto: f.proto, ...(f.sport ? { sport: f.sport } : {}), ...(f.inIface ? { inIface: f.inIface } : {}) },
    { localAddresses: nodeIPs, ...(recent ? { recent } : {}), ...(f.returningTo ? { returningTo: f.returningTo } : {}), ...(backend ? { iptablesBackend: backend } : {}) },
    { maxMillis: 30_000, now: () => performance.now() },
  );
}

type FlagValues = Record<string, string | boolean | string[] | undefined>;

async function singleFlow(v: FlagValues): Promise<FlowInput> {
  for (const k of ['src', 'dst', 'dport'])
    if (v[k] === undefined) throw new CliError(`--${k} is required (or give --flows FILE)\n\n${HELP}`, 2);
  const quick = quickFlow(v);
  if (quick !== null) return quick;
  // Something is off: the shared schema (zod, ~70 ms to load, so not on every start) words it.
  const { FlowInput, describeIssues } = await import('@svcpath/api-contract');
  const parsed = FlowInput.safeParse(flowOfFlags(v));
  if (!parsed.success) throw new CliError(describeIssues(parsed.error).map((m) => `--${flagName(m)}`).join('\n'), 2);
  return parsed.data;
}

export function flowOfFlags(v: FlagValues) {
  const num = (k: string) => (v[k] === undefined ? undefined : /^\d+$/.test(String(v[k])) ? Number(v[k]) : NaN);
  return { src: v.src, dst: v.dst, dport: num('dport'), proto: v.proto ?? 'tcp', sport: num('sport'), inIface: v['in-iface'], returningTo: v['returning-to'] };
}

/**
 * The flow the flags give when each one plainly passes FlowInput's rules (an address, a port 1 to
 * 65535, a protocol, an interface name, IP:PORT); null when any might not, for the schema to say
 * why. Never accepts what the schema refuses (trace-command.test.ts checks them against each other).
 */
export function quickFlow(v: FlagValues): FlowInput | null {
  const f = flowOfFlags(v);
  const port = (n: number | undefined) => n === undefined || (Number.isInteger(n) && n >= 1 && n <= 65535);
  const ip = (s: unknown) => typeof s === 'string' && parseIP(s) !== null;
  if (!ip(f.src) || !ip(f.dst) || f.dport === undefined || !port(f.dport) || !port(f.sport)) return null;
  if (f.proto !== 'tcp' && f.proto !== 'udp' && f.proto !== 'sctp') return null;
  if (f.inIface !== undefined && (typeof f.inIface !== 'string' || f.inIface.length < 1 || f.inIface.length > 15)) return null;
  const r = f.returningTo;
  if (r !== undefined && (typeof r !== 'string' || !/^(\[[^\]]+\]|[^:]+):\d{1,5}$/.test(r) || parseIP(r.replace(/^\[|\](?=:)|:\d+$/g, '')) === null)) return null;
  return {
    src: f.src as string,
    dst: f.dst as string,
    dport: f.dport,
    proto: f.proto,
    ...(f.sport !== undefined ? { sport: f.sport } : {}),
    ...(f.inIface !== undefined ? { inIface: f.inIface } : {}),
    ...(r !== undefined ? { returningTo: r } : {}),
  };
}

/** zod paths are field names; show them as the flags the user typed. */
function flagName(message: string): string {
  return message.replace(/^inIface/, 'in-iface').replace(/^returningTo/, 'returning-to');
}

function parseNodeIPs(values: string[]): IP[] {
  const out: IP[] = [];
  for (const text of values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean)) {
    const ip = parseIP(text);
    if (!ip) throw new CliError(`--node-ip: "${text}" is not an IPv4 or IPv6 address`, 2);
    out.push(ip);
  }
  return out;
}

async function readFlows(io: Io, path: string): Promise<FlowInput[]> {
  const { FlowList, describeIssues } = await import('@svcpath/api-contract');
  const text = readUserFile(io, path, 'flows file');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const pos = /position (\d+)/.exec((e as Error).message);
    const where = pos ? `:${lineOfOffset(text, Number(pos[1]))}` : '';
    throw new CliError(`${path}${where}: not valid JSON (${(e as Error).message})`, 1);
  }
  const parsed = FlowList.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue, k) => {
      const index = typeof issue.path[0] === 'number' ? issue.path[0] : null;
      const line = index === null ? 1 : lineOfArrayElement(text, index);
      return `${path}:${line}: ${describeIssues(parsed.error)[k]}`;
    });
    throw new CliError(`bad flows file (expected an array of {"src","dst","dport","proto"}):\n${lines.join('\n')}`, 1);
  }
  return parsed.data;
}

