import { describe, expect, it } from 'vitest';
import { renderIptablesRules } from './render-iptables';
import { generateScaleCluster } from './scale-cluster';

describe('generateScaleCluster', () => {
  it('is deterministic per seed and mixes the Service kinds the benchmark needs', () => {
    const a = generateScaleCluster({ services: 400, endpointsPerService: 4, seed: 7 });
    expect(generateScaleCluster({ services: 400, endpointsPerService: 4, seed: 7 })).toEqual(a);
    expect(generateScaleCluster({ services: 400, endpointsPerService: 4, seed: 8 })).not.toEqual(a);
    const types = new Set(a.services.map((s) => s.spec.type));
    expect(types).toEqual(new Set(['ClusterIP', 'NodePort', 'LoadBalancer']));
    expect(a.services.some((s) => s.spec.sessionAffinity === 'ClientIP')).toBe(true);
    expect(a.services.some((s) => s.spec.externalTrafficPolicy === 'Local')).toBe(true);
    expect(a.endpointSlices.length).toBeLessThan(a.services.length);
  });

  it('renders without problems', () => {
    const c = generateScaleCluster({ services: 200, endpointsPerService: 3, seed: 1 });
    const r = renderIptablesRules(c, { nodeName: c.nodeName, clusterCIDR: c.clusterCIDR });
    expect(r.notes).toEqual([]);
    expect(r.tables[1]!.chains.filter((ch) => ch.startsWith('KUBE-SEP-')).length).toBeGreaterThan(300);
  });
});
