import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesSource, scanIptablesSave } from '@svcpath/parse-iptables';
import { loadRuleset } from '@svcpath/ruleset';
import { OVERALL_DUMP } from './conformance-fixture';
import { generateScaleCluster, renderIptablesSave } from '@svcpath/kube-proxy-sim';
import { overlayTrace } from './overlay';
import { serviceCatalog } from './service-catalog';
import { buildServiceGraph, MAX_ENDPOINT_CHAINS } from './service-graph';

const rs = loadRuleset([{ name: 'iptables-save.txt', text: readFileSync(join(import.meta.dirname, OVERALL_DUMP), 'utf8') }]).ruleset!;
const edge = (g: ReturnType<typeof buildServiceGraph>, from: string, to: string) => g!.edges.find((e) => e.source === from && e.target === to);

describe('buildServiceGraph', () => {
  it('ns4/svc4: hooks → KUBE-SERVICES → KUBE-SVC → two KUBE-SEP at 50% each → DNAT endpoints', () => {
    const g = buildServiceGraph(rs, 'ns4/svc4')!;
    const ids = g.nodes.map((n) => n.id);
    for (const id of ['chain:nat/PREROUTING', 'chain:nat/OUTPUT', 'chain:nat/KUBE-SERVICES', 'chain:nat/KUBE-SVC-4SW47YFZTEDKD3PK', 'chain:nat/KUBE-EXT-4SW47YFZTEDKD3PK', 'chain:nat/KUBE-SEP-UKSFD7AGPMPPLUHC', 'endpoint:10.180.0.4:80', 'endpoint:10.180.0.5:80'])
      expect(ids).toContain(id);
    expect(edge(g, 'chain:nat/KUBE-SVC-4SW47YFZTEDKD3PK', 'chain:nat/KUBE-SEP-UKSFD7AGPMPPLUHC')).toMatchObject({ probability: 0.5, label: '50%' });
    expect(edge(g, 'chain:nat/KUBE-SVC-4SW47YFZTEDKD3PK', 'chain:nat/KUBE-SEP-C6EBXVWJJZMIWKLZ')).toMatchObject({ probability: 0.5 });
    expect(edge(g, 'chain:nat/KUBE-SEP-UKSFD7AGPMPPLUHC', 'endpoint:10.180.0.4:80')).toMatchObject({ kind: 'dnat', rules: [{ chainId: 'nat/KUBE-SEP-UKSFD7AGPMPPLUHC', index: 2 }] });
  });

  it('shows only the relevant rules of shared chains, with their dump lines and raw text', () => {
    const g = buildServiceGraph(rs, 'ns4/svc4')!;
    const services = g.nodes.find((n) => n.id === 'chain:nat/KUBE-SERVICES')!;
    expect(services.rules.map((r) => r.line)).toEqual([51, 52]);
    expect(services.totalRules).toBe(10);
    expect(services.rules[0]!.raw).toContain('-j KUBE-SVC-4SW47YFZTEDKD3PK');
    const svc = g.nodes.find((n) => n.id === 'chain:nat/KUBE-SVC-4SW47YFZTEDKD3PK')!;
    expect(svc.rules.map((r) => r.line)).toEqual([83, 84, 85]);
    expect(svc.explanation).toMatch(/statistic/);
  });

  it('draws the masquerade path: KUBE-MARK-MASQ → KUBE-POSTROUTING → MASQUERADE', () => {
    const g = buildServiceGraph(rs, 'ns4/svc4')!;
    expect(edge(g, 'chain:nat/KUBE-MARK-MASQ', 'chain:nat/KUBE-POSTROUTING')?.kind).toBe('masquerade-mark');
    expect(edge(g, 'chain:nat/KUBE-POSTROUTING', 'verdict:nat/KUBE-POSTROUTING:MASQUERADE')).toBeDefined();
    expect(g.nodes.find((n) => n.id === 'chain:nat/KUBE-SVC-4SW47YFZTEDKD3PK')!.badges.map((b) => b.kind)).toContain('masquerade');
  });

  it('ns5/svc5: affinity shortcut, load-balancer firewall and its DROP', () => {
    const g = buildServiceGraph(rs, 'ns5/svc5')!;
    // First connections and returning clients take separate edges, each with its own label.
    const svcToSep = g.edges.filter((e) => e.source === 'chain:nat/KUBE-SVC-NUKIZ6OKUXPJNT4C' && e.target === 'chain:nat/KUBE-SEP-I77PXRDZVX7PMWMN');
    expect(svcToSep.find((e) => !e.affinity)).toMatchObject({ probability: 1, label: '100%' });
    expect(svcToSep.find((e) => e.affinity)).toMatchObject({ id: 'chain:nat/KUBE-SVC-NUKIZ6OKUXPJNT4C->chain:nat/KUBE-SEP-I77PXRDZVX7PMWMN#affinity', label: 'returning client (10800s)' });
    expect(g.nodes.find((n) => n.id === 'chain:nat/KUBE-SVC-NUKIZ6OKUXPJNT4C')!.badges).toContainEqual({ kind: 'affinity', text: 'ClientIP affinity 10800s' });
    expect(edge(g, 'chain:nat/KUBE-FW-NUKIZ6OKUXPJNT4C', 'chain:nat/KUBE-EXT-NUKIZ6OKUXPJNT4C')?.label).toBe('from 203.0.113.0/25');
    expect(edge(g, 'chain:filter/KUBE-PROXY-FIREWALL', 'verdict:filter/KUBE-PROXY-FIREWALL:DROP')).toBeDefined();
  });

  it('ns6/svc6 (no endpoints): filter KUBE-SERVICES REJECT reached from FORWARD and OUTPUT', () => {
    const g = buildServiceGraph(rs, 'ns6/svc6')!;
    expect(edge(g, 'chain:filter/KUBE-SERVICES', 'verdict:filter/KUBE-SERVICES:REJECT')).toBeDefined();
    expect(edge(g, 'chain:filter/FORWARD', 'chain:filter/KUBE-SERVICES')).toBeDefined();
    expect(g.nodes.find((n) => n.kind === 'verdict')!.badges[0]?.kind).toBe('no-endpoints');
  });

  it('every edge joins two nodes of the graph; unknown Services give null', () => {
    for (const s of ['ns1/svc1', 'ns2/svc2', 'ns3/svc3', 'ns4/svc4', 'ns5/svc5', 'ns6/svc6', 'ns2/svc2:p80']) {
      const g = buildServiceGraph(rs, s)!;
      const ids = new Set(g.nodes.map((n) => n.id));
      for (const e of g.edges) expect(ids.has(e.source) && ids.has(e.target)).toBe(true);
    }
    expect(buildServiceGraph(rs, 'nope/none')).toBeNull();
  });
});

