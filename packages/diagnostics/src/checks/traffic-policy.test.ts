import { describe, expect, it } from 'vitest';
import { diagnose } from '../diagnose';
import { NODE, WEB, endpointSlice, input, renderRules, service, type SvcSpec } from '../scenario.fixture';

function run(spec: SvcSpec, node: string) {
  const state = { services: [service(spec)], endpointSlices: [endpointSlice(spec, [{ ip: '10.244.1.5', node }], { http: 8080 })] };
  return diagnose(input(renderRules(state).ruleset, state)).findings;
}

const nodePortLocal: SvcSpec = { ...WEB, type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }], externalTrafficPolicy: 'Local' };
const lbLocal: SvcSpec = { ...nodePortLocal, type: 'LoadBalancer', loadBalancerIPs: ['203.0.113.10'], healthCheckNodePort: 32000 };

describe('traffic policy check', () => {
  it('POLICY_EXTERNAL_NO_LOCAL: a NodePort with eTP Local and no endpoint here is a warning, citing the DROP', () => {
    const f = run(nodePortLocal, 'node-b').find((x) => x.code === 'POLICY_EXTERNAL_NO_LOCAL')!;
    expect(f).toMatchObject({ severity: 'warning', service: 'shop/web:http' });
    expect(f.explanation).toContain('its endpoints run on node-b');
    expect(f.evidence.some((e) => e.kind === 'rule' && /has no local endpoints.*--dport 30080 -j DROP/.test(e.raw))).toBe(true);
  });

  it('POLICY_EXTERNAL_NO_LOCAL is only info for a LoadBalancer whose health check steers traffic away', () => {
    const f = run(lbLocal, 'node-b').find((x) => x.code === 'POLICY_EXTERNAL_NO_LOCAL')!;
    expect(f.severity).toBe('info');
    expect(f.explanation).toContain('health check on NodePort 32000');
  });

  it('POLICY_INTERNAL_NO_LOCAL: internalTrafficPolicy Local without a local endpoint', () => {
    const f = run({ ...WEB, internalTrafficPolicy: 'Local' }, 'node-b').find((x) => x.code === 'POLICY_INTERNAL_NO_LOCAL')!;
    expect(f).toMatchObject({ severity: 'warning' });
    expect(f.evidence.some((e) => e.kind === 'rule' && /-d 10.96.0.20\/32.*has no local endpoints.*-j DROP/.test(e.raw))).toBe(true);
  });

  it('stays silent when this node runs an endpoint, or the policy is Cluster', () => {
    expect(run(nodePortLocal, NODE).filter((x) => x.code.startsWith('POLICY_'))).toEqual([]);
    expect(run({ ...WEB, internalTrafficPolicy: 'Local' }, NODE).filter((x) => x.code.startsWith('POLICY_'))).toEqual([]);
    expect(run({ ...nodePortLocal, externalTrafficPolicy: 'Cluster' }, 'node-b').filter((x) => x.code.startsWith('POLICY_'))).toEqual([]);
  });
});
