import { loadRuleset } from '@svcpath/ruleset';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../diagnose';
import { NODE, WEB, endpointSlice, input, pod, renderRules, service, type SvcSpec } from '../scenario.fixture';

const API: SvcSpec = { ns: 'shop', name: 'api', clusterIP: '10.96.0.30', ports: [{ name: 'grpc', port: 9000, targetPort: 9000, protocol: 'TCP' }] };
const client = pod({ ns: 'shop', name: 'client', ip: '10.244.0.7', node: NODE, labels: { app: 'client' } });
const webPods = [pod({ ns: 'shop', name: 'web-1', ip: '10.244.1.5', node: 'node-b', labels: { app: 'web' }, ports: [{ containerPort: 8080 }] })];
const state = {
  services: [service(WEB), service(API)],
  endpointSlices: [endpointSlice(WEB, [{ ip: '10.244.1.5', node: 'node-b' }], { http: 8080 }), endpointSlice(API, [], { grpc: 9000 })],
  pods: [client, ...webPods],
};
const { text, ruleset } = renderRules(state);

describe('flow check (--from / --to)', () => {
  it('FLOW_DELIVERED for a Service that works, focusing the report on it', () => {
    const d = diagnose(input(ruleset, state, { from: 'shop/client', to: 'shop/web' }));
    expect(d.focus).toBe('shop/web');
    expect(d.findings.map((f) => f.code)).toEqual(['FLOW_DELIVERED']);
    expect(d.findings[0]!.title).toBe('100.0% of new connections from Pod shop/client (10.244.0.7) reach an endpoint');
  });

  it('FLOW_BLOCKED by kube-proxy\'s REJECT, with the Service\'s own findings and no others; a source address that is a Pod\'s is named as that Pod', () => {
    const d = diagnose(input(ruleset, state, { from: '10.244.0.7', to: '10.96.0.30:9000' }));
    expect(d.focus).toBe('shop/api');
    expect(d.findings.map((f) => f.code)).toEqual(['FLOW_BLOCKED', 'SVC_SELECTOR_NO_PODS', 'SVC_NO_ENDPOINTS']);
    expect(d.findings[0]!.title).toBe('100.0% of new connections from Pod shop/client (10.244.0.7, on this node) are rejected: kube-proxy found no usable endpoint for the Service');
    expect(d.findings[0]!.evidence[0]).toMatchObject({ kind: 'rule', chain: 'filter/KUBE-SERVICES' });
  });

  it('FLOW_BLOCKED by a stale endpoint the node still DNATs to', () => {
    const moved = { ...state, endpointSlices: [endpointSlice(WEB, [{ ip: '10.244.3.3', node: 'node-c' }], { http: 8080 }), state.endpointSlices[1]!] };
    const f = diagnose(input(ruleset, moved, { from: 'shop/client', to: 'shop/web:http' })).findings.find((x) => x.code === 'FLOW_BLOCKED')!;
    expect(f.title).toContain('go to 10.244.1.5:8080, which is no longer an endpoint');
  });

  it('FLOW_BLOCKED when a Pod hairpins to itself without masquerade', () => {
    const noHairpin = loadRuleset([{ name: 'x.txt', text: text.replace(/^-A KUBE-SEP-\S+ -s 10\.244\.1\.5\/32 .*\n/m, '') }]).ruleset!;
    const f = diagnose(input(noHairpin, state, { from: '10.244.1.5', to: 'shop/web' })).findings;
    expect(f.find((x) => x.code === 'FLOW_BLOCKED')?.title).toContain('hairpin back to it without masquerade');
    expect(f.map((x) => x.code)).toContain('HAIRPIN_NO_MASQUERADE');
  });

  it('FLOW_NOT_A_SERVICE and FLOW_UNKNOWN_TARGET', () => {
    expect(diagnose(input(ruleset, state, { to: '10.0.9.9:80' })).findings.find((x) => x.code === 'FLOW_NOT_A_SERVICE')).toMatchObject({ severity: 'info' });
    expect(diagnose(input(ruleset, state, { to: 'shop/nope' })).findings.map((x) => x.code)).toEqual(['FLOW_UNKNOWN_TARGET']);
    expect(diagnose(input(ruleset, state, { from: 'shop/ghost', to: 'shop/web' })).findings.map((x) => x.code)).toEqual(['FLOW_UNKNOWN_TARGET']);
  });
});
