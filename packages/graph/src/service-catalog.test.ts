import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleset } from '@svcpath/ruleset';
import { OVERALL_DUMP } from './conformance-fixture';
import { serviceCatalog } from './service-catalog';
import { searchServices } from './service-search';

const rs = loadRuleset([{ name: 'iptables-save.txt', text: readFileSync(join(import.meta.dirname, OVERALL_DUMP), 'utf8') }]).ruleset!;

describe('serviceCatalog', () => {
  const catalog = serviceCatalog(rs);
  const byId = (id: string) => catalog.find((s) => s.id === id)!;

  it('reads every Service of the dump back from kube-proxy chains and comments', () => {
    expect(catalog.map((s) => s.id)).toEqual(['ns1/svc1', 'ns2/svc2', 'ns3/svc3', 'ns4/svc4', 'ns5/svc5', 'ns6/svc6']);
  });

  it.each([
    { id: 'ns1/svc1', clusterIP: '172.30.0.41', nodePort: null, endpoints: ['10.180.0.1:80'], lb: [], ext: [] },
    { id: 'ns2/svc2', clusterIP: '172.30.0.42', nodePort: 3001, endpoints: ['10.180.0.2:80'], lb: ['1.2.3.4'], ext: ['192.168.99.22'] },
    { id: 'ns4/svc4', clusterIP: '172.30.0.44', nodePort: null, endpoints: ['10.180.0.4:80', '10.180.0.5:80'], lb: [], ext: ['192.168.99.33'] },
    { id: 'ns5/svc5', clusterIP: '172.30.0.45', nodePort: 3002, endpoints: ['10.180.0.3:80'], lb: ['5.6.7.8'], ext: [] },
  ])('$id: addresses, NodePort and endpoints', ({ id, clusterIP, nodePort, endpoints, lb, ext }) => {
    const p = byId(id).ports[0]!;
    expect(p).toMatchObject({ portName: `${id}:p80`, protocol: 'tcp', clusterIP, port: 80, nodePort, endpoints, loadBalancerIPs: lb, externalIPs: ext });
  });

  it('marks a Service without endpoints and one with ClientIP affinity', () => {
    expect(byId('ns6/svc6').ports[0]).toMatchObject({ clusterIP: '172.30.0.46', noEndpoints: true, endpoints: [] });
    expect(byId('ns5/svc5').ports[0]!.affinitySeconds).toBe(10800);
  });
});

describe('searchServices', () => {
  const catalog = serviceCatalog(rs);
  it.each([
    { q: 'svc4', ids: ['ns4/svc4'] },
    { q: 'ns2', ids: ['ns2/svc2'] },
    { q: '172.30.0.45', ids: ['ns5/svc5'] },
    { q: '172.30.0.41:80', ids: ['ns1/svc1'] },
    { q: '3003', ids: ['ns3/svc3'] },
    { q: '5.6.7.8', ids: ['ns5/svc5'] },
    { q: 'SVC', ids: ['ns1/svc1', 'ns2/svc2', 'ns3/svc3', 'ns4/svc4', 'ns5/svc5', 'ns6/svc6'] },
    { q: 'nothing-like-this', ids: [] },
  ])('"$q" finds $ids', ({ q, ids }) => {
    expect(searchServices(catalog, q).services.map((s) => s.id)).toEqual(ids);
  });

  it('ranks an exact match first', () => {
    expect(searchServices(catalog, '172.30.0.4').services[0]?.id).toBe('ns1/svc1');
    expect(searchServices(catalog, '', 2)).toMatchObject({ total: 6 });
  });
});
