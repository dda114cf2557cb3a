import { isIPv4 } from 'node:net';
import { traceableFiles } from '@svcpath/api-contract';
import { CommandFailedError, checkFlow, createLab, labAvailable, restorableDump, tolerance, withinTolerance, type Flow, type FlowCheck, type LabListener, type LabSpec } from '@svcpath/kernel-lab';
import { parseIP } from '@svcpath/netaddr';
import { loadRuleset, type Ruleset } from '@svcpath/ruleset';
import { trace, type TraceResult } from '@svcpath/tracer';
// checkFlow is the kernel lab's trace-vs-kernel comparison; its package does not export it yet.

import { CliError, type Io, readFlags } from './io';
import { readSnapshot, storeDir } from './snapshot-reader';

const HELP = `Usage: svcpath replay --snapshot ID [--store DIR] --from IP --to IP:PORT [--proto tcp|udp] [--tries N]

Restores a snapshot's rules (iptables-save or nft) into a throwaway lab of network namespaces on
THIS machine — never on the node — opens real connections from --from to --to, and prints the
kernel's answer beside svcpath's prediction: per outcome, the predicted share, the observed share
and whether they agree. Needs Linux and root (it creates network namespaces).

  --snapshot ID    a snapshot saved by "svcpath collect" or "svcpath snapshots import"
  --store DIR      where snapshots are kept (default $SVCPATH_STORE, else ~/.svcpath/snapshots)
  --from IP        client address (IPv4); one of the node's addresses means the node itself sends
  --to IP:PORT     destination: a ClusterIP, a node IP with a NodePort, an LB or external IP
  --proto P        tcp (default) or udp
  --tries N        connections to open (default 150; fewer for a DROP, which costs a timeout each)
  --node-ip IP     a node address to use besides the snapshot's; repeatable
  --json           print {snapshot, flow, changes, endpoints, outcomes, agree, mismatches} as JSON

Dumps the kernel refuses as they are (nfacct matches, unquoted comments, partial dumps) are
changed as little as possible; every change is printed. Exit codes: 0 the replay ran (whatever it
found); 1 bad input data or no lab possible here; 2 bad command line.`;

