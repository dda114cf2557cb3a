import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleset } from '@svcpath/ruleset';
import { chainKindOf } from './chain-kind';
import { NFT_NUMGEN_DUMP, NFT_OVERALL_DUMP } from './nft-fixture';
import { serviceCatalog } from './service-catalog';
import { buildServiceGraph } from './service-graph';

const load = (path: string) => loadRuleset([{ name: 'nft-list-ruleset.txt', text: readFileSync(join(import.meta.dirname, path), 'utf8') }]).ruleset!;
const overall = load(NFT_OVERALL_DUMP);
const numgen = load(NFT_NUMGEN_DUMP);
type G = ReturnType<typeof buildServiceGraph>;
const edge = (g: G, from: string, to: string) => g!.edges.find((e) => e.source === from && e.target === to);
const chain = (name: string) => `chain:ip kube-proxy/${name}`;
const connected = (g: G) => {
  const ids = new Set(g!.nodes.map((n) => n.id));
  return g!.edges.every((e) => ids.has(e.source) && ids.has(e.target));
};

describe('chainKindOf (nftables names)', () => {
  it.each([
    ['services', 'services'],
    ['service-ULMVA6XW-ns1/svc1/tcp/p80', 'svc'],
    ['endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80', 'sep'],
    ['external-42NFTM6N-ns2/svc2/tcp/p80', 'ext'],
    ['firewall-HVFWP5L3-ns5/svc5/tcp/p80', 'fw'],
    ['mark-for-masquerade', 'mark-masq'],
    ['masquerading', 'postrouting'],
    ['nat-prerouting', 'builtin'],
    ['filter-output-pre-dnat', 'builtin'],
    ['reject-chain', 'other'],
  ])('%s → %s', (name, kind) => expect(chainKindOf(name)).toBe(kind));
});

describe('serviceCatalog (nftables, TestOverallNFTablesRules)', () => {
  const catalog = serviceCatalog(overall);
  const port = (id: string) => catalog.find((s) => s.id === id)!.ports[0]!;

  it('reads every Service from the verdict maps and chain names', () => {
    expect(catalog.map((s) => s.id)).toEqual(['ns1/svc1', 'ns2/svc2', 'ns3/svc3', 'ns4/svc4', 'ns5/svc5', 'ns6/svc6']);
  });

  it.each([
    { id: 'ns1/svc1', clusterIP: '172.30.0.41', nodePort: null, endpoints: ['10.180.0.1:80'] },
    { id: 'ns2/svc2', clusterIP: '172.30.0.42', nodePort: 3001, endpoints: ['10.180.0.2:80'] },
    { id: 'ns3/svc3', clusterIP: '172.30.0.43', nodePort: 3003, endpoints: ['10.180.0.3:80'] },
    { id: 'ns4/svc4', clusterIP: '172.30.0.44', nodePort: null, endpoints: ['10.180.0.4:80', '10.180.0.5:80'] },
    { id: 'ns5/svc5', clusterIP: '172.30.0.45', nodePort: 3002, endpoints: ['10.180.0.3:80'] },
  ])('$id: ClusterIP, NodePort and endpoints', ({ id, clusterIP, nodePort, endpoints }) => {
    expect(port(id)).toMatchObject({ portName: `${id}:p80`, protocol: 'tcp', clusterIP, port: 80, nodePort, endpoints, noEndpoints: false });
  });

  it('external and load-balancer IPs: only firewall-ips tells a load balancer apart', () => {
    expect(port('ns4/svc4').externalIPs).toEqual(['192.168.99.33']);
    expect(port('ns5/svc5')).toMatchObject({ loadBalancerIPs: ['5.6.7.8'], externalIPs: [] });
    expect(port('ns2/svc2').externalIPs).toEqual(['1.2.3.4', '192.168.99.22']);
  });

  it('no endpoints (no-endpoint-services → reject-chain) and ClientIP affinity', () => {
    expect(port('ns6/svc6')).toMatchObject({ clusterIP: '172.30.0.46', port: 80, noEndpoints: true, endpoints: [] });
    expect(port('ns5/svc5').affinitySeconds).toBe(10800);
    expect(port('ns1/svc1').affinitySeconds).toBeNull();
  });

  it('lists each Service\'s own chains', () => {
    expect(catalog.find((s) => s.id === 'ns5/svc5')!.chainIds).toEqual([
      'ip kube-proxy/endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80',
      'ip kube-proxy/external-HVFWP5L3-ns5/svc5/tcp/p80',
      'ip kube-proxy/firewall-HVFWP5L3-ns5/svc5/tcp/p80',
      'ip kube-proxy/service-HVFWP5L3-ns5/svc5/tcp/p80',
    ]);
  });
});

