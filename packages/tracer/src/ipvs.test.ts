import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIP } from '@svcpath/netaddr';
import { loadRuleset } from '@svcpath/ruleset';
import { trace, type L4Proto, type TraceResult } from './index';

/**
 * IPVS mode (fixtures/ipvs-mode, hand-written: this kernel has no ip_vs). Each case names the kernel
 * or kube-proxy behaviour it checks.
 */
const DIR = join(import.meta.dirname, 'fixtures', 'ipvs-mode');
const files = ['iptables-save.txt', 'ipvsadm-Sn.txt', 'ipset-save.txt'].map((name) => ({ name, text: readFileSync(join(DIR, name), 'utf8') }));
const loaded = loadRuleset(files);
const rs = loaded.ruleset!;
const NODE = parseIP('192.168.49.2')!;

function run(src: string, dst: string, dport: number, proto: L4Proto = 'tcp', returningTo?: string): TraceResult {
  return trace(rs, { src: parseIP(src)!, dst: parseIP(dst)!, dport, proto }, { localAddresses: [NODE, parseIP('10.244.0.1')!], ...(returningTo ? { returningTo } : {}) });
}
const summary = (r: TraceResult) => r.outcomes.map((o) => `${o.probability.toFixed(2)} ${o.verdict}${o.destination ? ` ${o.destination}` : ''}${o.masquerade ? ' masq' : ''}`).sort();

describe('IPVS mode', () => {
  it('reads iptables, ipvsadm and ipset dumps of one node together', () => {
    expect(loaded.formats.map((f) => f.format)).toEqual(['iptables', 'ipvsadm', 'ipset']);
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(rs.dataplane).toBe('ipvs');
    expect(rs.ipvs?.services.length).toBeGreaterThan(5);
  });

  it('rr: equal shares over the real servers with weight > 0 (ip_vs_rr.c; weight 0 takes no new connections)', () => {
    expect(summary(run('10.244.1.9', '10.101.23.45', 80))).toEqual(['0.50 DNAT 10.244.1.5:8080', '0.50 DNAT 10.244.1.6:8080']);
  });

  it('masquerades off-cluster clients of a ClusterIP (KUBE-CLUSTER-IP ipset with ! -s clusterCIDR marks them)', () => {
    expect(summary(run('203.0.113.9', '10.101.23.45', 80))).toEqual(['0.50 DNAT 10.244.1.5:8080 masq', '0.50 DNAT 10.244.1.6:8080 masq']);
  });

  it('hairpin: an endpoint reaching itself is masqueraded through KUBE-LOOP-BACK, the other endpoint not', () => {
    expect(summary(run('10.244.1.5', '10.101.23.45', 80))).toEqual(['0.50 DNAT 10.244.1.5:8080 masq', '0.50 DNAT 10.244.1.6:8080']);
  });

  it('a virtual service without real servers: ip_vs_leave answers ICMP port unreachable', () => {
    expect(summary(run('10.244.1.9', '10.102.0.50', 80))).toEqual(['1.00 REJECT']);
  });

  it('a wrong port on a VIP is rejected by KUBE-IPVS-FILTER before IPVS sees it', () => {
    const r = run('10.244.1.9', '10.96.0.1', 444);
    expect(summary(r)).toEqual(['1.00 REJECT']);
    expect(r.outcomes[0]!.path.at(-1)).toMatchObject({ table: 'filter', chain: 'KUBE-IPVS-FILTER' });
  });

  it('persistence (-p 10800) is session affinity: split for a new client, fixed for a returning one', () => {
    const first = run('10.244.1.9', '10.108.7.7', 8080);
    expect(summary(first)).toEqual(['0.50 DNAT 10.244.1.8:8080', '0.50 DNAT 10.244.2.9:8080']);
    expect(first.outcomes[0]!.affinity?.seconds).toBe(10800);
    expect(summary(run('10.244.1.9', '10.108.7.7', 8080, 'tcp', '10.244.2.9:8080'))).toEqual(['1.00 DNAT 10.244.2.9:8080']);
  });

  it('NodePort on the node IP: KUBE-NODE-PORT-TCP marks it for masquerade', () => {
    expect(summary(run('203.0.113.9', '192.168.49.2', 30080))).toEqual(['0.50 DNAT 10.244.1.5:8080 masq', '0.50 DNAT 10.244.1.6:8080 masq']);
  });

  it('LoadBalancer IP on kube-ipvs0: KUBE-LOAD-BALANCER marks it for masquerade', () => {
    expect(summary(run('203.0.113.9', '172.18.255.200', 80))).toEqual(['0.50 DNAT 10.244.1.5:8080 masq', '0.50 DNAT 10.244.1.6:8080 masq']);
  });

  it('UDP DNS', () => {
    expect(summary(run('10.244.1.9', '10.96.0.10', 53, 'udp'))).toEqual(['0.50 DNAT 10.244.0.2:53', '0.50 DNAT 10.244.0.3:53']);
  });

  it('a real server on the node itself is delivered locally (the apiserver on the node IP)', () => {
    const r = run('10.244.1.9', '10.96.0.1', 443);
    expect(r.outcomes.map((o) => [o.verdict, o.destination, o.delivery])).toEqual([['DNAT', '192.168.49.2:6443', 'local']]);
    expect(r.outcomes[0]!.path.some((s) => s.table === 'ipvs' && s.chain === 'TCP 10.96.0.1:443' && s.line > 0)).toBe(true);
  });

  it('finds virtual services the same before and after it indexes them (the first lookups read the list in order)', () => {
    const fresh = loadRuleset(files).ruleset!;
    const flows: Array<[string, string, number, L4Proto]> = [
      ['10.244.1.9', '10.101.23.45', 80, 'tcp'],
      ['10.244.1.9', '10.96.0.10', 53, 'udp'],
      ['203.0.113.9', '192.168.49.2', 30080, 'tcp'],
      ['10.244.1.9', '10.102.0.50', 80, 'tcp'],
      ['10.244.1.9', '10.96.0.1', 444, 'tcp'],
    ];
    const once = (r: typeof fresh, [src, dst, dport, proto]: (typeof flows)[number]) =>
      summary(trace(r, { src: parseIP(src)!, dst: parseIP(dst)!, dport, proto }, { localAddresses: [NODE, parseIP('10.244.0.1')!] }));
    const expected = flows.map((f) => once(rs, f));
    for (let round = 0; round < 12; round++) expect(flows.map((f) => once(fresh, f))).toEqual(expected);
  });

  it('the node itself to a ClusterIP: IPVS at LOCAL_OUT', () => {
    expect(summary(run('192.168.49.2', '10.101.23.45', 80))).toEqual(['0.50 DNAT 10.244.1.5:8080 masq', '0.50 DNAT 10.244.1.6:8080 masq']);
  });
});
