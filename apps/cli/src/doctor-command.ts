import type { Snapshot } from '@svcpath/api-contract';
import { clusterStateOfSnapshot, diagnose, helpAnchor, parseDummyAddresses, type DiagnoseClusterState, type Evidence, type Finding, type IpvsInput } from '@svcpath/diagnostics';
import type { EndpointSlice, Node, Pod, Service } from '@svcpath/k8s-model';
import { parseIP } from '@svcpath/netaddr';
import { parseIpset, parseIpvsadm } from '@svcpath/parse-ipvs';
import { loadRuleset } from '@svcpath/ruleset';
import { inCliWords } from './cli-words';
import { CliError, readUserFile, reportDiagnostics, type Io, readFlags } from './io';
import { readDumps, scanTexts } from './read-dumps';
import { fileOfKind, readSnapshot, rulesOf, storeDir } from './snapshot-reader';

const HELP = `Usage: svcpath doctor --rules FILE [--rules FILE ...] --node NAME --node-ip IP [options]
       svcpath doctor --snapshot ID [--store DIR] [options]

Compares what the cluster says should happen with what the node's rules do, and prints findings
ranked by severity, each with its evidence (rules with file:line, object fields, traces) and a next
step. Codes are explained in docs/doctor.md.

  --rules FILE           a node dump (iptables-save, nft list ruleset); repeatable
  --snapshot ID          a snapshot saved by "svcpath collect" or "svcpath snapshots import"
                         (collection~node): its rules, node name and IPs, cluster state, sysctls,
                         conntrack table and IPVS dumps; flags given as well override them
  --store DIR            where snapshots are kept (default $SVCPATH_STORE, else ~/.svcpath/snapshots)
  --cluster-state FILE   cluster objects as JSON: {"services","endpointSlices","pods"?,"nodes"?} or the
                         output of \`kubectl get svc,endpointslices,pods,nodes -A -o json\`
  --node NAME            kube-proxy's node name (decides which endpoints are local)
  --node-ip IP[,IP]      the node's own addresses; repeatable
  --from POD|IP          trace from this source (ns/name of a Pod, or an address)
  --to SERVICE|IP:PORT   trace to this Service (ns/name[:port]) or address, and focus the report on it
  --proto P              tcp, udp or sctp for --to IP:PORT (default: the Service port's)
  --sysctls FILE         \`sysctl -a\` output (route_localnet, conntrack use)
  --conntrack FILE       \`conntrack -L\` output (flows conntrack still sends to old endpoints)
  --ipvs FILE            \`ipvsadm -Sn\` or \`ipvsadm -Ln\` output (IPVS mode)
  --ipset FILE           \`ipset save\` or \`ipset list\` output (IPVS mode)
  --ipvs-addresses FILE  \`ip addr show kube-ipvs0\` output (IPVS mode)
  --json                 print {node, focus, findings, notChecked, notUnderstood?} as JSON
                         (lines not understood are also named on stderr)

Exit codes: 0 the doctor ran (whatever it found); 1 bad input data; 2 bad command line.`;

