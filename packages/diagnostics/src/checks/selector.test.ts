import { describe, expect, it } from 'vitest';
import { diagnose } from '../diagnose';
import { WEB, endpointSlice, input, pod, renderRules, service, type SvcSpec } from '../scenario.fixture';

const webPod = (over: Partial<Parameters<typeof pod>[0]> = {}) =>
  pod({ ns: 'shop', name: 'web-1', ip: '10.244.1.5', node: 'node-b', labels: { app: 'web' }, ports: [{ name: 'http', containerPort: 8080 }], ...over });

function run(spec: SvcSpec, pods: ReturnType<typeof pod>[], withEndpoints = true) {
  const svc = service(spec);
  const state = { services: [svc], endpointSlices: [endpointSlice(spec, withEndpoints ? [{ ip: '10.244.1.5', node: 'node-b' }] : [], { http: 8080 })], pods };
  return diagnose(input(renderRules(state).ruleset, state)).findings;
}

describe('selector and targetPort checks', () => {
  it('SVC_SELECTOR_NO_PODS: a selector no running Pod carries (after a relabel)', () => {
    const f = run(WEB, [webPod({ labels: { app: 'web-v2', tier: 'front' } }), webPod({ name: 'db-1', labels: { role: 'db' }, ip: '10.244.1.9' })], false);
    const sel = f.find((x) => x.code === 'SVC_SELECTOR_NO_PODS')!;
    expect(sel).toMatchObject({ severity: 'critical', service: 'shop/web' });
    expect(sel.evidence[0]).toEqual({ kind: 'object', ref: 'shop/Service/web', field: 'spec.selector', value: '{"app":"web"}' });
    // No Pod carries app=web, so none is "near"; the explanation still says the selector matches nothing.
    expect(sel.explanation).toContain('matches no running Pod');
    expect(f.map((x) => x.code)).toContain('SVC_NO_ENDPOINTS');
  });

  it('SVC_SELECTOR_NO_PODS lists near misses sharing a label', () => {
    const svc = service(WEB);
    const pods = [webPod({ labels: { app: 'web', track: 'canary' } })];
    const withTrack = { ...svc, spec: { ...svc.spec, selector: { app: 'web', track: 'stable' } } };
    const state = { services: [withTrack], endpointSlices: [], pods };
    const f = diagnose(input(renderRules(state).ruleset, state)).findings.find((x) => x.code === 'SVC_SELECTOR_NO_PODS')!;
    expect(f.explanation).toContain('web-1 (app=web,track=canary)');
  });

  it('SVC_TARGET_PORT_NOT_FOUND: a named targetPort no container declares is critical', () => {
    const spec: SvcSpec = { ...WEB, ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }] };
    const f = run(spec, [webPod()], false).find((x) => x.code === 'SVC_TARGET_PORT_NOT_FOUND')!;
    expect(f).toMatchObject({ severity: 'critical', service: 'shop/web:http' });
    expect(f.title).toContain('named "web"');
  });

  it('SVC_TARGET_PORT_NOT_FOUND: a numeric targetPort the Pods do not declare is a warning', () => {
    const spec: SvcSpec = { ...WEB, ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }] };
    const f = run(spec, [webPod()]).find((x) => x.code === 'SVC_TARGET_PORT_NOT_FOUND')!;
    expect(f.severity).toBe('warning');
    expect(f.explanation).toContain('declare 8080');
  });

  it('SVC_PROTOCOL_MISMATCH: a UDP Service port on a TCP container port', () => {
    const spec: SvcSpec = { ...WEB, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'UDP' }] };
    const f = run(spec, [webPod()]).find((x) => x.code === 'SVC_PROTOCOL_MISMATCH')!;
    expect(f).toMatchObject({ severity: 'warning' });
    expect(f.title).toBe('shop/web:http is UDP but the Pods\' port 8080 is TCP');
  });

  it('stays silent when selector, targetPort and protocol agree (by name and by number)', () => {
    expect(run(WEB, [webPod()]).filter((x) => x.code.startsWith('SVC_'))).toEqual([]);
    const named: SvcSpec = { ...WEB, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] };
    expect(run(named, [webPod()]).filter((x) => x.code.startsWith('SVC_'))).toEqual([]);
    // A numeric targetPort need not be declared when the Pod declares no ports at all.
    expect(run(WEB, [webPod({ ports: [] })]).filter((x) => x.code.startsWith('SVC_'))).toEqual([]);
  });
});
