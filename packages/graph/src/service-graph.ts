import { serviceChains, servicePortNameOf } from '@svcpath/proxy-layout';
import type { Ruleset } from '@svcpath/ruleset';
import { chainNode } from './chain-node';
import { GraphBuilder } from './graph-builder';
import { addAncestors } from './jump-parents';
import type { Graph } from './model';
import { addRuleEdges } from './rule-edges';
import { jumpTarget } from './rule-ref';
import { serviceOfPortName } from './service-catalog';

/**
 * The graph of one Service (`ns/svc`, or one port `ns/svc:port`): the hook chains and shared
 * chains that lead to it (only the rules on the way), its KUBE-SVC/SVL/EXT/FW/SEP chains in full,
 * the endpoints they DNAT to, REJECT/DROP ends, and the masquerade path (KUBE-MARK-MASQ →
 * KUBE-POSTROUTING). Edges carry the statistic ladder's shares. Null when the rules hold nothing
 * for that Service.
 */
export function buildServiceGraph(rs: Ruleset, service: string): Graph | null {
  const owners = serviceChains(rs);
  const belongs = (spn: string | null | undefined): boolean => !!spn && (spn === service || serviceOfPortName(spn) === service);
  const own = new Set([...owners].filter(([, spn]) => belongs(spn)).map(([id]) => id));
  const shown = new Map<string, Set<number>>();
  const show = (chainId: string, index: number) => (shown.get(chainId) ?? shown.set(chainId, new Set()).get(chainId)!).add(index);

  for (const chain of rs.chains.values()) {
    if (own.has(chain.id)) continue;
    for (const rule of chain.rules) {
      const to = jumpTarget(rule);
      if ((to && own.has(`${chain.table}/${to}`)) || belongs(servicePortNameOf(rule.comment))) show(chain.id, rule.index);
    }
  }
  if (own.size === 0 && shown.size === 0) return null;
  const entryChains = [...shown.keys()];
  // Shared chains the Service's own chains call (KUBE-MARK-MASQ), and where the mark is used.
  let marks = false;
  for (const id of own)
    for (const rule of rs.chains.get(id)?.rules ?? []) {
      const to = jumpTarget(rule);
      const toId = to ? `${rs.chains.get(id)!.table}/${to}` : null;
      if (!toId || own.has(toId) || !rs.chains.has(toId)) continue;
      if (to === 'KUBE-MARK-MASQ') marks = true;
      for (const r of rs.chains.get(toId)!.rules) show(toId, r.index);
    }
  const post = [...rs.chains.values()].find((c) => c.name === 'KUBE-POSTROUTING' && c.table === 'nat');
  if (marks && post) {
    for (const r of post.rules) show(post.id, r.index);
    entryChains.push(post.id);
  }
  addAncestors(rs, entryChains, shown);

  const b = new GraphBuilder();
  const included: { id: string; indices: Set<number> | null }[] = [
    ...[...own].map((id) => ({ id, indices: null })),
    ...[...shown].filter(([id]) => !own.has(id)).map(([id, indices]) => ({ id, indices })),
  ];
  for (const { id, indices } of included) {
    const chain = rs.chains.get(id);
    if (!chain) continue;
    const rules = indices ? chain.rules.filter((r) => indices.has(r.index)) : chain.rules;
    const spn = owners.get(id);
    b.addNode(chainNode(chain, rules, spn ? { service: serviceOfPortName(spn), detail: `${chain.table} · ${spn}` } : {}));
  }
  for (const { id, indices } of included) {
    const chain = rs.chains.get(id);
    if (!chain) continue;
    addRuleEdges(b, chain, indices ? chain.rules.filter((r) => indices.has(r.index)) : chain.rules, serviceOfPortName(service));
  }
  const nodes = b.nodes().sort((x, y) => rank(x.chainKind) - rank(y.chainKind));
  return { key: `service:${service}`, kind: 'service', title: service, nodes, edges: b.edges(), truncated: null, assumptions: rs.assumptions };
}

/** Node order in kube-proxy's flow, so layouts and Markdown read top-down like a packet's path. */
function rank(kind: string | undefined): number {
  const order = ['builtin', 'services', 'nodeports', 'external-services', 'proxy-firewall', 'fw', 'ext', 'xlb', 'svc', 'svl', 'sep', 'mark-masq', 'postrouting', 'forward', 'firewall', 'other'];
  const i = kind === undefined ? -1 : order.indexOf(kind);
  return i < 0 ? order.length : i;
}