const OPTIONS = {
  rules: { type: 'string', multiple: true },
  snapshot: { type: 'string' },
  store: { type: 'string' },
  'cluster-state': { type: 'string' },
  node: { type: 'string' },
  'node-ip': { type: 'string', multiple: true },
  from: { type: 'string' },
  to: { type: 'string' },
  proto: { type: 'string' },
  sysctls: { type: 'string' },
  conntrack: { type: 'string' },
  ipvs: { type: 'string' },
  ipset: { type: 'string' },
  'ipvs-addresses': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function doctorCommand(args: string[], io: Io): Promise<number> {
  const values = readFlags(args, OPTIONS, HELP, io);
  if (!values) return 0;
  if (!values.rules?.length && !values.snapshot) throw new CliError(`--rules FILE or --snapshot ID is required\n\n${HELP}`, 2);
  if (values.rules?.length && values.snapshot) throw new CliError('give --rules FILE or --snapshot ID, not both', 2);
  const snapshot = values.snapshot ? await readSnapshot(values.snapshot, storeDir(values.store, io)) : undefined;
  const node = values.node ?? snapshot?.node;
  if (!node) throw new CliError(`--node NAME is required\n\n${HELP}`, 2);
  const flagIPs = (values['node-ip'] ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  for (const ip of flagIPs) if (!parseIP(ip)) throw new CliError(`--node-ip: "${ip}" is not an IPv4 or IPv6 address`, 2);
  const nodeIPs = [...new Set([...(snapshot?.nodeIPs ?? []), ...flagIPs])];
  if (nodeIPs.length === 0) throw new CliError(snapshot ? `snapshot ${snapshot.id} names no node address; give one with --node-ip IP` : `--node-ip IP is required\n\n${HELP}`, 2);
  const proto = values.proto;
  if (proto !== undefined && proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw new CliError(`--proto must be tcp, udp or sctp`, 2);

  // A node's one iptables-save file is scanned (every line checked, each chain's rules read when a
  // check first asks), from its bytes read whole: the checks read most chains, in no set order.
  const files = snapshot ? scanTexts(rulesOf(snapshot, 'diagnose')) : readDumps(io, values.rules!, { whole: true });
  const loaded = loadRuleset(files);
  reportDiagnostics(io, loaded.diagnostics);
  if (!loaded.ruleset) throw new CliError(`no rules in ${files.map((f) => f.name).join(', ')}`, 1);
  // Lines the parser did not understand: named on stderr above, counted in the report's notes.
  const problems = loaded.diagnostics.filter((d) => d.severity === 'error');
  const fromSnapshot = snapshot ? snapshotInputs(snapshot) : {};
  const clusterState = values['cluster-state'] ? readClusterState(io, values['cluster-state']) : fromSnapshot.clusterState;
  const sysctls = values.sysctls ? parseSysctls(readUserFile(io, values.sysctls, 'sysctls file')) : fromSnapshot.sysctls;
  const conntrack = values.conntrack ? { file: values.conntrack, text: readUserFile(io, values.conntrack, 'conntrack table') } : fromSnapshot.conntrack;
  const ipvs = readIpvs(io, values.ipvs, values.ipset, values['ipvs-addresses']) ?? fromSnapshot.ipvs;

  const d = diagnose({
    ruleset: loaded.ruleset,
    nodeName: node,
    nodeIPs,
    ...(clusterState ? { clusterState } : {}),
    ...(sysctls ? { sysctls } : {}),
    ...(conntrack ? { conntrack } : {}),
    ...(ipvs ? { ipvs } : {}),
    ...(values.from !== undefined ? { from: values.from } : {}),
    ...(values.to !== undefined ? { to: values.to } : {}),
    ...(proto ? { proto } : {}),
  });
  const findings = d.findings.map(inCliWords);
  const notChecked = [
    ...(problems.length > 0 ? [`${problems.length} line(s) of the dump were not understood (named above): the doctor judged only the rules it could read`] : []),
    ...d.notChecked.map(inFlags),
  ];
  if (values.json) {
    const withHelp = findings.map((f) => ({ ...f, help: helpAnchor(f.code) }));
    const notUnderstood = problems.map((p) => ({ file: p.span.file, line: p.span.line, code: p.code, message: p.message }));
    io.stdout.write(`${JSON.stringify({ node, ...(snapshot ? { snapshot: snapshot.id } : {}), focus: d.focus, findings: withHelp, notChecked, ...(notUnderstood.length > 0 ? { notUnderstood } : {}) }, null, 2)}\n`);
  } else io.stdout.write(formatReport(node, findings, notChecked));
  return 0;
}

/** What a snapshot holds besides its rules, in the doctor's terms. */
function snapshotInputs(s: Snapshot): { clusterState?: DiagnoseClusterState; sysctls?: Record<string, string>; conntrack?: { file: string; text: string }; ipvs?: IpvsInput } {
  const sysctls = fileOfKind(s, 'sysctls');
  const conntrack = fileOfKind(s, 'conntrack');
  const ipvsadm = s.mode === 'ipvs' ? fileOfKind(s, 'ipvsadm') : undefined;
  const ipset = fileOfKind(s, 'ipset');
  const addrs = fileOfKind(s, 'ip-addr-text');
  return {
    ...(s.clusterState && s.clusterState.endpoints.kind !== 'unavailable' ? { clusterState: clusterStateOfSnapshot(s.clusterState) } : {}),
    ...(sysctls ? { sysctls: parseSysctls(sysctls.text) } : {}),
    ...(conntrack ? { conntrack } : {}),
    ...(ipvsadm
      ? {
          ipvs: {
            virtualServices: parseIpvsadm(ipvsadm.text, { file: ipvsadm.file }).virtualServices,
            ...(ipset ? { ipsets: parseIpset(ipset.text, { file: ipset.file }).sets } : {}),
            // Only kube-ipvs0's section of `ip addr`: other interfaces' addresses are not IPVS VIPs.
            ...(addrs ? { dummyAddresses: parseDummyAddresses(kubeIpvs0Section(addrs.text), addrs.file) } : {}),
          },
        }
      : {}),
  };
}

/** The lines of `ip addr` output that belong to kube-ipvs0 (blanked elsewhere, so line numbers hold). */
function kubeIpvs0Section(text: string): string {
  let inside = false;
  return text
    .split('\n')
    .map((line) => {
      const head = /^\d+:\s+([^:@\s]+)/.exec(line);
      if (head) inside = head[1] === 'kube-ipvs0';
      return inside ? line : '';
    })
    .join('\n');
}

/** The doctor's notes name the inputs it lacked; say them as this command's flags. */
function inFlags(note: string): string {
  return note
    .replace(/^No cluster state:/, 'No cluster state (--cluster-state FILE, or a snapshot that holds it):')
    .replace(/^No conntrack table:/, 'No conntrack table (--conntrack FILE):')
    .replace(/^No sysctls:/, 'No sysctls (--sysctls FILE):')
    .replace(/^No Pods in the cluster state:/, 'No Pods in the cluster state (kubectl get pods -A -o json in --cluster-state):');
}

/** The readable report: a summary line, then each finding with its evidence, most severe first. */
export function formatReport(node: string, findings: readonly Finding[], notChecked: readonly string[]): string {
  const count = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  const derived = findings.filter((f) => f.cause).length;
  const lines = [
    `svcpath doctor: ${node} — ${findings.length} finding(s): ${count('critical')} critical, ${count('warning')} warning, ${count('info')} info${derived ? ` (${derived} follow from another finding)` : ''}`,
    '',
  ];
  if (findings.length === 0) lines.push('Nothing wrong found: the node\'s rules do what the cluster asks.', '');
  for (const f of findings) {
    lines.push(`${f.severity.toUpperCase().padEnd(8)} ${f.code}  ${f.title}`);
    if (f.cause) lines.push(`  follows from ${f.cause.code}${f.cause.service ? ` (${f.cause.service})` : ''}: fix that first`);
    lines.push(`  ${f.explanation}`);
    if (f.evidence.length) lines.push('  evidence:', ...f.evidence.map((e) => `    ${formatEvidence(e)}`));
    lines.push(`  next: ${f.nextStep}`, `  help: ${helpAnchor(f.code)}`, '');
  }
  for (const n of notChecked) lines.push(`note: ${n}`);
  return `${lines.join('\n')}\n`;
}

function formatEvidence(e: Evidence): string {
  switch (e.kind) {
    case 'rule':
      return `${e.file}:${e.line}  ${e.raw}`;
    case 'object':
      return `${e.ref}  ${e.field} = ${e.value}`;
    case 'trace':
      return `trace ${e.packet}: ${e.verdict}${e.destination ? ` → ${e.destination}` : ''} (${(e.probability * 100).toFixed(1)}%) via ${e.path.map((s) => `${s.table}/${s.chain}#${s.rule}`).join(' → ')}`;
    case 'sysctl':
      return `sysctl ${e.name} = ${e.value}`;
    case 'ipvs':
    case 'conntrack':
      return `${e.file}:${e.line}  ${e.raw}`;
    default: {
      const never: never = e;
      return never;
    }
  }
}

type Item = { kind?: unknown; metadata?: unknown };
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Reads `{services, endpointSlices, pods?, nodes?}` or a kubectl List. Objects are checked for the
 * shape every consumer relies on (an object with `metadata`, Services with `spec`), not field by field.
 */
export function readClusterState(io: Io, path: string): DiagnoseClusterState {
  const text = readUserFile(io, path, 'cluster state');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${path}: not valid JSON (${(e as Error).message})`, 1);
  }
  if (!isObject(json)) throw new CliError(`${path}: expected a JSON object`, 1);
  const byKind = (kind: string) => (Array.isArray(json.items) ? (json.items as Item[]).filter((i) => isObject(i) && i.kind === kind) : []);
  const list = (key: string, kind: string): unknown[] => (Array.isArray(json[key]) ? (json[key] as unknown[]) : byKind(kind));
  const check = (items: unknown[], what: string, needsSpec: boolean) => {
    items.forEach((x, i) => {
      if (!isObject(x) || !isObject(x.metadata) || (needsSpec && !isObject(x.spec))) throw new CliError(`${path}: ${what}[${i}] is not a Kubernetes object (metadata${needsSpec ? ' and spec' : ''} expected)`, 1);
    });
    return items;
  };
  const services = check(list('services', 'Service'), 'services', true) as Service[];
  const endpointSlices = check(list('endpointSlices', 'EndpointSlice'), 'endpointSlices', false) as EndpointSlice[];
  const pods = check(list('pods', 'Pod'), 'pods', false) as Pod[];
  const nodes = check(list('nodes', 'Node'), 'nodes', false) as Node[];
  if (services.length === 0 && endpointSlices.length === 0) throw new CliError(`${path}: no Services or EndpointSlices found`, 1);
  return { services, endpointSlices, ...(pods.length ? { pods } : {}), ...(nodes.length ? { nodes } : {}) };
}

/** `sysctl -a` lines: `name = value`. */
function parseSysctls(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([\w.\-/]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

function readIpvs(io: Io, ipvsPath?: string, ipsetPath?: string, addrPath?: string): IpvsInput | undefined {
  if (!ipvsPath) {
    if (ipsetPath || addrPath) throw new CliError('--ipset and --ipvs-addresses need --ipvs FILE', 2);
    return undefined;
  }
  const ipvs = parseIpvsadm(readUserFile(io, ipvsPath, 'ipvsadm dump'), { file: ipvsPath });
  return {
    virtualServices: ipvs.virtualServices,
    ...(ipsetPath ? { ipsets: parseIpset(readUserFile(io, ipsetPath, 'ipset dump'), { file: ipsetPath }).sets } : {}),
    ...(addrPath ? { dummyAddresses: parseDummyAddresses(readUserFile(io, addrPath, 'kube-ipvs0 addresses'), addrPath) } : {}),
  };
}
