import { servicePortNameOf } from '@svcpath/proxy-layout';
import type { RsRule, Ruleset } from '@svcpath/ruleset';
import { chainKindOf, isMarkMasqChain } from './chain-kind';
import { chainNode } from './chain-node';
import { buildIpvsServiceGraph, IPVS_NAMESPACE } from './ipvs-graph';
import { GraphBuilder } from './graph-builder';
import { addAncestors } from './jump-parents';
import type { Graph } from './model';
import { addRuleEdges } from './rule-edges';
import { ownerChains } from './nft-service-chains';
import { ruleTargets } from './rule-ref';
import { serviceOfPortName } from './service-catalog';

/**
 * The graph of one Service (`ns/svc`, or one port `ns/svc:port`): the hook chains and shared
 * chains that lead to it (only the rules on the way), its KUBE-SVC/SVL/EXT/FW/SEP chains in full,
 * the endpoints they DNAT to, REJECT/DROP ends, and the masquerade path (KUBE-MARK-MASQ →
 * KUBE-POSTROUTING). Edges carry the statistic ladder's shares. Null when the rules hold nothing
 * for that Service.
 *
 * nftables mode has the same shape under other names: the base chains → `services` (only its
 * verdict-map rules) → the Service's service-/external-/firewall- chains → endpoint- chains →
 * endpoints, numgen branches carrying their share, and mark-for-masquerade → masquerading. Rules
 * of shared chains are shown when a map element leads to the Service's chains or names it in a
 * comment (the no-endpoint maps), together with the chains those elements go to (reject-chain).
 */
export function buildServiceGraph(rs: Ruleset, service: string): Graph | null {
  if (service.startsWith(`${IPVS_NAMESPACE}/`)) return buildIpvsServiceGraph(rs, service);
  const owners = ownerChains(rs);
  const belongs = (spn: string | null | undefined): boolean => !!spn && (spn === service || serviceOfPortName(spn) === service);
  const own = new Set([...owners].filter(([, spn]) => belongs(spn)).map(([id]) => id));
  const shown = new Map<string, Set<number>>();
  const show = (chainId: string, index: number) => (shown.get(chainId) ?? shown.set(chainId, new Set()).get(chainId)!).add(index);

  // Shared chains an element naming the Service goes to (nft reject-chain), shown in full.
  const helpers = new Set<string>();
  for (const chain of rs.chains.values()) {
    if (own.has(chain.id)) continue;
    for (const rule of chain.rules) {
      const targets = ruleTargets(rs, rule);
      const named = targets.filter((t) => belongs(servicePortNameOf(t.comment ?? null)));
      for (const t of named) helpers.add(`${chain.table}/${t.chain}`);
      if (targets.some((t) => own.has(`${chain.table}/${t.chain}`)) || belongs(servicePortNameOf(rule.comment)) || named.length > 0 || vmapNames(rs, rule, belongs))
        show(chain.id, rule.index);
    }
  }
  for (const id of helpers) for (const r of rs.chains.get(id)?.rules ?? []) if (!own.has(id)) show(id, r.index);
  if (own.size === 0 && shown.size === 0) return null;
  const entryChains = [...shown.keys()];
  // Shared chains the Service's own chains call (KUBE-MARK-MASQ), and where the mark is used.
  let marks = false;
  let markTable: string | null = null;
  for (const id of own)
    for (const rule of rs.chains.get(id)?.rules ?? [])
      for (const t of ruleTargets(rs, rule)) {
        const table = rs.chains.get(id)!.table;
        const toId = `${table}/${t.chain}`;
        if (own.has(toId) || !rs.chains.has(toId)) continue;
        if (isMarkMasqChain(t.chain)) {
          marks = true;
          markTable = table;
        }
        for (const r of rs.chains.get(toId)!.rules) show(toId, r.index);
      }
  const post = [...rs.chains.values()].find(
    (c) => chainKindOf(c.name) === 'postrouting' && (c.name === 'KUBE-POSTROUTING' ? c.table === 'nat' : c.table === markTable),
  );
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
    addRuleEdges(b, chain, indices ? chain.rules.filter((r) => indices.has(r.index)) : chain.rules, serviceOfPortName(service), rs);
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


/** A verdict-map rule with an element whose comment names the Service (nft no-endpoint maps' drops). */
function vmapNames(rs: Ruleset, rule: RsRule, belongs: (spn: string | null) => boolean): boolean {
  const a = rule.action;
  if (a?.kind !== 'vmap') return false;
  return (a.inline ?? rs.sets.get(a.set)?.elements ?? []).some((e) => belongs(servicePortNameOf(e.comment ?? null)));
}
