import type { Service } from '@svcpath/k8s-model';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../diagnose';
import { WEB, endpointSlice, input, renderRules, service } from '../scenario.fixture';

const headless: Service = { ...service(WEB), spec: { ...service(WEB).spec, clusterIP: 'None', clusterIPs: ['None'] } };
const external: Service = { metadata: { namespace: 'shop', name: 'payments' }, spec: { type: 'ExternalName', externalName: 'api.payments.example.com' } };

describe('headless and ExternalName Services', () => {
  const state = { services: [headless, external], endpointSlices: [endpointSlice(WEB, [{ ip: '10.244.1.5', node: 'node-b' }], { http: 8080 })] };
  const findings = diagnose(input(renderRules(state).ruleset, state)).findings;

  it('SVC_HEADLESS: no proxying, DNS returns the ready endpoints', () => {
    const f = findings.find((x) => x.code === 'SVC_HEADLESS')!;
    expect(f).toMatchObject({ severity: 'info', service: 'shop/web' });
    expect(f.explanation).toContain('web.shop.svc returns the addresses of its ready endpoints');
  });

  it('SVC_EXTERNAL_NAME: DNS answers with a CNAME', () => {
    expect(findings.find((x) => x.code === 'SVC_EXTERNAL_NAME')?.explanation).toContain('CNAME to api.payments.example.com');
  });

  it('stays silent for a ClusterIP Service, and reports nothing else for these two', () => {
    expect(findings.map((x) => x.code).sort()).toEqual(['SVC_EXTERNAL_NAME', 'SVC_HEADLESS']);
    const plain = { services: [service(WEB)], endpointSlices: state.endpointSlices };
    expect(diagnose(input(renderRules(plain).ruleset, plain)).findings).toEqual([]);
  });
});
