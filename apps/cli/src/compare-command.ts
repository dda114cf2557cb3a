import { isIP } from 'node:net';
import { traceableFiles } from '@svcpath/collector';
import { compareNodes, helpAnchor, type Finding } from '@svcpath/diagnostics';
import { parseIP } from '@svcpath/netaddr';
import { loadRuleset, type Ruleset } from '@svcpath/ruleset';
import { trace, type Outcome, type TraceResult } from '@svcpath/tracer';
import { CliError, readUserFile, type Io, readFlags } from './io';
import { openStore, withSnapshotErrors } from './snapshots-command';

const HELP = `Usage: svcpath compare --collection NAME [--store DIR] [--from IP|node --to IP:PORT [--proto P]]
       svcpath compare --rules NODE=FILE --rules NODE=FILE [...] [--node-ip NODE=IP[,IP]] [--from ... --to ...]

Compares what every node of one incident programs for each Service port and points at the odd node
out and the difference (a node whose kube-proxy stopped syncing shows up here). With --from and
--to, traces the same packet on every node and prints the outcomes side by side.

  --collection NAME   the snapshots "svcpath collect" saved for several nodes under one name
  --store DIR         where snapshots are kept (default $SVCPATH_STORE, else ~/.svcpath/snapshots)
  --rules NODE=FILE   a node's dump (iptables-save or nft); repeat per node (and per file of a node)
  --node-ip NODE=IP   a node's own addresses, for NodePorts and node-originated traffic; repeatable
  --from IP|node      trace from this address, or from each node itself ("node")
  --to IP:PORT        trace to this destination
  --proto P           tcp (default), udp or sctp
  --json              print {nodes, findings, trace} as JSON

Exit codes: 0 compared (whatever it found); 1 bad input data; 2 bad command line.`;

