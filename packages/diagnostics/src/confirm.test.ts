import { describe, expect, it } from 'vitest';
import { diagnose } from './diagnose';
import { WEB, endpointSlice, input, renderRules, service } from './scenario.fixture';
import { loadRuleset } from '@svcpath/ruleset';

const empty = { services: [service(WEB)], endpointSlices: [] };
const { text } = renderRules(empty);

describe('loud findings are confirmed by a trace', () => {
  it('SVC_NO_ENDPOINTS carries the traced REJECT as evidence', () => {
    const f = diagnose(input(loadRuleset([{ name: 'node-a.txt', text }]).ruleset!)).findings.find((x) => x.code === 'SVC_NO_ENDPOINTS')!;
    expect(f.severity).toBe('critical');
    expect(f.evidence).toContainEqual(expect.objectContaining({ kind: 'trace', verdict: 'REJECT' }));
  });

  it('a finding the trace contradicts is lowered to info and says so', () => {
    // Someone DNATs the cluster IP in PREROUTING before KUBE-SERVICES: the REJECT is never reached.
    const patched = text.replace(/^(-A PREROUTING .*-j KUBE-SERVICES)$/m, '-A PREROUTING -d 10.96.0.20/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.244.9.9:8080\n$1');
    const f = diagnose(input(loadRuleset([{ name: 'node-a.txt', text: patched }]).ruleset!)).findings.find((x) => x.code === 'SVC_NO_ENDPOINTS')!;
    expect(f.severity).toBe('info');
    expect(f.explanation).toContain('does not show it (the finding says no outcome reaches an endpoint)');
    expect(f.evidence).toContainEqual(expect.objectContaining({ kind: 'trace', verdict: 'DNAT', destination: '10.244.9.9:8080' }));
  });

  it('with the cluster state: the stale endpoint is shown on the traced path', () => {
    const before = { services: [service(WEB)], endpointSlices: [endpointSlice(WEB, [{ ip: '10.244.2.6', node: 'node-c' }], { http: 8080 })] };
    const now = { services: [service(WEB)], endpointSlices: [endpointSlice(WEB, [{ ip: '10.244.3.8', node: 'node-c' }], { http: 8080 })] };
    const f = diagnose(input(renderRules(before).ruleset, now)).findings.find((x) => x.code === 'DRIFT_ENDPOINT_STALE')!;
    expect(f.severity).toBe('critical');
    expect(f.evidence).toContainEqual(expect.objectContaining({ kind: 'trace', verdict: 'DNAT', destination: '10.244.2.6:8080' }));
  });
});
