import { serviceChains, servicePortNameOf } from '@svcpath/proxy-layout';
import type { RsChain, RsRule, Ruleset } from '@svcpath/ruleset';
import { chainKindOf } from './chain-kind';
import { chainNode, chainNodeId } from './chain-node';
import { NAMESPACE_TEXT, SERVICE_TEXT } from './explain';
import { GraphBuilder } from './graph-builder';
import { addAncestors } from './jump-parents';
import type { Badge, Graph, GraphNode, RuleRef } from './model';
import { addRuleEdges } from './rule-edges';
import { jumpTarget, ruleRef } from './rule-ref';
import { serviceCatalog, serviceOfPortName, type ServiceInfo } from './service-catalog';

export interface OverviewOptions {
  /** Show only this namespace's Services (drilling into an aggregated namespace). */
  readonly namespace?: string;
  /** Above this many nodes Services are aggregated per namespace. Default 1000. */
  readonly maxNodes?: number;
}

const PORTAL_KINDS = new Set(['services', 'nodeports', 'external-services', 'proxy-firewall']);

interface Entry {
  readonly chain: RsChain;
  readonly rule: RsRule;
  readonly service: string;
}

/** Rules of the shared "portal" chains, split into those about a Service and the rest. */
function readPortals(rs: Ruleset): { portals: RsChain[]; entries: Entry[]; plain: Map<string, RsRule[]> } {
  const owners = serviceChains(rs);
  const portals = [...rs.chains.values()].filter((c) => PORTAL_KINDS.has(chainKindOf(c.name)) && c.rules.length > 0);
  const entries: Entry[] = [];
  const plain = new Map<string, RsRule[]>();
  for (const chain of portals)
    for (const rule of chain.rules) {
      const to = jumpTarget(rule);
      const spn = servicePortNameOf(rule.comment) ?? (to ? owners.get(`${chain.table}/${to}`) : undefined);
      if (spn) entries.push({ chain, rule, service: serviceOfPortName(spn) });
      else (plain.get(chain.id) ?? plain.set(chain.id, []).get(chain.id)!).push(rule);
    }
  return { portals, entries, plain };
}

function entryLabel(e: Entry): string {
  const rest = (e.rule.comment ?? '').replace(/^\S+\s*/, '');
  if (chainKindOf(e.chain.name) === 'nodeports' && !/health check/.test(rest)) {
    const port = e.rule.conds.find((c) => c.kind === 'ports' && c.dir === 'dst');
    return port && port.kind === 'ports' ? `NodePort ${port.ranges[0]?.from ?? ''}` : 'NodePort';
  }
  return rest.replace(/^traffic not accepted by .*/, 'source ranges') || (e.rule.action?.kind ?? 'rule');
}

function serviceBadges(s: ServiceInfo): Badge[] {
  const out: Badge[] = [];
  if (s.ports.some((p) => p.noEndpoints)) out.push({ kind: 'no-endpoints', text: 'no endpoints' });
  const aff = s.ports.find((p) => p.affinitySeconds !== null);
  if (aff) out.push({ kind: 'affinity', text: `ClientIP affinity ${aff.affinitySeconds}s` });
  const eps = new Set(s.ports.flatMap((p) => p.endpoints)).size;
  if (eps > 0) out.push({ kind: 'load-balanced', text: `${eps} endpoint${eps === 1 ? '' : 's'}` });
  return out;
}

function serviceDetail(s: ServiceInfo): string {
  const p = s.ports[0];
  const ip = p?.clusterIP ? `${p.clusterIP}` : p?.loadBalancerIPs[0] ?? p?.externalIPs[0] ?? '';
  const ports = s.ports.map((x) => x.port ?? x.nodePort).filter((x) => x !== null);
  return [ip, ports.length ? `port ${ports.join(',')}` : '', p?.nodePort ? `NodePort ${p.nodePort}` : ''].filter(Boolean).join(' · ');
}

function serviceNode(s: ServiceInfo, rules: RuleRef[], parentId: string): GraphNode {
  return { id: `service:${s.id}`, kind: 'service', label: s.name, detail: serviceDetail(s), parentId, chainIds: s.chainIds, rules, totalRules: rules.length, explanation: SERVICE_TEXT, badges: serviceBadges(s), service: s.id };
}

