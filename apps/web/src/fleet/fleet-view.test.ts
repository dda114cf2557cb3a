import { describe, expect, it } from 'vitest';
import type { PortDrift } from './fleet-types';
import { filterDrift, groupProblems, serviceOf, snapshotByNode, traceLink } from './fleet-view';

describe('fleet view', () => {
  it('groups nodes that failed the same way, whatever their Pod names', () => {
    const groups = groupProblems([
      { kind: 'no-digest', node: 'w-2', reason: 'the digest Pod svcpath-nodes/svcpath-digest-w-2-0a1b2c3d did not start within 120000 ms' },
      { kind: 'no-digest', node: 'w-1', reason: 'the digest Pod svcpath-nodes/svcpath-digest-w-1-99aa00ff did not start within 120000 ms' },
      { kind: 'unsupported-mode', node: 'w-9', mode: 'ipvs' },
    ]);
    expect(groups).toEqual([
      { reason: 'the digest Pod svcpath-nodes/svcpath-digest-… did not start within 120000 ms', nodes: ['w-1', 'w-2'] },
      { reason: 'kube-proxy mode ipvs: no per-Service digest', nodes: ['w-9'] },
    ]);
  });

  it('filters Service ports by every word, finds each node\'s newest snapshot, and links to its trace', () => {
    const drift = [{ portName: 'shop/cart:http' }, { portName: 'shop/web:http' }, { portName: 'ops/web:metrics' }] as PortDrift[];
    expect(filterDrift(drift, 'web shop').map((p) => p.portName)).toEqual(['shop/web:http']);
    expect(filterDrift(drift, '  ')).toBe(drift);
    const by = snapshotByNode([
      { id: 'a', node: 'w-1', takenAt: '2026-01-01T00:00:00Z' },
      { id: 'b', node: 'w-1', takenAt: '2026-01-02T00:00:00Z' },
    ]);
    expect(by.get('w-1')).toBe('b');
    expect(serviceOf('shop/web:http')).toBe('shop/web');
    expect(traceLink('b', 'shop/web:http')).toBe('/?snapshot=b&service=shop/web');
  });
});