const OPTIONS = {
  collection: { type: 'string' },
  store: { type: 'string' },
  rules: { type: 'string', multiple: true },
  'node-ip': { type: 'string', multiple: true },
  from: { type: 'string' },
  to: { type: 'string' },
  proto: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** One node's rules, read from a snapshot or from files. */
interface NodeInput {
  readonly nodeName: string;
  readonly ruleset: Ruleset;
  readonly nodeIPs: readonly string[];
}

interface TraceRequest {
  /** An address, or null for "each node itself, from its first address". */
  readonly src: string | null;
  readonly dst: string;
  readonly dport: number;
  readonly proto: 'tcp' | 'udp' | 'sctp';
}

/** One outcome of the side-by-side trace, with its share on each node (0 where absent). */
export interface OutcomeAcrossNodes {
  readonly outcome: string;
  readonly service: string | null;
  readonly shares: Readonly<Record<string, number>>;
  /** False when some node gives this outcome a different share. */
  readonly same: boolean;
}

export async function compareCommand(args: string[], io: Io): Promise<number> {
  const values = readFlags(args, OPTIONS, HELP, io);
  if (!values) return 0;
  if (!values.collection === !values.rules?.length) throw new CliError(`give either --collection NAME or --rules NODE=FILE (one per node)\n\n${HELP}`, 2);
  const request = readTraceRequest(values.from, values.to, values.proto);
  const nodes = values.collection ? await nodesOfCollection(values.collection, values.store, io) : nodesOfFiles(values.rules!, values['node-ip'] ?? [], io);
  if (nodes.length < 2) throw new CliError(`compare needs at least two nodes; got ${nodes.map((n) => n.nodeName).join(', ') || 'none'}`, 1);

  const findings = compareNodes(nodes);
  const traced = request ? traceOnEveryNode(nodes, request) : undefined;
  if (values.json) {
    const out = { nodes: nodes.map((n) => n.nodeName), findings: findings.map((f) => ({ ...f, help: helpAnchor(f.code) })), ...(traced ? { trace: traced } : {}) };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else io.stdout.write(formatComparison(nodes, findings, traced));
  return 0;
}

function readTraceRequest(from?: string, to?: string, proto?: string): TraceRequest | undefined {
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

async function nodesOfCollection(name: string, storeDir: string | undefined, io: Io): Promise<NodeInput[]> {
  const snapshots = await withSnapshotErrors(() => openStore(storeDir, io).collection(name));
  return snapshots.map((s) => {
    const files = traceableFiles(s);
    if (files.length === 0) throw new CliError(`snapshot ${s.id} holds no iptables or nftables dump to compare`, 1);
    return { nodeName: s.node, ruleset: loadNode(s.id, files), nodeIPs: s.nodeIPs };
  });
}

function nodesOfFiles(rules: readonly string[], nodeIPFlags: readonly string[], io: Io): NodeInput[] {
  const files = new Map<string, { name: string; text: string }[]>();
  for (const r of rules) {
    const m = /^([^=]+)=(.+)$/.exec(r);
    if (!m) throw new CliError(`--rules "${r}": expected NODE=FILE`, 2);
    files.set(m[1]!, [...(files.get(m[1]!) ?? []), { name: m[2]!, text: readUserFile(io, m[2]!, `dump of ${m[1]}`) }]);
  }
  const nodeIPs = new Map<string, string[]>();
  for (const v of nodeIPFlags) {
    const m = /^([^=]+)=(.+)$/.exec(v);
    if (!m) throw new CliError(`--node-ip "${v}": expected NODE=IP[,IP]`, 2);
    if (!files.has(m[1]!)) throw new CliError(`--node-ip ${m[1]}: no --rules ${m[1]}=FILE names that node`, 2);
    const ips = m[2]!.split(',').map((s) => s.trim()).filter(Boolean);
    for (const ip of ips) if (!isIP(ip)) throw new CliError(`--node-ip ${m[1]}: "${ip}" is not an IP address`, 2);
    nodeIPs.set(m[1]!, [...(nodeIPs.get(m[1]!) ?? []), ...ips]);
  }
  return [...files].map(([nodeName, f]) => ({ nodeName, ruleset: loadNode(nodeName, f), nodeIPs: nodeIPs.get(nodeName) ?? [] }));
}

function loadNode(node: string, files: readonly { name: string; text: string }[]): Ruleset {
  const loaded = loadRuleset(files);
  if (!loaded.ruleset) throw new CliError(`${node}: no rules svcpath can read in ${files.map((f) => f.name).join(', ')}`, 1);
  return loaded.ruleset;
}

/** How an outcome reads in the side-by-side table: what happens, not which rules did it. */
function outcomeKey(o: Outcome): string {
  const masq = o.masquerade ? ', masqueraded' : o.snat ? `, SNAT ${o.snat}` : '';
  switch (o.verdict) {
    case 'DNAT':
      return `DNAT ${o.destination ?? '?'}${masq}`;
    case 'ACCEPT':
      return `ACCEPT (${o.delivery === 'local' ? 'to the node' : 'forwarded unchanged'})${masq}`;
    case 'REJECT':
      return `REJECT${o.rejectWith && o.rejectWith !== 'icmp-port-unreachable' ? ` ${o.rejectWith}` : ''}`;
    case 'DROP':
      return 'DROP';
    case 'UNKNOWN':
      return `UNKNOWN (${o.notShown?.subject ?? '?'} not in the dump)`;
    default: {
      const never: never = o.verdict;
      return never;
    }
  }
}

/** The same packet on every node; `from node` means each node's own first address. */
function traceOnEveryNode(nodes: readonly NodeInput[], req: TraceRequest): { packet: TraceRequest; perNode: Record<string, { src: string | null; outcomes: number }>; outcomes: OutcomeAcrossNodes[]; differs: boolean } {
  const results = new Map<string, TraceResult | null>();
  for (const n of nodes) {
    const src = req.src ?? n.nodeIPs[0] ?? null;
    results.set(n.nodeName, src === null ? null : trace(n.ruleset, { src: parseIP(src)!, dst: parseIP(req.dst)!, dport: req.dport, proto: req.proto }, { localAddresses: n.nodeIPs.flatMap((a) => parseIP(a) ?? []) }));
  }
  const rows = new Map<string, { service: string | null; shares: Record<string, number> }>();
  for (const [node, r] of results)
    for (const o of r?.outcomes ?? []) {
      const key = outcomeKey(o);
      const row = rows.get(key) ?? { service: o.service, shares: {} };
      row.shares[node] = (row.shares[node] ?? 0) + o.probability;
      rows.set(key, row);
    }
  const names = nodes.map((n) => n.nodeName);
  const outcomes = [...rows].map(([outcome, row]) => {
    const shares = Object.fromEntries(names.map((n) => [n, row.shares[n] ?? 0]));
    const values = Object.values(shares);
    return { outcome, service: row.service, shares, same: values.every((v) => Math.abs(v - values[0]!) < 1e-9) };
  });
  const perNode = Object.fromEntries(nodes.map((n) => [n.nodeName, { src: req.src ?? n.nodeIPs[0] ?? null, outcomes: results.get(n.nodeName)?.outcomes.length ?? 0 }]));
  return { packet: req, perNode, outcomes, differs: outcomes.some((o) => !o.same) };
}

function formatFinding(f: Finding): string[] {
  const evidence = f.evidence.flatMap((e) => (e.kind === 'rule' ? [`      ${e.file}:${e.line}  ${e.raw}`] : []));
  return [`  ${f.node ?? '?'}: ${f.title}`, `    ${f.explanation}`, ...(evidence.length ? ['    evidence:', ...evidence] : [])];
}

function formatComparison(nodes: readonly NodeInput[], findings: readonly Finding[], traced?: ReturnType<typeof traceOnEveryNode>): string {
  const services = [...new Set(findings.map((f) => f.service ?? '?'))];
  const lines = [`svcpath compare: ${nodes.length} nodes (${nodes.map((n) => n.nodeName).join(', ')}) — ${services.length} Service port(s) programmed differently`, ''];
  if (findings.length === 0) lines.push('Every node programs every Service port the same way.', '');
  for (const s of services) {
    const odd = findings.filter((f) => (f.service ?? '?') === s);
    lines.push(`${s}: odd node(s) ${odd.map((f) => f.node).join(', ')}`, ...odd.flatMap(formatFinding), '');
  }
  // One next step per odd node (with two nodes and no majority, both are named).
  const nextSteps = [...new Set(findings.map((f) => f.nextStep))];
  if (findings.length) lines.push(...nextSteps.map((n) => `next: ${n}`), `help: ${helpAnchor(findings[0]!.code)}`, '');
  if (traced) {
    const p = traced.packet;
    lines.push(`The same packet on every node: ${p.src ?? 'each node itself'} → ${p.dst}:${p.dport}/${p.proto}`);
    const names = nodes.map((n) => n.nodeName);
    const width = Math.max(7, ...traced.outcomes.map((o) => o.outcome.length));
    const col = Math.max(8, ...names.map((n) => n.length));
    lines.push(`  ${'OUTCOME'.padEnd(width)}  ${names.map((n) => n.padStart(col)).join('  ')}`);
    for (const o of traced.outcomes)
      lines.push(`${o.same ? ' ' : '*'} ${o.outcome.padEnd(width)}  ${names.map((n) => `${((o.shares[n] ?? 0) * 100).toFixed(1)}%`.padStart(col)).join('  ')}${o.service ? `  ${o.service}` : ''}`);
    for (const [node, info] of Object.entries(traced.perNode)) if (info.src === null) lines.push(`  note: ${node} has no known address to send from (give --node-ip ${node}=IP)`);
    lines.push(traced.differs ? '  (* the nodes disagree on this outcome)' : '  Every node gives the same outcomes.');
  }
  return `${lines.join('\n')}\n`;
}
