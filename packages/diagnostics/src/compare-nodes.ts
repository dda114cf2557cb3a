import { serviceCatalog } from '@svcpath/graph';
import type { Ruleset } from '@svcpath/ruleset';
import { rankFindings, ruleEvidence, type Evidence, type Finding } from './finding';
import { serviceLadders } from './svc-ladder';

export interface NodeRules {
  readonly nodeName: string;
  readonly ruleset: Ruleset;
}

interface Programmed {
  readonly signature: string;
  readonly description: string;
  readonly evidence: readonly Evidence[];
}

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
      const description = rejects ? 'rejects it (no endpoints)' : `sends it to ${endpoints.join(', ')}`;
      out.set(port.portName, {
        signature: `${port.clusterIP}:${port.port} ${rejects ? 'REJECT' : endpoints.join(',')}`,
        description,
        evidence: svcLadder ? svcLadder.steps.slice(0, 3).map((s) => ruleEvidence(svcLadder.chain.id, s.rule)) : [],
      });
    }
  return out;
}

/**
 * Compares what several nodes program per Service port and points at the odd node out: the one
 * whose rules differ from the majority (with two nodes, both are named). A node whose kube-proxy
 * stopped syncing shows up here even without cluster state.
 */
export function compareNodes(nodes: readonly NodeRules[]): Finding[] {
  if (nodes.length < 2) return [];
  const per = nodes.map((n) => ({ node: n.nodeName, programmed: programmedOn(n.ruleset) }));
  const names = new Set(per.flatMap((p) => [...p.programmed.keys()]));
  const out: Finding[] = [];
  for (const name of [...names].sort()) {
    const groups = new Map<string, string[]>();
    for (const p of per) {
      const sig = p.programmed.get(name)?.signature ?? 'absent';
      groups.set(sig, [...(groups.get(sig) ?? []), p.node]);
    }
    if (groups.size < 2) continue;
    const sorted = [...groups].sort((a, b) => b[1].length - a[1].length);
    const majority = sorted[0]!;
    const tie = sorted[1]![1].length === majority[1].length;
    const majorityText = per.find((p) => p.node === majority[1][0])!.programmed.get(name)?.description ?? 'has no rules for it';
    for (const [, odd] of tie ? sorted : sorted.slice(1))
      for (const node of odd) {
        const mine = per.find((p) => p.node === node)!.programmed.get(name);
        out.push({
          code: 'NODE_ODD_ONE_OUT',
          severity: 'warning',
          title: `${node} programs ${name} differently${tie ? '' : ` from ${majority[1].length} other node(s)`}`,
          explanation: `${node} ${mine?.description ?? 'has no rules for it'}${tie ? '; the other nodes disagree among themselves' : `, while ${majority[1].join(', ')} ${majorityText}`}. Without topology hints every node programs the same endpoints for Cluster policy; a node that differs usually has a kube-proxy that stopped syncing.`,
          evidence: mine?.evidence ?? [],
          nextStep: `Check kube-proxy on ${node} (logs, restarts, last sync time); compare with \`svcpath doctor --cluster-state\` against each node.`,
          service: name,
          node,
        });
      }
  }
  return rankFindings(out);
}
