import { serviceCatalog } from '@svcpath/proxy-layout';
import { endpointString } from '@svcpath/k8s-model';
import type { Ruleset } from '@svcpath/ruleset';
import { intendedPorts, type DiagnoseClusterState } from './context';
import { rankFindings, ruleEvidence, type Evidence, type Finding } from './finding';
import { serviceLadders } from './svc-ladder';

export interface NodeRules {
  readonly nodeName: string;
  readonly ruleset: Ruleset;
}

export interface CompareOptions {
  /** With the cluster state each node is judged against the EndpointSlices, not against the others. */
  readonly clusterState?: DiagnoseClusterState;
}

interface Programmed {
  readonly signature: string;
  readonly description: string;
  readonly evidence: readonly Evidence[];
}

const ABSENT: Programmed = { signature: 'absent', description: 'has no rules for it', evidence: [] };

/**
 * What one node programs for one ServicePortName, as a comparable signature: cluster IP and port,
 * the endpoints of its KUBE-SVC chain (Cluster policy — the same on every node without topology
 * hints), or its "has no endpoints" REJECT. KUBE-SVL (Local policy) legitimately differs per node
 * and is left out.
 */
function programmedOn(rs: Ruleset): Map<string, Programmed> {
  const out = new Map<string, Programmed>();
  for (const svc of serviceCatalog(rs))
    for (const port of svc.ports) {
      const svcLadder = serviceLadders(rs, port.portName).find((l) => l.kind === 'svc');
      const endpoints = svcLadder ? svcLadder.steps.map((s) => s.endpoint ?? '?').sort() : [];
      const rejects = port.noEndpoints && endpoints.length === 0;
      if (!svcLadder && !rejects) continue;
      out.set(port.portName, {
        signature: signature(port.clusterIP, port.port, rejects ? null : endpoints),
        description: describe(rejects ? null : endpoints),
        evidence: svcLadder ? svcLadder.steps.slice(0, 3).map((s) => ruleEvidence(svcLadder.chain.id, s.rule)) : [],
      });
    }
  return out;
}

const signature = (ip: string | null, port: number | null, endpoints: readonly string[] | null) => `${ip}:${port} ${endpoints === null ? 'REJECT' : endpoints.join(',')}`;
const describe = (endpoints: readonly string[] | null) => (endpoints === null ? 'rejects it (no endpoints)' : `sends it to ${endpoints.join(', ')}`);

/** What kube-proxy on `node` should program per Service port (Cluster policy only), from the cluster state. */
function intendedOn(state: DiagnoseClusterState, node: string): Map<string, Programmed> {
  const out = new Map<string, Programmed>();
  for (const p of intendedPorts(state, node).intended) {
    if (p.info.internalPolicyLocal) continue;
    const endpoints = p.categories.clusterEndpoints.map(endpointString).sort();
    const eps = endpoints.length ? endpoints : null;
    out.set(p.info.nameString, { signature: signature(p.info.clusterIP.text, p.info.port, eps), description: describe(eps), evidence: [] });
  }
  return out;
}

/**
 * Compares what several nodes program per Service port and points at the odd node out. With the
 * cluster state, every node whose rules disagree with the EndpointSlices is odd (two nodes are
 * enough). Without it the majority decides; when there is none (two nodes that differ), one
 * finding says so and shows the difference, naming no node.
 */
export function compareNodes(nodes: readonly NodeRules[], options: CompareOptions = {}): Finding[] {
  if (nodes.length < 2) return [];
  const per = nodes.map((n) => ({ node: n.nodeName, programmed: programmedOn(n.ruleset) }));
  const state = options.clusterState;
  if (state) return rankFindings(per.flatMap((p) => againstCluster(p.node, p.programmed, intendedOn(state, p.node))));
  const names = new Set(per.flatMap((p) => [...p.programmed.keys()]));
  const out: Finding[] = [];
  for (const name of [...names].sort()) {
    const groups = new Map<string, string[]>();
    for (const p of per) {
      const sig = p.programmed.get(name)?.signature ?? ABSENT.signature;
      groups.set(sig, [...(groups.get(sig) ?? []), p.node]);
    }
    if (groups.size < 2) continue;
    const sorted = [...groups].sort((a, b) => b[1].length - a[1].length);
    const of = (node: string) => per.find((p) => p.node === node)!.programmed.get(name) ?? ABSENT;
    if (sorted[1]![1].length === sorted[0]![1].length) out.push(unranked(name, sorted.map(([, ns]) => ({ nodes: ns, programmed: of(ns[0]!) }))));
    else for (const [, odd] of sorted.slice(1)) for (const node of odd) out.push(oddNode(name, node, of(node), `while ${sorted[0]![1].join(', ')} ${of(sorted[0]![1][0]!).description}`));
  }
  return rankFindings(out);
}

function againstCluster(node: string, programmed: ReadonlyMap<string, Programmed>, intended: ReadonlyMap<string, Programmed>): Finding[] {
  const out: Finding[] = [];
  for (const name of [...new Set([...programmed.keys(), ...intended.keys()])].sort()) {
    const mine = programmed.get(name) ?? ABSENT;
    const want = intended.get(name);
    if (mine.signature === (want?.signature ?? ABSENT.signature)) continue;
    const cluster = want ? `the EndpointSlices say it ${want.description.replace(/^sends/, 'should send').replace(/^rejects/, 'should reject')}` : 'the cluster state has no such Service port';
    out.push(oddNode(name, node, mine, `while ${cluster}`, true));
  }
  return out;
}

function oddNode(name: string, node: string, mine: Programmed, contrast: string, judged = false): Finding {
  return {
    code: 'NODE_ODD_ONE_OUT',
    severity: 'warning',
    title: `${node} programs ${name} ${judged ? 'differently from the cluster state' : 'differently from the other nodes'}`,
    explanation: `${node} ${mine.description}, ${contrast}. Without topology hints every node programs the same endpoints for Cluster policy; a node that differs usually has a kube-proxy that stopped syncing.`,
    evidence: mine.evidence,
    nextStep: `Check kube-proxy on ${node} (logs, restarts, last sync time); the doctor on that node says what else it missed.`,
    service: name,
    node,
  };
}

/** Two (or more) equally large groups of nodes: no majority to judge by. */
function unranked(name: string, groups: readonly { nodes: readonly string[]; programmed: Programmed }[]): Finding {
  const what = groups.map((g) => `${g.nodes.join(', ')} ${g.programmed.description}`).join('; ');
  return {
    code: 'NODE_ODD_ONE_OUT',
    severity: 'warning',
    title: `The nodes program ${name} differently, and ${groups.length === 2 && groups.every((g) => g.nodes.length === 1) ? 'two nodes' : 'equal groups'} cannot be ranked`,
    explanation: `${what}. With no majority the rules alone cannot say which node is right: the cluster state (the EndpointSlices) can.`,
    evidence: groups.flatMap((g) => g.programmed.evidence),
    nextStep: 'Compare again with the cluster state (the EndpointSlices, collected with the nodes) to name the node that is wrong, or run the doctor on each node.',
    service: name,
  };
}
