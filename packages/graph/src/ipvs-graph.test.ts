import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIP } from '@svcpath/netaddr';
import { loadRuleset } from '@svcpath/ruleset';
import { trace } from '@svcpath/tracer';
import { buildServiceGraph, overlayTrace, serviceCatalog } from './index';

/** IPVS mode (packages/tracer/src/fixtures/ipvs-mode: hand-written, this kernel has no ip_vs). */
const DIR = join(import.meta.dirname, '..', '..', 'tracer', 'src', 'fixtures', 'ipvs-mode');
const rs = loadRuleset(['iptables-save.txt', 'ipvsadm-Sn.txt', 'ipset-save.txt'].map((name) => ({ name, text: readFileSync(join(DIR, name), 'utf8') }))).ruleset!;

describe('IPVS graphs', () => {
  it('lists each virtual service as a Service port under ipvs/', () => {
    const web = serviceCatalog(rs).find((s) => s.id === 'ipvs/tcp:10.101.23.45:80')!;
    expect(web.ports[0]).toMatchObject({ clusterIP: '10.101.23.45', port: 80, endpoints: ['10.244.1.5:8080', '10.244.1.6:8080'], noEndpoints: false });
    expect(serviceCatalog(rs).find((s) => s.id === 'ipvs/tcp:10.108.7.7:8080')!.ports[0]!.affinitySeconds).toBe(10800);
    expect(serviceCatalog(rs).find((s) => s.id === 'ipvs/tcp:10.102.0.50:80')!.ports[0]!.noEndpoints).toBe(true);
  });

  it('draws the virtual service and its real servers with rr shares, weight 0 at 0%', () => {
    const g = buildServiceGraph(rs, 'ipvs/tcp:10.101.23.45:80')!;
    const dnat = g.edges.filter((e) => e.kind === 'dnat');
    expect(dnat.map((e) => [e.target, e.probability])).toEqual([
      ['endpoint:10.244.1.5:8080', 0.5],
      ['endpoint:10.244.1.6:8080', 0.5],
      ['endpoint:10.244.2.7:8080', 0],
    ]);
    const vs = g.nodes.find((n) => n.label === 'TCP 10.101.23.45:80')!;
    expect(vs.rules.every((r) => r.line > 0 && r.file === 'ipvsadm-Sn.txt')).toBe(true);
  });

  it('a trace through IPVS lights the virtual service', () => {
    const g = buildServiceGraph(rs, 'ipvs/tcp:10.101.23.45:80')!;
    const r = trace(rs, { src: parseIP('10.244.1.9')!, dst: parseIP('10.101.23.45')!, dport: 80, proto: 'tcp' }, { localAddresses: [parseIP('192.168.49.2')!] });
    const o = overlayTrace(g, r);
    expect(o.nodes['chain:ipvs/TCP 10.101.23.45:80']).toBeCloseTo(1, 9);
  });
});
