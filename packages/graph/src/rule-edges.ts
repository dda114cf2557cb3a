import type { RsChain, RsRule, Ruleset } from '@svcpath/ruleset';
import { servicePortNameOf } from '@svcpath/proxy-layout';
import { isMarkMasqChain } from './chain-kind';
import { chainNodeId, endpointNode, endpointNodeId, verdictNode, verdictNodeId } from './chain-node';
import { conditionSummary } from './condition-summary';
import { formatShare, type GraphBuilder } from './graph-builder';
import { isAffinityCheck, ladderShares } from './ladder';
import { jumpTarget, keyText, ruleTargets } from './rule-ref';
import { serviceOfPortName } from './service-catalog';

/**
 * Adds the edges leaving `chain` through `rules`: jumps to chains already in the graph, DNATs to
 * endpoint nodes, and terminal verdicts (REJECT, DROP, ACCEPT, MASQUERADE) to verdict nodes. A
 * MARK in KUBE-MARK-MASQ becomes a dashed edge to KUBE-POSTROUTING, where the mark is acted on.
 * nftables: a verdict map gives one edge per element that goes to a chain (labelled with its key;
 * `rs` resolves named maps), numgen branches carry their share (values / mod), and a
 * `dnat … numgen` map DNATs straight to endpoint nodes; mark-for-masquerade leads to masquerading.
 */
export function addRuleEdges(b: GraphBuilder, chain: RsChain, rules: readonly RsRule[], service?: string, rs?: Ruleset): void {
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
        b.addEdge({ source, target: endpointNodeId(t.text), kind: 'dnat', label: 'DNAT', rule: ref, ...(share !== undefined ? { probability: share } : {}), affinity: isAffinityCheck(rule) });
      }
    } else if (a && (a.kind === 'REJECT' || a.kind === 'DROP' || a.kind === 'ACCEPT' || a.kind === 'MASQUERADE')) {
      const detail = a.kind === 'REJECT' ? `${a.rejectWith}${/no endpoints/.test(rule.comment ?? '') ? ' · no endpoints' : ''}` : chain.name;
      b.addNode(verdictNode(chain.id, a.kind, detail));
      b.addEdge({ source, target: verdictNodeId(chain.id, a.kind), kind: 'verdict', label: conds, rule: ref });
    } else if (a?.kind === 'MARK' && isMarkMasqChain(chain.name)) {
      const post = chain.name === 'KUBE-MARK-MASQ' ? 'KUBE-POSTROUTING' : 'masquerading';
      b.addEdge({ source, target: chainNodeId(`${chain.table}/${post}`), kind: 'masquerade-mark', label: 'masqueraded in POSTROUTING', rule: ref });
    } else if (a?.kind === 'vmap' || a?.kind === 'numgen') {
      for (const t of ruleTargets(rs ?? null, rule)) {
        const label = t.share !== undefined ? formatShare(t.share) : (t.key ?? conds);
        b.addEdge({ source, target: chainNodeId(`${chain.table}/${t.chain}`), kind: t.kind, label, rule: ref, ...(t.share !== undefined ? { probability: t.share } : {}) });
      }
      // Map elements that drop or reject, when they name this graph's Service (no-endpoint maps).
      if (a.kind === 'vmap' && service)
        for (const e of a.inline ?? rs?.sets.get(a.set)?.elements ?? []) {
          const v = e.verdict;
          const spn = servicePortNameOf(e.comment ?? null);
          if (!v || (v.kind !== 'DROP' && v.kind !== 'REJECT') || !spn || serviceOfPortName(spn) !== service) continue;
          const detail = `${v.kind === 'REJECT' ? v.rejectWith : chain.name} · ${spn}`;
          b.addNode(verdictNode(chain.id, v.kind, detail));
          b.addEdge({ source, target: verdictNodeId(chain.id, v.kind), kind: 'verdict', label: keyText(e.key), rule: ref });
        }
    } else if (a?.kind === 'dnat-numgen') {
      for (const br of a.branches) {
        const ep = br.port === null ? br.addr.text : `${br.addr.text}:${br.port}`;
        const p = a.mod > 0 ? br.values.length / a.mod : 0;
        b.addNode(endpointNode(ep, service));
        b.addEdge({ source, target: endpointNodeId(ep), kind: 'dnat', label: formatShare(p), rule: ref, probability: p });
      }
    }
  }
}

