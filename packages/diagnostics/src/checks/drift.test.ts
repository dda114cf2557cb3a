import { loadRuleset } from '@svcpath/ruleset';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../diagnose';
import { WEB, endpointSlice, input, renderRules, service, type SvcSpec } from '../scenario.fixture';

const API: SvcSpec = { ns: 'shop', name: 'api', clusterIP: '10.96.0.30', ports: [{ name: 'grpc', port: 9000, targetPort: 9000, protocol: 'TCP' }] };
const web = service(WEB);
const api = service(API);
const before = {
  services: [web, api],
  endpointSlices: [
    endpointSlice(WEB, [{ ip: '10.244.1.5', node: 'node-b' }, { ip: '10.244.2.6', node: 'node-c' }], { http: 8080 }),
    endpointSlice(API, [{ ip: '10.244.1.7', node: 'node-b' }], { grpc: 9000 }),
  ],
};
// The node's rules were rendered from `before`; the cluster has moved on.
const { ruleset: staleRules, text: staleText } = renderRules(before);

describe('drift check', () => {
  it('DRIFT_ENDPOINT_MISSING and DRIFT_ENDPOINT_STALE after a rollout the node did not see', () => {
    const after = { ...before, endpointSlices: [endpointSlice(WEB, [{ ip: '10.244.1.5', node: 'node-b' }, { ip: '10.244.3.8', node: 'node-d' }], { http: 8080 }), before.endpointSlices[1]!] };
    const f = diagnose(input(staleRules, after)).findings;
    const missing = f.find((x) => x.code === 'DRIFT_ENDPOINT_MISSING')!;
    expect(missing).toMatchObject({ severity: 'warning', service: 'shop/web:http' });
    expect(missing.explanation).toContain('10.244.3.8:8080');
    expect(missing.evidence[0]).toEqual({ kind: 'object', ref: 'shop/EndpointSlice/web-abcde', field: 'endpoints[].addresses', value: '10.244.3.8' });
    const stale = f.find((x) => x.code === 'DRIFT_ENDPOINT_STALE')!;
    expect(stale).toMatchObject({ severity: 'critical', service: 'shop/web:http' });
    expect(stale.explanation).toContain('10.244.2.6:8080');
    expect(stale.explanation).toContain('50.0% of new connections');
    const rule = stale.evidence.find((e) => e.kind === 'rule');
    expect(rule && rule.kind === 'rule' ? staleText.split('\n')[rule.line - 1] : '').toContain('-> 10.244.2.6:8080');
  });

  it('DRIFT_SERVICE_MISSING, DRIFT_SERVICE_STALE and the kube-proxy-not-syncing summary', () => {
    const NEW: SvcSpec = { ns: 'shop', name: 'cart', clusterIP: '10.96.0.40', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] };
    const after = { services: [web, service(NEW)], endpointSlices: [before.endpointSlices[0]!, endpointSlice(NEW, [{ ip: '10.244.1.9', node: 'node-b' }], { http: 8080 })] };
    const f = diagnose(input(staleRules, after)).findings;
    expect(f[0]).toMatchObject({ code: 'DRIFT_NODE_NOT_SYNCING', severity: 'critical' });
    expect(f.find((x) => x.code === 'DRIFT_SERVICE_MISSING')).toMatchObject({ severity: 'critical', service: 'shop/cart:http' });
    const stale = f.find((x) => x.code === 'DRIFT_SERVICE_STALE')!;
    expect(stale).toMatchObject({ severity: 'warning', service: 'shop/api:grpc' });
    // Its evidence: the KUBE-SERVICES rules whose comment names the port (alone or before a space).
    const entries = [...staleRules.chains.values()].filter((c) => c.name === 'KUBE-SERVICES' || c.name === 'KUBE-NODEPORTS').flatMap((c) => c.rules.filter((r) => r.comment === 'shop/api:grpc' || r.comment?.startsWith('shop/api:grpc ')));
    expect(entries.length).toBeGreaterThan(0);
    expect(stale.evidence.filter((e) => e.kind === 'rule').map((e) => e.kind === 'rule' && e.raw)).toEqual(entries.slice(0, 4).map((r) => r.raw));
  });

  it('DRIFT_ENDPOINT_MISSING is critical when the rules still reject a Service that now has endpoints', () => {
    const empty = { services: [web], endpointSlices: [endpointSlice(WEB, [], { http: 8080 })] };
    const { ruleset } = renderRules(empty);
    const f = diagnose(input(ruleset, { services: [web], endpointSlices: [before.endpointSlices[0]!] })).findings.find((x) => x.code === 'DRIFT_ENDPOINT_MISSING')!;
    expect(f.severity).toBe('critical');
    expect(f.explanation).toContain('still reject');
    expect(f.evidence.some((e) => e.kind === 'rule' && e.raw.includes('REJECT'))).toBe(true);
  });

  it('DRIFT_PROBABILITY: a ladder edited by hand', () => {
    const three = { services: [web], endpointSlices: [endpointSlice(WEB, [{ ip: '10.244.1.5', node: 'node-b' }, { ip: '10.244.2.6', node: 'node-c' }, { ip: '10.244.3.8', node: 'node-d' }], { http: 8080 })] };
    const { text } = renderRules(three);
    expect(text).toContain('--probability 0.33333333349');
    const edited = text.replace('--probability 0.33333333349', '--probability 0.80000000000');
    const rs = loadRuleset([{ name: 'edited.txt', text: edited }]).ruleset!;
    const f = diagnose(input(rs, three)).findings.find((x) => x.code === 'DRIFT_PROBABILITY')!;
    expect(f).toMatchObject({ severity: 'warning', service: 'shop/web:http' });
    expect(f.explanation).toContain('10.244.1.5:8080 80.0%');
  });

  it('DRIFT_AFFINITY: the Service turned ClientIP affinity on, the rules did not follow', () => {
    const sticky = service({ ...WEB, affinitySeconds: 600 });
    const f = diagnose(input(staleRules, { services: [sticky, api], endpointSlices: before.endpointSlices })).findings.find((x) => x.code === 'DRIFT_AFFINITY')!;
    expect(f.title).toContain('(none) differs from the Service (600)');
  });

  it('stays silent when the rules match the cluster', () => {
    expect(diagnose(input(staleRules, before)).findings.filter((x) => x.code.startsWith('DRIFT_'))).toEqual([]);
  });
});
