import { describe, expect, it } from 'vitest';
import { compareNames, formatCompactCount, formatCount } from './locale-text';

describe('locale text', () => {
  it('formats counts as toLocaleString("en") does', () => {
    for (const n of [0, 7, 999, 1000, 12_345, 100_000, 1_234_567]) expect(formatCount(n)).toBe(n.toLocaleString('en'));
  });
  it('shortens counts to four characters at most, from 1,000 on', () => {
    expect([0, 5, 999, 1000, 1402, 12_345, 999_999, 1_234_567].map(formatCompactCount)).toEqual(['0', '5', '999', '1K', '1.4K', '12.3K', '1M', '1.2M']);
  });
  it('orders names as localeCompare does, numbers read as numbers', () => {
    const names = ['ns-10', 'ns-2', 'Ns-1', 'kube-system', 'default', 'ns-1', 'a_b', 'a-b', 'ñu', 'nu'];
    expect([...names].sort(compareNames)).toEqual([...names].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })));
    expect(['ns-10', 'ns-100', 'ns-2', 'ns-1'].sort(compareNames)).toEqual(['ns-1', 'ns-2', 'ns-10', 'ns-100']);
  });
});
