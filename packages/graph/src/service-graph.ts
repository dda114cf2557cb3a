import { actionKind, lineJumps, ownersByNumber, servicePortNameOf } from '@svcpath/proxy-layout';
import type { RsChain, RsRule, Ruleset } from '@svcpath/ruleset';
import { chainKindOf, isMarkMasqChain } from './chain-kind';
import { chainNode } from './chain-node';
import { buildIpvsServiceGraph, IPVS_NAMESPACE } from './ipvs-graph';
import { GraphBuilder } from './graph-builder';
import { addAncestors, jumpParents } from './jump-parents';
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
  const own = new Set(ownedBy(rs, owners).get(service) ?? []);
  const shown = new Map<string, Set<number>>();
  const show = (chainId: string, index: number) => (shown.get(chainId) ?? shown.set(chainId, new Set()).get(chainId)!).add(index);

  // Rules of other chains that lead to the Service or name it, and the shared chains an element
  // naming it goes to (nft reject-chain, shown in full): from the index, not a walk of every rule.
  // In the order a walk of every chain's rules meets them (it decides the order of the graph's nodes).
  const found: RelatedRule[] = [];
  for (const [spn, related] of serviceRuleIndex(rs)) if (belongs(spn)) for (const r of related) if (!own.has(r.chain)) found.push(r);
  found.sort((x, y) => x.seq - y.seq);
  const helpers = new Set<string>();
  for (const r of found) {
    show(r.chain, r.rule);
    if (r.helper !== null) helpers.add(r.helper);
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
  const post = postroutingChains(rs).find((c) => (c.name === 'KUBE-POSTROUTING' ? c.table === 'nat' : c.table === markTable));
  if (marks && post) {
    for (const r of post.rules) show(post.id, r.index);
    entryChains.push(post.id);
  }
  addAncestors(rs, entryChains, shown);

  const limit = endpointLimit(rs, own);
  const b = new GraphBuilder();
  const included: { id: string; indices: Set<number> | null }[] = [
    ...[...own].filter((id) => !limit.hidden.has(id)).map((id) => ({ id, indices: limit.rules.get(id) ?? null })),
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
  const drawn = new Set(nodes.map((n) => n.id));
  // A map rule of a left-out endpoint's (nft numgen, vmap) has no node to go to.
  const edges = limit.hidden.size > 0 ? b.edges().filter((e) => drawn.has(e.target)) : b.edges();
  const truncated =
    limit.hidden.size > 0
      ? {
          shown: limit.total - limit.hidden.size,
          total: limit.total,
          reason: `showing ${limit.total - limit.hidden.size} of ${limit.total.toLocaleString('en-US')} endpoint chains, each port's first ${MAX_ENDPOINT_CHAINS}`,
        }
      : null;
  return { key: `service:${service}`, kind: 'service', title: service, nodes, edges, truncated, assumptions: rs.assumptions };
}

/**
 * Each of a Service's chains (a port's KUBE-SVC/SVL ladder, nft service- chain) draws its jumps to
 * at most this many of its endpoint chains (KUBE-SEP-*, nft endpoint-*): a Service backed by a
 * DaemonSet on a 5,000-node cluster has 5,000, which drew 10,008 nodes. Per chain, so every port
 * of a Service keeps endpoints on the picture.
 */
export const MAX_ENDPOINT_CHAINS = 20;

/**
 * Which of a Service's own chains its graph leaves out, and which rules of the others it draws:
 * each chain keeps its rules to the first MAX_ENDPOINT_CHAINS endpoint chains it jumps to (in rule
 * order) and drops its rules to the rest; endpoint chains no kept rule reaches are left out. Rules
 * that jump elsewhere are all drawn.
 */
function endpointLimit(rs: Ruleset, own: ReadonlySet<string>): { hidden: Set<string>; rules: Map<string, Set<number>>; total: number } {
  const endpoints = [...own].filter((id) => chainKindOf(rs.chains.get(id)?.name ?? '') === 'sep');
  const hidden = new Set<string>();
  const rules = new Map<string, Set<number>>();
  if (endpoints.length <= MAX_ENDPOINT_CHAINS) return { hidden, rules, total: endpoints.length };
  const kept = new Set<string>();
  for (const id of own) {
    const chain = rs.chains.get(id);
    if (!chain || chainKindOf(chain.name) === 'sep') continue;
    const mine = new Set<string>();
    const drawn = new Set<number>();
    for (const rule of chain.rules) {
      const to = ruleTargets(rs, rule)
        .map((t) => `${chain.table}/${t.chain}`)
        .filter((t) => own.has(t) && chainKindOf(t.slice(t.indexOf('/') + 1)) === 'sep');
      for (const t of to) if (mine.size < MAX_ENDPOINT_CHAINS || mine.has(t)) mine.add(t);
      // Drawn when it reaches no endpoint chain, or one this chain keeps (a map rule reaching several: its edges to the others are dropped).
      if (to.length === 0 || to.some((t) => mine.has(t))) drawn.add(rule.index);
    }
    for (const t of mine) kept.add(t);
    if (drawn.size < chain.rules.length) rules.set(id, drawn);
  }
  for (const id of endpoints) if (!kept.has(id)) hidden.add(id);
  return { hidden, rules, total: endpoints.length };
}

/**
 * Builds what every Service's graph reads (the related-rules index, the owners by Service, the jump
 * parents), so the first Service opened does not wait for a walk of every rule (~0.5 s at 10,000
 * Services); the engine calls it when idle after a snapshot is parsed.
 */
export function prepareServiceGraphs(rs: Ruleset): void {
  for (const step of serviceGraphSteps(rs)) step();
}

/**
 * prepareServiceGraphs in its steps (each a walk of the ruleset, kept once made), so a caller can
 * do other work between them: an engine that prepares a 10,000-Service snapshot while idle then
 * answers a request that comes meanwhile after one step, not after all (~1.5 s on a busy machine).
 */
export function serviceGraphSteps(rs: Ruleset): readonly (() => void)[] {
  return [() => void serviceRuleIndex(rs), () => void ownedBy(rs, ownerChains(rs)), () => void jumpParents(rs), () => void postroutingChains(rs)];
}

/** Node order in kube-proxy's flow, so layouts and Markdown read top-down like a packet's path. */
function rank(kind: string | undefined): number {
  const order = ['builtin', 'services', 'nodeports', 'external-services', 'proxy-firewall', 'fw', 'ext', 'xlb', 'svc', 'svl', 'sep', 'mark-masq', 'postrouting', 'forward', 'firewall', 'other'];
  const i = kind === undefined ? -1 : order.indexOf(kind);
  return i < 0 ? order.length : i;
}


/**
 * A rule a ServicePortName's graph shows when the rule's chain is not one of its own (see
 * serviceRuleIndex): `seq` is its place in a walk of every chain's rules, `helper` a chain one of
 * its map elements naming the ServicePortName goes to (shown in full).
 */
interface RelatedRule {
  readonly seq: number;
  readonly chain: string;
  readonly rule: number;
  readonly helper: string | null;
}

const indexes = new WeakMap<Ruleset, Map<string, RelatedRule[]>>();

/**
 * For every ServicePortName, the rules (chain id and index, in chain and rule order) that jump to
 * one of its chains, name it in their comment, or hold a map element that goes to it or names it;
 * and the chains such an element goes to. Read once per ruleset: each Service's graph then reads
 * only its own entries, where a walk of a 10,000-Service dump's every rule took ~100 ms per Service.
 */
function serviceRuleIndex(rs: Ruleset): Map<string, RelatedRule[]> {
  const hit = indexes.get(rs);
  if (hit) return hit;
  const owners = ownerChains(rs);
  const out = new Map<string, RelatedRule[]>();
  const add = (spn: string, r: RelatedRule) => (out.get(spn) ?? out.set(spn, []).get(spn)!).push(r);
  const related = new Set<string>();
  let seq = 0;
  // A scanned dump's rules are read from their lines, their jumps' chains by number (see ownersByNumber).
  const byNumber = ownersByNumber(rs, owners);
  const g = rs.jumpGraph;
  const jumping: number[] = [];
  let k = -1;
  for (const chain of rs.chains.values()) {
    k++;
    // A chain's own ServicePortName shows it in full (it is one of its own chains): not kept for it.
    const owner = byNumber ? byNumber(k) : owners.get(chain.id);
    if (byNumber && g?.lines) {
      const lines = g.lines(k);
      const aligned = lineJumps(g, k, lines, jumping);
      const from = g.edgeStart[k]!;
      let j = 0;
      for (let i = 0; i < lines.count; i++) {
        related.clear();
        if (jumping[j] === i) {
          const name = aligned ? null : lines.jumpTarget(i);
          const to = aligned ? byNumber(g.edgeTo[from + j]!) : owners.get(`${chain.table}/${name}`);
          j++;
          if (to) related.add(to);
        }
        // An iptables rule holds no verdict map (vmapNames): its jump and comment are all it names.
        const commented = servicePortNameOf(lines.comment(i));
        if (commented) related.add(commented);
        for (const spn of related) if (spn !== owner) add(spn, { seq: seq++, chain: chain.id, rule: i + 1, helper: null });
      }
      continue;
    }
    for (const rule of chain.rules) {
      related.clear();
      if (rule.jumpTarget && !rule.extra) {
        const name = rule.jumpTarget();
        const to = name === null ? undefined : owners.get(`${chain.table}/${name}`);
        if (to) related.add(to);
      } else
        for (const t of ruleTargets(rs, rule)) {
          const to = owners.get(`${chain.table}/${t.chain}`);
          if (to) related.add(to);
          const named = servicePortNameOf(t.comment ?? null);
          if (named && named !== owner) add(named, { seq: seq++, chain: chain.id, rule: rule.index, helper: `${chain.table}/${t.chain}` });
        }
      const commented = servicePortNameOf(rule.comment);
      if (commented) related.add(commented);
      for (const spn of vmapNames(rs, rule)) related.add(spn);
      for (const spn of related) if (spn !== owner) add(spn, { seq: seq++, chain: chain.id, rule: rule.index, helper: null });
    }
  }
  indexes.set(rs, out);
  return out;
}

const owned = new WeakMap<Ruleset, Map<string, string[]>>();

/**
 * The per-Service chains of each Service and of each ServicePortName (`ns/svc` and `ns/svc:port`
 * both name theirs), in ownerChains' order: a Service's chains without a walk of every chain.
 */
function ownedBy(rs: Ruleset, owners: ReadonlyMap<string, string>): Map<string, string[]> {
  let out = owned.get(rs);
  if (out) return out;
  out = new Map();
  for (const [id, spn] of owners) {
    const service = serviceOfPortName(spn);
    for (const key of service === spn ? [spn] : [spn, service]) (out.get(key) ?? out.set(key, []).get(key)!).push(id);
  }
  owned.set(rs, out);
  return out;
}

const postrouting = new WeakMap<Ruleset, RsChain[]>();

/** The ruleset's postrouting chains (KUBE-POSTROUTING, nft masquerading), found once. */
function postroutingChains(rs: Ruleset): RsChain[] {
  let list = postrouting.get(rs);
  if (!list) postrouting.set(rs, (list = [...rs.chains.values()].filter((c) => chainKindOf(c.name) === 'postrouting')));
  return list;
}

/** The ServicePortNames a verdict-map rule's elements name in their comments (nft no-endpoint maps' drops). */
function vmapNames(rs: Ruleset, rule: RsRule): string[] {
  // Asked of the rule's shape first: an iptables rule's action is then never built for this.
  if (actionKind(rule) !== 'vmap') return [];
  const a = rule.action;
  if (a?.kind !== 'vmap') return [];
  return (a.inline ?? rs.sets.get(a.set)?.elements ?? []).flatMap((e) => servicePortNameOf(e.comment ?? null) ?? []);
}