describe('buildServiceGraph (nftables, TestOverallNFTablesRules)', () => {
  it('ns4/svc4: base chains → services → service chain → two endpoint chains at 50% → endpoints', () => {
    const g = buildServiceGraph(overall, 'ns4/svc4')!;
    const svc = chain('service-LAUZTJTB-ns4/svc4/tcp/p80');
    const ep4 = chain('endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80');
    const ep5 = chain('endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80');
    expect(g.nodes.filter((n) => n.kind === 'endpoint').map((n) => n.label).sort()).toEqual(['10.180.0.4:80', '10.180.0.5:80']);
    expect(edge(g, chain('nat-prerouting'), chain('services'))).toBeDefined();
    expect(edge(g, chain('nat-output'), chain('services'))).toBeDefined();
    expect(edge(g, chain('services'), svc)).toMatchObject({ kind: 'goto', label: '172.30.0.44 . tcp . 80' });
    expect(edge(g, chain('services'), chain('external-LAUZTJTB-ns4/svc4/tcp/p80'))?.label).toBe('192.168.99.33 . tcp . 80');
    expect(edge(g, svc, ep4)).toMatchObject({ probability: 0.5, label: '50%' });
    expect(edge(g, svc, ep5)).toMatchObject({ probability: 0.5, label: '50%' });
    expect(edge(g, ep4, 'endpoint:10.180.0.4:80')).toMatchObject({ kind: 'dnat' });
    expect(g.nodes.find((n) => n.id === svc)).toMatchObject({ chainKind: 'svc', detail: 'ip kube-proxy · ns4/svc4:p80' });
    expect(connected(g)).toBe(true);
  });

  it('shows only the services chain\'s service-ips vmap rule, and the nodeport rule when a NodePort leads in', () => {
    expect(buildServiceGraph(overall, 'ns4/svc4')!.nodes.find((n) => n.id === chain('services'))!.rules.map((r) => r.index)).toEqual([1]);
    expect(buildServiceGraph(overall, 'ns2/svc2')!.nodes.find((n) => n.id === chain('services'))!.rules.map((r) => r.index)).toEqual([1, 2]);
  });

  it('draws the masquerade path: mark-for-masquerade → masquerading → MASQUERADE', () => {
    const g = buildServiceGraph(overall, 'ns4/svc4')!;
    expect(edge(g, chain('mark-for-masquerade'), chain('masquerading'))?.kind).toBe('masquerade-mark');
    expect(edge(g, chain('nat-postrouting'), chain('masquerading'))).toBeDefined();
    expect(edge(g, chain('masquerading'), 'verdict:ip kube-proxy/masquerading:MASQUERADE')).toBeDefined();
    expect(g.nodes.find((n) => n.id === chain('service-LAUZTJTB-ns4/svc4/tcp/p80'))!.badges.map((b) => b.text)).toEqual(['marks for masquerade', '2 endpoints']);
  });

  it('ns5/svc5: affinity shortcut, firewall-ips → firewall chain → DROP', () => {
    const g = buildServiceGraph(overall, 'ns5/svc5')!;
    const svc = chain('service-HVFWP5L3-ns5/svc5/tcp/p80');
    const toEp = g.edges.filter((e) => e.source === svc && e.target === chain('endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80'));
    expect(toEp.find((e) => !e.affinity)).toMatchObject({ probability: 1 });
    expect(toEp.find((e) => e.affinity)).toMatchObject({ affinity: true });
    expect(g.nodes.find((n) => n.id === svc)!.badges).toContainEqual({ kind: 'affinity', text: 'ClientIP affinity 10800s' });
    expect(edge(g, chain('firewall-check'), chain('firewall-HVFWP5L3-ns5/svc5/tcp/p80'))?.label).toBe('5.6.7.8 . tcp . 80');
    expect(edge(g, chain('firewall-HVFWP5L3-ns5/svc5/tcp/p80'), 'verdict:ip kube-proxy/firewall-HVFWP5L3-ns5/svc5/tcp/p80:DROP')).toBeDefined();
    expect(connected(g)).toBe(true);
  });

  it('ns6/svc6 (no endpoints): no-endpoint-services element → reject-chain → REJECT, reached from the filter hooks', () => {
    const g = buildServiceGraph(overall, 'ns6/svc6')!;
    expect(edge(g, chain('service-endpoints-check'), chain('reject-chain'))?.label).toBe('172.30.0.46 . tcp . 80');
    expect(edge(g, chain('reject-chain'), 'verdict:ip kube-proxy/reject-chain:REJECT')).toBeDefined();
    expect(edge(g, chain('filter-forward'), chain('service-endpoints-check'))).toBeDefined();
  });

  it('ns2/svc2: the no-local-endpoints drops of its NodePort and external IPs', () => {
    const g = buildServiceGraph(overall, 'ns2/svc2')!;
    expect(edge(g, chain('nodeport-endpoints-check'), 'verdict:ip kube-proxy/nodeport-endpoints-check:DROP')?.label).toBe('tcp . 3001');
    expect(connected(g)).toBe(true);
  });

  it('every graph is connected; unknown Services give null', () => {
    for (const s of ['ns1/svc1', 'ns2/svc2', 'ns3/svc3', 'ns4/svc4', 'ns5/svc5', 'ns6/svc6', 'ns2/svc2:p80']) expect(connected(buildServiceGraph(overall, s))).toBe(true);
    expect(buildServiceGraph(overall, 'nope/none')).toBeNull();
  });
});

