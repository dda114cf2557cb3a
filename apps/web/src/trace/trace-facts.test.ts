import { describe, expect, it } from 'vitest';
import type { TraceSource } from '../api/types';
import { describeSource, staleEndpoints } from './trace-facts';

const sources: TraceSource[] = [
  { kind: 'pod', name: 'shop/web-1', ip: '10.180.0.9', node: 'worker-1', hostNetwork: false },
  { kind: 'pod', name: 'shop/web-2', ip: '10.180.1.10', node: 'worker-2', hostNetwork: false },
  { kind: 'node', name: 'worker-2', ip: '192.168.0.3', node: 'worker-2', hostNetwork: true },
];

describe('describeSource', () => {
  it('names a Pod on this node as such, not as traffic from outside', () => {
    expect(describeSource('10.180.0.9', 'external', sources, 'worker-1')).toBe('from Pod shop/web-1 on this node, entering through its veth (PREROUTING hook)');
    expect(describeSource('10.180.1.10', 'external', sources, 'worker-1')).toBe('from Pod shop/web-2 on node worker-2, arriving over the network (PREROUTING hook)');
    expect(describeSource('192.168.0.3', 'external', sources, 'worker-1')).toBe('from node worker-2, arriving over the network (PREROUTING hook)');
    expect(describeSource('203.0.113.2', 'external', sources, 'worker-1')).toMatch(/^from a client outside the cluster state/);
    expect(describeSource('192.168.0.2', 'node', sources, 'worker-1')).toBe('sent by the node itself (OUTPUT hook)');
  });
});

describe('staleEndpoints', () => {
  it('reads the stale endpoint from the KUBE-SVC rule cited by DRIFT_ENDPOINT_STALE', () => {
    const raw = '-A KUBE-SVC-PY4JZH2ITZYEO4CN -m comment --comment "shop/frontend:http -> 10.180.1.9:80" -j KUBE-SEP-G6QSOTUB4WYI2ZK4';
    const m = staleEndpoints([{ code: 'DRIFT_ENDPOINT_STALE', evidence: [{ kind: 'rule', raw }] }, { code: 'FLOW_DELIVERED', evidence: [{ kind: 'rule', raw }] }]);
    expect([...m]).toEqual([['10.180.1.9:80', 'shop/frontend:http']]);
  });
});