describe('a Service with more endpoints than a graph can draw', () => {
  // One Service with 120 endpoints (kube-proxy-sim's rules): a DaemonSet's Service on a big cluster has thousands.
  const cluster = generateScaleCluster({ services: 1, endpointsPerService: 120, seed: 3 });
  const wide = loadRuleset([{ name: 'wide.txt', text: renderIptablesSave(cluster, { nodeName: cluster.nodeName, clusterCIDR: cluster.clusterCIDR }) }]).ruleset!;
  const svc = cluster.services[0]!;
  const id = `${svc.metadata.namespace}/${svc.metadata.name}`;
  const g = buildServiceGraph(wide, id)!;

  it(`draws ${MAX_ENDPOINT_CHAINS} endpoint chains per port, the first its ladder jumps to, and says how many it left out`, () => {
    const ports = svc.spec!.ports!.length;
    const seps = g.nodes.filter((n) => n.chainKind === 'sep');
    expect(seps).toHaveLength(MAX_ENDPOINT_CHAINS * ports);
    expect(g.truncated!.shown).toBe(MAX_ENDPOINT_CHAINS * ports);
    expect(g.truncated!.total).toBe([...wide.chains.values()].filter((c) => c.name.startsWith('KUBE-SEP-')).length);
    expect(g.truncated!.total).toBeGreaterThan(100);
    expect(g.truncated!.reason).toMatch(new RegExp(`^showing ${MAX_ENDPOINT_CHAINS * ports} of \\d+ endpoint chains`));
    expect(g.nodes.length).toBeLessThan(60 * ports + 20);
    const ids = new Set(g.nodes.map((n) => n.id));
    for (const e of g.edges) expect(ids.has(e.source) && ids.has(e.target), e.id).toBe(true);
    // Each port's ladder draws its rules to the endpoints drawn, in its order: its first rules.
    const sepIds = new Set(seps.map((n) => n.id));
    for (const ladder of g.nodes.filter((n) => n.chainKind === 'svc')) {
      const jumps = g.edges.filter((e) => e.source === ladder.id && sepIds.has(e.target));
      expect(new Set(jumps.map((e) => e.target)).size).toBe(MAX_ENDPOINT_CHAINS);
    }
    expect(g.nodes.filter((n) => n.chainKind === 'svc')).toHaveLength(ports);
  });

  it('a trace to an endpoint left out lights its path up to the ladder and counts the rest as not shown', () => {
    const sep = [...wide.chains.values()].filter((c) => c.name.startsWith('KUBE-SEP-')).find((c) => !g.nodes.some((n) => n.chainIds.includes(c.id)))!;
    const svcChain = g.nodes.find((n) => n.chainKind === 'svc')!.chainIds[0]!;
    const [table, chain] = [svcChain.split('/')[0]!, svcChain.split('/')[1]!];
    const step = (c: string, rule: number) => ({ hook: 'prerouting' as const, table, chain: c, rule, line: 1, file: 'wide.txt', action: 'jump' });
    const o = overlayTrace(g, { outcomes: [{ probability: 1, path: [step(chain, 240), step(sep.name, 2)] } as never] });
    expect(Object.keys(o.nodes)).toContain(g.nodes.find((n) => n.chainKind === 'svc')!.id);
    expect(o.unmatchedSteps).toBe(1);
  });

  it('a Service with few endpoints is drawn whole', () => {
    expect(buildServiceGraph(rs, 'ns4/svc4')!.truncated).toBeNull();
  });
});

