import { describe, expect, it } from 'vitest';
import { loadRuleset } from '@svcpath/ruleset';
import { diagnose } from '../diagnose';
import { WEB, endpointSlice, input, pod, renderRules, service, sliceWithPods } from '../scenario.fixture';

const svc = service(WEB);

describe('endpoints check', () => {
  it('SVC_NO_ENDPOINTS: a Service without endpoints, citing kube-proxy\'s REJECT rule', () => {
    const state = { services: [svc], endpointSlices: [endpointSlice(WEB, [], { http: 8080 })] };
    const { ruleset } = renderRules(state);
    const f = diagnose(input(ruleset, state)).findings.find((x) => x.code === 'SVC_NO_ENDPOINTS')!;
    expect(f).toMatchObject({ severity: 'critical', service: 'shop/web:http' });
    const reject = f.evidence.find((e) => e.kind === 'rule');
    expect(reject).toMatchObject({ kind: 'rule', chain: 'filter/KUBE-SERVICES' });
    expect(reject && reject.kind === 'rule' && reject.raw).toMatch(/has no endpoints.*-j REJECT/);
    expect(reject && reject.kind === 'rule' && reject.line).toBeGreaterThan(0);
  });

  it('SVC_NO_ENDPOINTS from the rules alone, without cluster state', () => {
    const { ruleset } = renderRules({ services: [svc], endpointSlices: [] });
    const found = diagnose(input(ruleset)).findings.filter((x) => x.code === 'SVC_NO_ENDPOINTS');
    expect(found.map((f) => f.service)).toEqual(['shop/web:http']);
  });

  it('SVC_NO_READY_ENDPOINTS: names the unready Pods and their failing conditions', () => {
    const slices = [sliceWithPods(WEB, [{ ip: '10.244.1.5', node: 'node-b', ready: false, pod: 'web-1' }, { ip: '10.244.2.6', node: 'node-c', ready: false, pod: 'web-2' }], { http: 8080 })];
    const pods = [
      pod({ ns: 'shop', name: 'web-1', ip: '10.244.1.5', node: 'node-b', labels: { app: 'web' }, ports: [{ containerPort: 8080 }], ready: false }),
      pod({ ns: 'shop', name: 'web-2', ip: '10.244.2.6', node: 'node-c', labels: { app: 'web' }, ports: [{ containerPort: 8080 }], ready: false }),
    ];
    const state = { services: [svc], endpointSlices: slices, pods };
    const { ruleset } = renderRules(state);
    const f = diagnose(input(ruleset, state)).findings.find((x) => x.code === 'SVC_NO_READY_ENDPOINTS')!;
    expect(f.severity).toBe('critical');
    expect(f.explanation).toContain('10.244.1.5 (Pod web-1) is not ready: phase Running, ContainersReady=False, Ready=False');
    expect(f.evidence).toContainEqual({ kind: 'object', ref: 'shop/Pod/web-2', field: 'status.conditions[Ready].status', value: 'False' });
    expect(f.evidence.some((e) => e.kind === 'rule' && /REJECT/.test(e.raw))).toBe(true);
  });

  it('SVC_TERMINATING_ONLY: only serving-and-terminating endpoints left', () => {
    const state = { services: [svc], endpointSlices: [endpointSlice(WEB, [{ ip: '10.244.1.5', node: 'node-b', ready: false, serving: true, terminating: true }], { http: 8080 })] };
    const { ruleset } = renderRules(state);
    const codes = diagnose(input(ruleset, state)).findings.map((x) => [x.code, x.severity]);
    expect(codes).toContainEqual(['SVC_TERMINATING_ONLY', 'warning']);
    expect(codes.map((c) => c[0])).not.toContain('SVC_NO_READY_ENDPOINTS');
  });

  it('DRIFT_EMPTY_LADDER from the rules alone: a KUBE-SVC chain flushed by hand, confirmed by a trace that leaves untranslated', () => {
    const state = { services: [svc], endpointSlices: [endpointSlice(WEB, [{ ip: '10.244.1.5', node: 'node-b' }, { ip: '10.244.2.6', node: 'node-c' }], { http: 8080 })] };
    const { text } = renderRules(state);
    const ladder = /^-A (KUBE-SVC-[A-Z0-9]{16}) /m.exec(text)![1]!;
    // `iptables -t nat -F KUBE-SVC-…`: the chain stays (KUBE-SERVICES still jumps to it), its rules are gone; the KUBE-SEP chains stay.
    const flushed = text.split('\n').filter((l) => !l.startsWith(`-A ${ladder} `)).join('\n');
    const ruleset = loadRuleset([{ name: 'iptables-save.txt', text: flushed }]).ruleset!;
    const found = diagnose(input(ruleset)).findings.filter((x) => x.code === 'DRIFT_EMPTY_LADDER');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'critical', service: 'shop/web:http' });
    expect(found[0]!.title).toBe(`shop/web:http: ${ladder} sends to no endpoint`);
    expect(found[0]!.evidence.some((e) => e.kind === 'rule' && e.chain === 'nat/KUBE-SERVICES' && e.raw.includes(`-j ${ladder}`))).toBe(true);
    expect(found[0]!.evidence.some((e) => e.kind === 'trace')).toBe(true);
    // With its endpoints, a fragment that lacks the KUBE-SEP chains, or the cluster state's view: silent.
    expect(diagnose(input(renderRules(state).ruleset)).findings.filter((x) => x.code === 'DRIFT_EMPTY_LADDER')).toEqual([]);
    const fragment = loadRuleset([{ name: 'iptables-save.txt', text: text.split('\n').filter((l) => !/^(-A|:)KUBE-SEP-/.test(l)).join('\n') }]).ruleset!;
    expect(diagnose(input(fragment)).findings.filter((x) => x.code === 'DRIFT_EMPTY_LADDER')).toEqual([]);
    expect(diagnose(input(ruleset, state)).findings.filter((x) => x.code === 'DRIFT_EMPTY_LADDER')).toEqual([]);
  });

  it('stays silent for a Service with ready endpoints', () => {
    const state = { services: [svc], endpointSlices: [endpointSlice(WEB, [{ ip: '10.244.1.5', node: 'node-b' }], { http: 8080 })] };
    const { ruleset } = renderRules(state);
    expect(diagnose(input(ruleset, state)).findings.filter((x) => x.code.startsWith('SVC_'))).toEqual([]);
    expect(diagnose(input(ruleset)).findings.filter((x) => x.code.startsWith('SVC_'))).toEqual([]);
  });
});
