import { isIP } from 'node:net';
import type { Snapshot } from '@svcpath/api-contract';
import { clusterStateOfSnapshot, compareNodes, flowMatrix, helpAnchor, type DiagnoseClusterState, type FlowMatrix, type Finding, type MatrixNode, type MatrixPacket } from '@svcpath/diagnostics';
import { loadRuleset, type Ruleset } from '@svcpath/ruleset';
import { inCliWords } from './cli-words';
import { readClusterState } from './doctor-command';
import { CliError, readUserFile, type Io, readFlags } from './io';
import { readSnapshots, rulesOf, storeDir } from './snapshot-reader';

const HELP = `Usage: svcpath compare --snapshot NAME|ID [--snapshot ID ...] [--store DIR] [--from IP|node --to IP:PORT [--proto P]]
       svcpath compare --rules NODE=FILE --rules NODE=FILE [...] [--node-ip NODE=IP[,IP]] [--cluster-state FILE] [--from ... --to ...]

Compares what every node of one incident programs for each Service port. With the cluster state
(a collection that holds it, or --cluster-state) each node is judged against the EndpointSlices:
two nodes are enough to name the one that is wrong. Without it the majority decides, and two
nodes that differ are shown side by side, unranked. With --from and --to, traces the same packet on
every node and prints the outcomes per node (a matrix: eTP/iTP Local and NodePort differences, a
stale node, at a glance).

  --snapshot NAME|ID  a collection name (every node of it) or a snapshot id (collection~node);
                      repeatable. --collection NAME is the same as --snapshot NAME
  --store DIR         where snapshots are kept (default $SVCPATH_STORE, else ~/.svcpath/snapshots)
  --rules NODE=FILE   a node's dump (iptables-save or nft); repeat per node (and per file of a node)
  --node-ip NODE=IP   a node's own addresses, for NodePorts and node-originated traffic; repeatable
  --cluster-state FILE  cluster objects as JSON (as for svcpath doctor); overrides the snapshots'
  --from IP|node      trace from this address, or from each node itself ("node")
  --to IP:PORT        trace to this destination
  --proto P           tcp (default), udp or sctp
  --json              print {nodes, judgedBy, findings, matrix} as JSON

Exit codes: 0 compared (whatever it found); 1 bad input data; 2 bad command line.`;

