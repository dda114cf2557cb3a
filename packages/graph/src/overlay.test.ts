import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIP } from '@svcpath/netaddr';
import { loadRuleset } from '@svcpath/ruleset';
import { recentForReturningClient, trace } from '@svcpath/tracer';
import { NODE_IP, OVERALL_DUMP } from './conformance-fixture';
import { describeOutcome } from './describe-outcome';
import { viewMarkdown } from './markdown';
import { overlayTrace } from './overlay';
import { buildOverview } from './overview';
import { buildServiceGraph } from './service-graph';

const rs = loadRuleset([{ name: 'iptables-save.txt', text: readFileSync(join(import.meta.dirname, OVERALL_DUMP), 'utf8') }]).ruleset!;
const env = { localAddresses: [parseIP(NODE_IP)!] };
const run = (src: string, dst: string, dport: number) => trace(rs, { src: parseIP(src)!, dst: parseIP(dst)!, dport, proto: 'tcp' }, env);

describe('overlayTrace', () => {
  it('lights both endpoints of ns4/svc4 with 50% each, and the shared path with 100%', () => {
    const g = buildServiceGraph(rs, 'ns4/svc4')!;
    const o = overlayTrace(g, run('10.0.0.2', '172.30.0.44', 80));
    expect(o.nodes['endpoint:10.180.0.4:80']).toBeCloseTo(0.5);
    expect(o.nodes['endpoint:10.180.0.5:80']).toBeCloseTo(0.5);
    expect(o.nodes['chain:nat/KUBE-SVC-4SW47YFZTEDKD3PK']).toBeCloseTo(1);
    expect(o.edges['chain:nat/KUBE-SVC-4SW47YFZTEDKD3PK->chain:nat/KUBE-SEP-UKSFD7AGPMPPLUHC']).toBeCloseTo(0.5);
    expect(o.edges['chain:nat/KUBE-SERVICES->chain:nat/KUBE-SVC-4SW47YFZTEDKD3PK']).toBeCloseTo(1);
    expect(o.outcomes).toHaveLength(2);
    expect(o.nodes['chain:nat/KUBE-MARK-MASQ']).toBeUndefined();
  });

  it('lights the masquerade path for an external client of a NodePort', () => {
    const g = buildServiceGraph(rs, 'ns5/svc5')!;
    const o = overlayTrace(g, run('203.0.113.2', NODE_IP, 3002));
    expect(o.nodes['chain:nat/KUBE-NODEPORTS']).toBe(1);
    expect(o.edges['chain:nat/KUBE-MARK-MASQ->chain:nat/KUBE-POSTROUTING']).toBe(1);
    expect(o.nodes['verdict:nat/KUBE-POSTROUTING:MASQUERADE']).toBe(1);
  });

  it('maps a trace onto the overview through the Service node, one outcome at a time', () => {
    const g = buildOverview(rs);
    const t = run('10.0.0.2', '172.30.0.44', 80);
    const all = overlayTrace(g, t);
    expect(all.nodes['service:ns4/svc4']).toBeCloseTo(1);
    expect(all.edges['chain:nat/KUBE-SERVICES->service:ns4/svc4']).toBeCloseTo(1);
    const first = overlayTrace(g, t, 0);
    expect(first.outcomes).toHaveLength(1);
    expect(first.nodes['service:ns4/svc4']).toBeCloseTo(0.5);
  });

  it('a returning client under affinity takes the recent-check edge', () => {
    const g = buildServiceGraph(rs, 'ns5/svc5')!;
    const src = parseIP('10.0.0.2')!;
    const t = trace(rs, { src, dst: parseIP('172.30.0.45')!, dport: 80, proto: 'tcp' }, { ...env, recent: recentForReturningClient(rs, src, '10.180.0.3:80') });
    const o = overlayTrace(g, t);
    expect(t.outcomes[0]!.path.some((s) => s.chain === 'KUBE-SVC-NUKIZ6OKUXPJNT4C' && s.rule === 2)).toBe(true);
    expect(o.edges['chain:nat/KUBE-SVC-NUKIZ6OKUXPJNT4C->chain:nat/KUBE-SEP-I77PXRDZVX7PMWMN#affinity']).toBe(1);
    // …and not the first connection's edge.
    expect(o.edges['chain:nat/KUBE-SVC-NUKIZ6OKUXPJNT4C->chain:nat/KUBE-SEP-I77PXRDZVX7PMWMN']).toBeUndefined();
  });
});

describe('describeOutcome and viewMarkdown', () => {
  it.each([
    { dst: '172.30.0.44', dport: 80, src: '10.0.0.2', text: ['50% to 10.180.0.4:80', '50% to 10.180.0.5:80'] },
    { dst: '172.30.0.44', dport: 80, src: '203.0.113.2', text: ['50% to 10.180.0.4:80, masqueraded', '50% to 10.180.0.5:80, masqueraded'] },
    { dst: '172.30.0.46', dport: 80, src: '10.0.0.2', text: ['100% rejected (icmp-port-unreachable)'] },
  ])('$src → $dst:$dport reads "$text"', ({ src, dst, dport, text }) => {
    expect(run(src, dst, dport).outcomes.map((o) => describeOutcome(o)).sort()).toEqual(text);
  });

  it('cites every rule on the trace path by file and line', () => {
    const result = run('10.0.0.2', '172.30.0.44', 80);
    const md = viewMarkdown({ title: 'ns4/svc4', source: 'node demo-node-1', graph: buildServiceGraph(rs, 'ns4/svc4'), trace: { flow: { src: '10.0.0.2', dst: '172.30.0.44', dport: 80, proto: 'tcp' }, result } });
    expect(md).toContain('## Trace: tcp 10.0.0.2 → 172.30.0.44:80');
    expect(md).toContain('| 1 | 50% to 10.180.0.4:80 | DNAT | ns4/svc4:p80 |');
    expect(md).toContain('`KUBE-SVC-4SW47YFZTEDKD3PK` rule 2 (iptables-save.txt:84)');
    expect(md).toMatch(/iptables-save.txt:82 +-A KUBE-SEP-UKSFD7AGPMPPLUHC/);
  });
});
