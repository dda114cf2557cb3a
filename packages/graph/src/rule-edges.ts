import type { RsChain, RsRule } from '@svcpath/ruleset';
import { chainNodeId, endpointNode, endpointNodeId, verdictNode, verdictNodeId } from './chain-node';
import { conditionSummary } from './condition-summary';
import { formatShare, type GraphBuilder } from './graph-builder';
import { isAffinityCheck, ladderShares } from './ladder';
import { jumpTarget } from './rule-ref';

/**
 * Adds the edges leaving `chain` through `rules`: jumps to chains already in the graph, DNATs to
 * endpoint nodes, and terminal verdicts (REJECT, DROP, ACCEPT, MASQUERADE) to verdict nodes. A
 * MARK in KUBE-MARK-MASQ becomes a dashed edge to KUBE-POSTROUTING, where the mark is acted on.
 */
export function addRuleEdges(b: GraphBuilder, chain: RsChain, rules: readonly RsRule[], service?: string): void {
  const shares = ladderShares(chain);
  const source = chainNodeId(chain.id);
  for (const rule of rules) {
    const ref = { chainId: chain.id, index: rule.index };
    const conds = conditionSummary(rule);
    const share = shares.get(rule.index);
    const to = jumpTarget(rule);
    const a = rule.action;
    if (to) {
      const target = chainNodeId(`${chain.table}/${to}`);
      const affinity = isAffinityCheck(rule);
      const label = share !== undefined ? formatShare(share) : conds;
      b.addEdge({ source, target, kind: a?.kind === 'goto' ? 'goto' : 'jump', label, rule: ref, ...(share !== undefined ? { probability: share } : {}), affinity });
    } else if (a?.kind === 'DNAT') {
      for (const t of a.to) {
        b.addNode(endpointNode(t.text, service));
        b.addEdge({ source, target: endpointNodeId(t.text), kind: 'dnat', label: 'DNAT', rule: ref, ...(share !== undefined ? { probability: share } : {}) });
      }
    } else if (a && (a.kind === 'REJECT' || a.kind === 'DROP' || a.kind === 'ACCEPT' || a.kind === 'MASQUERADE')) {
      const detail = a.kind === 'REJECT' ? `${a.rejectWith}${/no endpoints/.test(rule.comment ?? '') ? ' · no endpoints' : ''}` : chain.name;
      b.addNode(verdictNode(chain.id, a.kind, detail));
      b.addEdge({ source, target: verdictNodeId(chain.id, a.kind), kind: 'verdict', label: conds, rule: ref });
    } else if (a?.kind === 'MARK' && chain.name === 'KUBE-MARK-MASQ') {
      b.addEdge({ source, target: chainNodeId(`${chain.table}/KUBE-POSTROUTING`), kind: 'masquerade-mark', label: 'masqueraded in POSTROUTING', rule: ref });
    }
  }
}
