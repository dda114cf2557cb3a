import { describe, expect, it } from 'vitest';
import type { PortDrift } from './fleet-types';
import { filterDrift, serviceOf, snapshotByNode, traceLink } from './fleet-view';

describe('fleet view', () => {
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