describe('nftables one-rule layout (dnat … numgen map)', () => {
  it('catalog: endpoints from the numgen map, affinity, NodePort, protocol from the chain name', () => {
    const catalog = serviceCatalog(numgen);
    expect(catalog.map((s) => s.id)).toEqual(['ns1/svc1', 'ns4/svc4', 'ns6/svc6']);
    expect(catalog[0]!.ports[0]).toMatchObject({
      portName: 'ns1/svc1:p80',
      clusterIP: '172.30.0.41',
      nodePort: 30080,
      externalIPs: ['192.168.99.33'],
      endpoints: ['10.180.0.1:8080', '10.180.0.2:8080', '10.180.0.3:8080'],
      affinitySeconds: 10800,
    });
    expect(catalog[1]!.ports[0]).toMatchObject({ portName: 'ns4/svc4:dns', protocol: 'udp', clusterIP: '172.30.0.44', port: 53, endpoints: ['10.180.0.4:53', '10.180.0.5:5353'] });
  });

  it('ns4/svc4: the service chain DNATs to two endpoint nodes at 50% each', () => {
    const g = buildServiceGraph(numgen, 'ns4/svc4')!;
    const svc = chain('service-LAUZTJTB-ns4/svc4/udp/dns');
    expect(g.nodes.filter((n) => n.kind === 'endpoint').map((n) => n.label)).toEqual(['10.180.0.4:53', '10.180.0.5:5353']);
    expect(edge(g, svc, 'endpoint:10.180.0.4:53')).toMatchObject({ kind: 'dnat', probability: 0.5, label: '50%' });
    expect(edge(g, svc, 'endpoint:10.180.0.5:5353')).toMatchObject({ kind: 'dnat', probability: 0.5 });
    expect(connected(g)).toBe(true);
  });

  it('ns1/svc1: a third each, and the affinity DNAT marked as such', () => {
    const g = buildServiceGraph(numgen, 'ns1/svc1')!;
    const svc = chain('service-ULMVA6XW-ns1/svc1/tcp/p80');
    expect(edge(g, svc, 'endpoint:10.180.0.1:8080')).toMatchObject({ affinity: true });
    expect(edge(g, svc, 'endpoint:10.180.0.2:8080')!.probability).toBeCloseTo(1 / 3);
    expect(edge(g, chain('services'), chain('external-ULMVA6XW-ns1/svc1/tcp/p80'))?.label).toBe('192.168.99.33 . tcp . 80 · tcp . 30080');
  });
});

describe('explanations (nftables)', () => {
  it('describe numgen and verdict maps, not the iptables statistic ladder', () => {
    const g = buildServiceGraph(overall, 'ns4/svc4')!;
    expect(g.nodes.find((n) => n.id === chain('service-LAUZTJTB-ns4/svc4/tcp/p80'))!.explanation).toMatch(/numgen/);
    expect(g.nodes.find((n) => n.id === chain('services'))!.explanation).toMatch(/@service-ips/);
  });
});

describe('an nft Service with more endpoints than its graph draws', () => {
  // The conformance dump with ns1/svc1's numgen map widened to 30 endpoint chains.
  const text = readFileSync(join(import.meta.dirname, NFT_OVERALL_DUMP), 'utf8');
  const n = 30;
  const name = (i: number) => `endpoint-E${String(i).padStart(7, '0')}-ns1/svc1/tcp/p80__10.180.1.${i}/80`;
  const map = Array.from({ length: n }, (_, i) => `${i} : goto ${name(i)}`).join(', ');
  const chains = Array.from({ length: n }, (_, i) => `\tchain ${name(i)} {\n\t\tip saddr 10.180.1.${i} jump mark-for-masquerade\n\t\tmeta l4proto tcp dnat to 10.180.1.${i}:80\n\t}\n`).join('\n');
  const wide = text
    .replace('numgen random mod 1 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 }', `numgen random mod ${n} vmap { ${map} }`)
    .replace('\tchain endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 {', `${chains}\n\tchain endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 {`);
  const rs = loadRuleset([{ name: 'nft-list-ruleset.txt', text: wide }]).ruleset!;

  it('draws 20 endpoint chains, drops the map edges to the rest, and says so', () => {
    const g = buildServiceGraph(rs, 'ns1/svc1')!;
    expect(wide).toContain(`numgen random mod ${n} vmap`);
    expect(g.nodes.filter((x) => x.chainKind === 'sep')).toHaveLength(20);
    expect(g.truncated).toMatchObject({ shown: 20, total: n + 1 });
    expect(connected(g)).toBe(true);
    expect(g.edges.filter((e) => e.source === chain('service-ULMVA6XW-ns1/svc1/tcp/p80') && e.target.includes('endpoint-'))).toHaveLength(20);
  });
});