function namespaceNode(ns: string, services: readonly ServiceInfo[]): GraphNode {
  const noEp = services.filter((s) => s.ports.some((p) => p.noEndpoints)).length;
  return {
    id: `namespace:${ns}`,
    kind: 'namespace',
    label: ns,
    detail: `${services.length} Service${services.length === 1 ? '' : 's'}`,
    chainIds: services.flatMap((s) => s.chainIds),
    rules: [],
    totalRules: 0,
    explanation: NAMESPACE_TEXT,
    badges: noEp ? [{ kind: 'no-endpoints', text: `${noEp} without endpoints` }] : [],
  };
}

/**
 * The node's overview: the hook chains, kube-proxy's shared chains (KUBE-SERVICES, KUBE-NODEPORTS,
 * KUBE-EXTERNAL-SERVICES, KUBE-PROXY-FIREWALL) and one aggregated node per Service, grouped by
 * namespace. When that would exceed `maxNodes`, Services are aggregated per namespace instead;
 * `namespace` drills into one.
 */
export function buildOverview(rs: Ruleset, options: OverviewOptions = {}): Graph {
  const maxNodes = options.maxNodes ?? 1000;
  const { portals, entries, plain } = readPortals(rs);
  const catalog = serviceCatalog(rs).filter((s) => options.namespace === undefined || s.namespace === options.namespace);
  const shown = new Map<string, Set<number>>();
  for (const c of portals) shown.set(c.id, new Set((plain.get(c.id) ?? []).map((r) => r.index)));
  addAncestors(rs, portals.map((c) => c.id), shown);
  const namespaces = [...new Set(catalog.map((s) => s.namespace))];
  const fixed = shown.size;
  const aggregate = options.namespace === undefined && fixed + catalog.length + namespaces.length > maxNodes;
  const room = Math.max(0, maxNodes - fixed - (aggregate ? 0 : namespaces.length));
  const b = new GraphBuilder();
  for (const [id, indices] of shown) {
    const chain = rs.chains.get(id);
    if (chain) b.addNode(chainNode(chain, chain.rules.filter((r) => indices.has(r.index))));
  }
  for (const [id, indices] of shown) {
    const chain = rs.chains.get(id);
    if (chain) addRuleEdges(b, chain, chain.rules.filter((r) => indices.has(r.index)));
  }
  const inView = aggregate ? addNamespaces(b, catalog, room) : addServices(b, catalog, room, entries);
  for (const e of entries) {
    const target = aggregate ? `namespace:${e.service.split('/')[0]}` : `service:${e.service}`;
    if (inView.has(target)) b.addEdge({ source: chainNodeId(e.chain.id), target, kind: 'aggregate', label: entryLabel(e), rule: { chainId: e.chain.id, index: e.rule.index } });
  }
  const total = aggregate ? namespaces.length : catalog.length;
  const shownCount = inView.size;
  const truncated =
    aggregate || shownCount < total
      ? { shown: aggregate ? catalog.length : shownCount, total: catalog.length, reason: aggregate ? `${catalog.length} Services aggregated into ${namespaces.length} namespaces; open one to see its Services` : `showing ${shownCount} of ${total} Services; search to find the others` }
      : null;
  const title = options.namespace ? `namespace ${options.namespace}` : 'all Services';
  return { key: `overview:${options.namespace ?? '*'}:${maxNodes}`, kind: 'overview', title, nodes: b.nodes(), edges: b.edges(), truncated, assumptions: rs.assumptions };
}

function addNamespaces(b: GraphBuilder, catalog: readonly ServiceInfo[], room: number): Set<string> {
  const byNs = new Map<string, ServiceInfo[]>();
  for (const s of catalog) (byNs.get(s.namespace) ?? byNs.set(s.namespace, []).get(s.namespace)!).push(s);
  const ids = new Set<string>();
  for (const [ns, list] of [...byNs].slice(0, room)) {
    b.addNode(namespaceNode(ns, list));
    ids.add(`namespace:${ns}`);
  }
  return ids;
}

function addServices(b: GraphBuilder, catalog: readonly ServiceInfo[], room: number, entries: readonly Entry[]): Set<string> {
  const rulesOf = new Map<string, RuleRef[]>();
  for (const e of entries) (rulesOf.get(e.service) ?? rulesOf.set(e.service, []).get(e.service)!).push(ruleRef(e.chain, e.rule));
  const ids = new Set<string>();
  for (const s of catalog.slice(0, room)) {
    const group = `group:${s.namespace}`;
    if (!b.hasNode(group))
      b.addNode({ id: group, kind: 'group', label: s.namespace, detail: 'namespace', chainIds: [], rules: [], totalRules: 0, explanation: 'Services of one namespace.', badges: [] });
    b.addNode(serviceNode(s, rulesOf.get(s.id) ?? [], group));
    ids.add(`service:${s.id}`);
  }
  return ids;
}