const OPTIONS = {
  collection: { type: 'string', multiple: true },
  snapshot: { type: 'string', multiple: true },
  store: { type: 'string' },
  rules: { type: 'string', multiple: true },
  'node-ip': { type: 'string', multiple: true },
  'cluster-state': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  proto: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function compareCommand(args: string[], io: Io): Promise<number> {
  const values = readFlags(args, OPTIONS, HELP, io);
  if (!values) return 0;
  const stored = [...(values.collection ?? []), ...(values.snapshot ?? [])];
  if (!stored.length === !values.rules?.length) throw new CliError(`give either --snapshot NAME|ID (a collection, or one id per node) or --rules NODE=FILE (one per node)\n\n${HELP}`, 2);
  const packet = readTraceRequest(values.from, values.to, values.proto);
  const snapshots = stored.length ? await readSnapshots(stored, storeDir(values.store, io)) : [];
  const nodes = snapshots.length ? nodesOfSnapshots(snapshots, values['node-ip'] ?? []) : nodesOfFiles(values.rules!, values['node-ip'] ?? [], io);
  if (nodes.length < 2) throw new CliError(`compare needs at least two nodes; got ${nodes.map((n) => n.nodeName).join(', ') || 'none'}`, 1);
  const names = nodes.map((n) => n.nodeName);
  if (new Set(names).size < names.length) throw new CliError(`two snapshots are of the same node (${names.join(', ')}): compare needs one snapshot per node`, 1);

  const judge = values['cluster-state'] ? { by: `--cluster-state ${values['cluster-state']}`, state: readClusterState(io, values['cluster-state']) } : clusterStateOf(snapshots);
  const findings = compareNodes(nodes, judge ? { clusterState: judge.state } : {}).map(inCliWords);
  const matrix = packet ? flowMatrix(nodes, packet, judge ? { clusterState: judge.state } : {}) : undefined;
  if (values.json) {
    const out = { nodes: names, judgedBy: judge ? 'cluster-state' : 'majority', findings: findings.map((f) => ({ ...f, help: helpAnchor(f.code) })), ...(matrix ? { matrix } : {}) };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else io.stdout.write(formatComparison(nodes, findings, judge?.by ?? null, matrix));
  return 0;
}

function readTraceRequest(from?: string, to?: string, proto?: string): MatrixPacket | undefined {
  if (from === undefined && to === undefined) return undefined;
  if (from === undefined || to === undefined) throw new CliError('--from and --to go together', 2);
  if (from !== 'node' && !isIP(from)) throw new CliError(`--from: "${from}" is not an IP address or "node"`, 2);
  const m = /^(.+):(\d{1,5})$/.exec(to);
  const dst = m?.[1]?.replace(/^\[(.*)\]$/, '$1');
  if (!m || !dst || !isIP(dst) || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new CliError(`--to: "${to}" is not IP:PORT`, 2);
  const p = proto ?? 'tcp';
  if (p !== 'tcp' && p !== 'udp' && p !== 'sctp') throw new CliError('--proto must be tcp, udp or sctp', 2);
  return { src: from === 'node' ? null : from, dst, dport: Number(m[2]), proto: p };
}

/** The newest cluster state the snapshots hold (they were collected together, so any is the incident's). */
function clusterStateOf(snapshots: readonly Snapshot[]): { by: string; state: DiagnoseClusterState } | null {
  const withState = [...snapshots].filter((s) => s.clusterState && s.clusterState.endpoints.kind !== 'unavailable').sort((a, b) => b.takenAt.localeCompare(a.takenAt))[0];
  return withState?.clusterState ? { by: `the cluster state in snapshot ${withState.id}`, state: clusterStateOfSnapshot(withState.clusterState) } : null;
}

function nodesOfSnapshots(snapshots: readonly Snapshot[], nodeIPFlags: readonly string[]): MatrixNode[] {
  const extra = nodeIPsByNode(nodeIPFlags, new Set(snapshots.map((s) => s.node)));
  return snapshots.map((s) => ({ nodeName: s.node, ruleset: loadNode(s.id, rulesOf(s, 'compare')), nodeIPs: [...new Set([...s.nodeIPs, ...(extra.get(s.node) ?? [])])] }));
}

function nodesOfFiles(rules: readonly string[], nodeIPFlags: readonly string[], io: Io): MatrixNode[] {
  const files = new Map<string, { name: string; text: string }[]>();
  for (const r of rules) {
    const m = /^([^=]+)=(.+)$/.exec(r);
    if (!m) throw new CliError(`--rules "${r}": expected NODE=FILE`, 2);
    files.set(m[1]!, [...(files.get(m[1]!) ?? []), { name: m[2]!, text: readUserFile(io, m[2]!, `dump of ${m[1]}`) }]);
  }
  const nodeIPs = nodeIPsByNode(nodeIPFlags, new Set(files.keys()));
  return [...files].map(([nodeName, f]) => ({ nodeName, ruleset: loadNode(nodeName, f), nodeIPs: nodeIPs.get(nodeName) ?? [] }));
}

function nodeIPsByNode(flags: readonly string[], known: ReadonlySet<string>): Map<string, string[]> {
  const nodeIPs = new Map<string, string[]>();
  for (const v of flags) {
    const m = /^([^=]+)=(.+)$/.exec(v);
    if (!m) throw new CliError(`--node-ip "${v}": expected NODE=IP[,IP]`, 2);
    if (!known.has(m[1]!)) throw new CliError(`--node-ip ${m[1]}: no node of that name is compared (${[...known].join(', ')})`, 2);
    const ips = m[2]!.split(',').map((s) => s.trim()).filter(Boolean);
    for (const ip of ips) if (!isIP(ip)) throw new CliError(`--node-ip ${m[1]}: "${ip}" is not an IP address`, 2);
    nodeIPs.set(m[1]!, [...(nodeIPs.get(m[1]!) ?? []), ...ips]);
  }
  return nodeIPs;
}

function loadNode(node: string, files: readonly { name: string; text: string }[]): Ruleset {
  const loaded = loadRuleset(files);
  if (!loaded.ruleset) throw new CliError(`${node}: no rules svcpath can read in ${files.map((f) => f.name).join(', ')}`, 1);
  return loaded.ruleset;
}

function formatFinding(f: Finding): string[] {
  const evidence = f.evidence.flatMap((e) => (e.kind === 'rule' ? [`      ${e.file}:${e.line}  ${e.raw}`] : []));
  return [`  ${f.title}`, `    ${f.explanation}`, ...(evidence.length ? ['    evidence:', ...evidence] : [])];
}

function formatComparison(nodes: readonly MatrixNode[], findings: readonly Finding[], judgedBy: string | null, matrix?: FlowMatrix): string {
  const services = [...new Set(findings.map((f) => f.service ?? '?'))];
  const lines = [
    `svcpath compare: ${nodes.length} nodes (${nodes.map((n) => n.nodeName).join(', ')}) — ${services.length} Service port(s) programmed differently`,
    judgedBy ? `Each node is judged against ${judgedBy}.` : `No cluster state: nodes are judged by the majority${nodes.length === 2 ? ', and two nodes that differ cannot be ranked (give --cluster-state FILE)' : ''}.`,
    '',
  ];
  if (findings.length === 0) lines.push(judgedBy ? 'Every node programs every Service port as the cluster state says.' : 'Every node programs every Service port the same way.', '');
  for (const s of services) {
    const here = findings.filter((f) => (f.service ?? '?') === s);
    const odd = here.flatMap((f) => (f.node ? [f.node] : []));
    lines.push(`${s}: ${odd.length ? `odd node(s) ${odd.join(', ')}` : 'unranked'}`, ...here.flatMap(formatFinding), '');
  }
  const nextSteps = [...new Set(findings.map((f) => f.nextStep))];
  if (findings.length) lines.push(...nextSteps.map((n) => `next: ${n}`), `help: ${helpAnchor(findings[0]!.code)}`, '');
  if (matrix) lines.push(...formatMatrix(nodes, matrix));
  return `${lines.join('\n')}\n`;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The per-node matrix: one row per outcome, one column per node, then what each node comes to. */
function formatMatrix(nodes: readonly MatrixNode[], m: FlowMatrix): string[] {
  const p = m.packet;
  const names = nodes.map((n) => n.nodeName);
  const width = Math.max(9, ...m.rows.map((o) => o.outcome.length));
  const col = Math.max(8, ...names.map((n) => n.length));
  const row = (label: string, cells: string[]) => `${label.padEnd(width + 2)}  ${cells.map((c) => c.padStart(col)).join('  ')}`;
  const lines = [`The same packet on every node: ${p.src ?? 'each node itself'} → ${p.dst}:${p.dport}/${p.proto}`, row('  OUTCOME', names)];
  for (const o of m.rows)
    lines.push(`${row(`${o.same ? ' ' : '*'} ${o.outcome}`, names.map((n) => pct(o.shares[n] ?? 0)))}${o.service ? `  ${o.service}` : ''}${o.goneEndpoint ? '  (no longer an endpoint)' : ''}`);
  lines.push(row('  delivered', m.nodes.map((s) => pct(s.delivered))));
  if (m.nodes.some((s) => s.toGoneEndpoints > 0)) lines.push(row('  to gone endpoints', m.nodes.map((s) => pct(s.toGoneEndpoints))));
  for (const s of m.nodes) if (s.src === null) lines.push(`  note: ${s.node} has no known address to send from (give --node-ip ${s.node}=IP)`);
  lines.push(m.differs ? '  (* the nodes disagree on this outcome)' : '  Every node gives the same outcomes.');
  return lines;
}