describe('a scanned dump (rules read from their lines)', () => {
  /** The dump scanned in memory, as the server's engine and the CLI read a node's one dump. */
  const scanned = (name: string, text: string) => {
    const r = scanIptablesSave(bytesSource(Buffer.from(text, 'utf8')), { file: name });
    if ('refused' in r) throw new Error(r.refused);
    return loadRuleset([{ name, text: r.head, scanned: r }]).ruleset!;
  };

  it('draws every Service as the full parse does: kube-proxy\'s dump, and a generated one with affinity, NodePorts and Local policy', () => {
    const cluster = generateScaleCluster({ services: 40, endpointsPerService: 3, seed: 11 });
    const generated = renderIptablesSave(cluster, { nodeName: cluster.nodeName, clusterCIDR: cluster.clusterCIDR });
    for (const [name, text] of [['iptables-save.txt', readFileSync(join(import.meta.dirname, OVERALL_DUMP), 'utf8')], ['generated.txt', generated]] as const) {
      const full = loadRuleset([{ name, text }]).ruleset!;
      const fast = scanned(name, text);
      const services = serviceCatalog(full).map((s) => s.id);
      expect(services.length).toBeGreaterThan(4);
      expect(serviceCatalog(fast)).toEqual(serviceCatalog(full));
      for (const id of services) expect(buildServiceGraph(fast, id)).toEqual(buildServiceGraph(full, id));
    }
  });
});