const OPTIONS = {
  snapshot: { type: 'string' },
  store: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  proto: { type: 'string' },
  tries: { type: 'string' },
  'node-ip': { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function replayCommand(args: string[], io: Io): Promise<number> {
  const values = readFlags(args, OPTIONS, HELP, io);
  if (!values) return 0;
  const flow = readFlow(values);
  if (!values.snapshot) throw new CliError(`--snapshot ID is required\n\n${HELP}`, 2);
  const snapshot = await readSnapshot(values.snapshot, storeDir(values.store, io));
  const nodeIPs = [...new Set([...snapshot.nodeIPs, ...(values['node-ip'] ?? []).flatMap((v) => v.split(','))].map((s) => s.trim()).filter((s) => isIPv4(s)))];
  if (nodeIPs.length === 0) throw new CliError(`snapshot ${snapshot.id} names no IPv4 node address; give one with --node-ip`, 1);
  flow.fromNode = nodeIPs.includes(flow.src);

  const dump = restorableFromSnapshot(snapshot.id, traceableFiles(snapshot));
  const loaded = loadRuleset([{ name: dump.name, text: dump.text }]);
  if (!loaded.ruleset) throw new CliError(`snapshot ${snapshot.id}: no rules svcpath can read`, 1);
  const rs = loaded.ruleset;
  const spec = labSpecFor(trace(rs, { src: parseIP(flow.src)!, dst: parseIP(flow.dst)!, dport: flow.dport, proto: flow.proto }, { localAddresses: nodeIPs.map((a) => parseIP(a)!) }), flow, nodeIPs);

  const available = await labAvailable();
  if (!available.ok)
    throw new CliError(`cannot build a lab on this machine: ${available.why}.\nreplay restores the rules into network namespaces of its own on this machine (never on the node): run it as root on Linux, with iptables, nftables and conntrack installed.`, 1);
  const check = await runInLab(spec, dump, rs, flow, nodeIPs);
  const rows = outcomeRows(check);
  if (values.json) {
    const endpoints = [...spec.endpoints, ...(spec.nodeListeners ?? [])].map((l) => `${l.ip}:${l.port}`);
    io.stdout.write(`${JSON.stringify({ snapshot: snapshot.id, flow: { src: flow.src, dst: flow.dst, dport: flow.dport, proto: flow.proto, fromNode: flow.fromNode }, tries: check.tries, changes: dump.changes, endpoints, outcomes: rows, agree: check.mismatches.length === 0, mismatches: check.mismatches }, null, 2)}\n`);
  } else io.stdout.write(formatReplay(snapshot.id, flow, dump.changes, spec, check, rows));
  return 0;
}

function readFlow(v: { from?: string; to?: string; proto?: string; tries?: string }): Flow & { tries: number } {
  if (!v.from || !v.to) throw new CliError(`--from IP and --to IP:PORT are required\n\n${HELP}`, 2);
  if (!isIPv4(v.from)) throw new CliError(`--from: "${v.from}" is not an IPv4 address (the lab is IPv4 only)`, 2);
  const to = /^(\d+\.\d+\.\d+\.\d+):(\d{1,5})$/.exec(v.to);
  if (!to || !isIPv4(to[1]!) || Number(to[2]) < 1 || Number(to[2]) > 65535) throw new CliError(`--to: "${v.to}" is not IPv4:PORT`, 2);
  const proto = v.proto ?? 'tcp';
  if (proto !== 'tcp' && proto !== 'udp') throw new CliError('--proto must be tcp or udp (the lab does not probe sctp)', 2);
  const tries = v.tries === undefined ? 150 : /^\d+$/.test(v.tries) ? Number(v.tries) : NaN;
  if (!(tries >= 1 && tries <= 5000)) throw new CliError('--tries must be a whole number from 1 to 5000', 2);
  return { name: 'replay', src: v.from, dst: to[1]!, dport: Number(to[2]), proto, tries };
}

interface Restorable {
  readonly name: string;
  readonly text: string;
  readonly dataplane: 'iptables' | 'nftables';
  readonly changes: readonly string[];
}

function restorableFromSnapshot(id: string, files: readonly { name: string; text: string }[]): Restorable {
  if (files.length === 0) throw new CliError(`snapshot ${id} holds no iptables or nftables dump to replay`, 1);
  const name = files.map((f) => f.name).join('+');
  try {
    return { name, ...restorableDump(name, files.map((f) => f.text).join('\n')) };
  } catch (e) {
    throw new CliError(`snapshot ${id}: ${(e as Error).message}`, 1);
  }
}

/**
 * The lab the flow needs: the client (or the node itself), and a listener for every place the
 * traced outcomes send it — each DNAT target (in P, or in N when it is a node address) and, for
 * packets the rules deliver to the node, the destination itself.
 */
function labSpecFor(prediction: TraceResult, flow: Flow, nodeIPs: readonly string[]): LabSpec {
  const endpoints: LabListener[] = [];
  const nodeListeners: LabListener[] = [];
  for (const o of prediction.outcomes) {
    if (o.verdict === 'DNAT' && o.destination) {
      const m = /^(\d+\.\d+\.\d+\.\d+)(?::(\d+))?$/.exec(o.destination);
      if (!m) continue; // not IPv4: the lab cannot host it, and the mismatch will say so
      const l = { ip: m[1]!, port: m[2] ? Number(m[2]) : flow.dport, proto: flow.proto };
      if (l.ip === flow.src && !flow.fromNode) throw new CliError(`${flow.src} is itself an endpoint of ${flow.dst}:${flow.dport} (a Pod reaching its own Service): the lab keeps clients and endpoints apart; replay from another address`, 1);
      (nodeIPs.includes(l.ip) ? nodeListeners : endpoints).push(l);
    } else if (o.verdict === 'ACCEPT' && o.delivery === 'local')
      nodeListeners.push({ ip: nodeIPs.includes(flow.dst) ? flow.dst : '0.0.0.0', port: flow.dport, proto: flow.proto });
  }
  return { nodeIPs: [...nodeIPs], clientIPs: flow.fromNode ? [] : [flow.src], endpoints, nodeListeners };
}

async function runInLab(spec: LabSpec, dump: Restorable, rs: Ruleset, flow: Flow, nodeIPs: string[]): Promise<FlowCheck> {
  const lab = await createLab(spec, { name: 'replay' });
  try {
    try {
      if (dump.dataplane === 'iptables') await lab.restoreIptables(dump.text);
      else await lab.restoreNft(dump.text);
    } catch (e) {
      if (e instanceof CommandFailedError) throw new CliError(refusal(dump, e.stderr), 1);
      throw e;
    }
    return await checkFlow(lab, rs, flow, { nodeIPs, masqueradeSource: nodeIPs[0]! });
  } finally {
    await lab.destroy();
  }
}

/** The kernel's complaint, with the line it names as restored (after svcpath's changes). */
function refusal(dump: Restorable, stderr: string): string {
  const tool = dump.dataplane === 'iptables' ? 'iptables-restore' : 'nft -f';
  const line = Number(/line (\d+)/.exec(stderr)?.[1] ?? 0);
  const text = line > 0 ? dump.text.split('\n')[line - 1] : undefined;
  return `the kernel refused the dump (${tool}): ${stderr.trim()}${text ? `\n  line ${line} as restored: ${text}` : ''}${dump.changes.length ? `\n  (after svcpath's changes: ${dump.changes.length})` : ''}`;
}

/** One line of the report: an outcome svcpath predicted or the kernel gave. */
export interface OutcomeRow {
  readonly outcome: string;
  readonly predicted: number;
  readonly observed: number;
  readonly observedCount: number;
  readonly tolerance: number;
  readonly agrees: boolean;
}

function outcomeRows(c: FlowCheck): OutcomeRow[] {
  const keys = [...new Set([...c.predicted.keys(), ...c.observed.keys()])];
  return keys
    .map((outcome) => {
      const p = c.predicted.get(outcome);
      const n = c.observed.get(outcome) ?? 0;
      return { outcome, predicted: p ?? 0, observed: n / c.tries, observedCount: n, tolerance: tolerance(c.tries, p ?? 0), agrees: p !== undefined && withinTolerance(n, c.tries, p) };
    })
    .sort((a, b) => b.predicted - a.predicted || b.observed - a.observed || a.outcome.localeCompare(b.outcome));
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function formatReplay(id: string, flow: Flow, changes: readonly string[], spec: LabSpec, c: FlowCheck, rows: readonly OutcomeRow[]): string {
  const lines = [`svcpath replay: ${id} — ${flow.fromNode ? `the node (${flow.src})` : flow.src} → ${flow.dst}:${flow.dport}/${flow.proto}, ${c.tries} connection(s) in a lab on this machine`];
  if (changes.length) lines.push('changes made so the kernel takes the dump:', ...changes.map((ch) => `  - ${ch}`));
  const listeners = [...spec.endpoints, ...(spec.nodeListeners ?? [])].map((l) => `${l.ip}:${l.port}`);
  lines.push(`listeners: ${listeners.join(', ') || '(none: svcpath predicts no delivery)'}`, '');
  const width = Math.max(7, ...rows.map((r) => r.outcome.length));
  lines.push(`${'OUTCOME'.padEnd(width)}  PREDICTED  OBSERVED          AGREES`);
  for (const r of rows)
    lines.push(`${r.outcome.padEnd(width)}  ${pct(r.predicted).padStart(9)}  ${`${pct(r.observed)} (${r.observedCount})`.padEnd(16)}  ${r.agrees ? `yes (±${pct(r.tolerance)})` : r.predicted === 0 ? 'NO: not predicted' : `NO (±${pct(r.tolerance)})`}`);
  lines.push('');
  if (c.mismatches.length === 0) lines.push('The kernel and svcpath agree.');
  else lines.push('The kernel and svcpath DISAGREE:', ...c.mismatches.map((m) => `  - ${m}`));
  for (const a of c.trace.assumptions) lines.push(`note: svcpath ${a}`);
  return `${lines.join('\n')}\n`;
}
