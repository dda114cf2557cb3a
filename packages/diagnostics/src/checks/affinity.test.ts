import { describe, expect, it } from 'vitest';
import { diagnose } from '../diagnose';
import { WEB, endpointSlice, input, renderRules, service, type EpSpec, type SvcSpec } from '../scenario.fixture';

function run(spec: SvcSpec, eps: EpSpec[], withState = true) {
  const state = { services: [service(spec)], endpointSlices: [endpointSlice(spec, eps, { http: 8080 })] };
  const { ruleset } = renderRules(state);
  return diagnose(input(ruleset, withState ? state : undefined)).findings;
}

const one = [{ ip: '10.244.1.5', node: 'node-b' }];
const two = [...one, { ip: '10.244.2.6', node: 'node-c' }];

describe('session affinity check', () => {
  it('AFFINITY_SINGLE_ENDPOINT, citing the recent --rcheck rule', () => {
    const f = run({ ...WEB, affinitySeconds: 10800 }, one).find((x) => x.code === 'AFFINITY_SINGLE_ENDPOINT')!;
    expect(f).toMatchObject({ severity: 'info', service: 'shop/web:http' });
    expect(f.explanation).toContain('last 3 h');
    expect(f.evidence.some((e) => e.kind === 'rule' && /--rcheck --seconds 10800/.test(e.raw))).toBe(true);
  });

  it('AFFINITY_UNEVEN_LOAD with several endpoints, also from the rules alone', () => {
    expect(run({ ...WEB, affinitySeconds: 600 }, two).map((x) => x.code)).toContain('AFFINITY_UNEVEN_LOAD');
    const f = run({ ...WEB, affinitySeconds: 600 }, two, false).find((x) => x.code === 'AFFINITY_UNEVEN_LOAD')!;
    expect(f.explanation).toContain('for 600 s');
  });

  it('stays silent without session affinity', () => {
    expect(run(WEB, two).filter((x) => x.code.startsWith('AFFINITY_'))).toEqual([]);
  });
});
