import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comparePlainNames, compareNames, formatCompactCount, formatCount } from './locale-text';

const sign = (n: number) => Math.sign(n);

describe('locale text', () => {
  it('formats counts as toLocaleString("en") does', () => {
    for (const n of [0, 7, 999, 1000, 12_345, 100_000, 1_234_567, -1, -1000, -987_654_321, 2 ** 53 - 1, 0.5, 1234.5678, -0.25]) expect(formatCount(n), String(n)).toBe(n.toLocaleString('en'));
    fc.assert(fc.property(fc.integer({ min: -1e12, max: 1e12 }), (n) => formatCount(n) === n.toLocaleString('en')));
  });
  it('shortens counts to four characters at most, from 1,000 on', () => {
    expect([0, 5, 999, 1000, 1402, 12_345, 999_999, 1_234_567].map(formatCompactCount)).toEqual(['0', '5', '999', '1K', '1.4K', '12.3K', '1M', '1.2M']);
  });
  it('orders names as localeCompare does, numbers read as numbers', () => {
    const names = ['ns-10', 'ns-2', 'Ns-1', 'kube-system', 'default', 'ns-1', 'a_b', 'a-b', 'ñu', 'nu', 'ns-01', 'a.b', 'a0', 'a00'];
    expect([...names].sort(compareNames)).toEqual([...names].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })));
    expect(['ns-10', 'ns-100', 'ns-2', 'ns-1'].sort(compareNames)).toEqual(['ns-1', 'ns-2', 'ns-10', 'ns-100']);
  });
  it('orders plain names by hand as an English collator does', () => {
    // Kubernetes names (lower-case letters, digits, '-', '.'), numbers without leading zeros.
    const collator = new Intl.Collator('en', { numeric: true });
    const chunk = fc.oneof(fc.constantFrom('-', '.', '0', 'a', 'b', 'ns', 'worker', 'z'), fc.integer({ min: 1, max: 120_000 }).map(String));
    const name = fc.array(chunk, { maxLength: 6 }).map((parts) => parts.join('').replace(/(^|[^0-9])0+(?=[0-9])/g, '$1'));
    fc.assert(
      fc.property(name, name, (a, b) => {
        expect(sign(comparePlainNames(a, b)), `${a} vs ${b}`).toBe(sign(collator.compare(a, b)));
      }),
      { numRuns: 5000 },
    );
    for (const [a, b] of [['ns-9', 'ns-10'], ['a-b', 'a.b'], ['a.b', 'a0'], ['a9', 'aa'], ['', 'a'], ['ns-1', 'ns-1'], ['ns-1', 'ns-1-a'], ['10', '9a']] as const) expect(sign(comparePlainNames(a, b)), `${a} vs ${b}`).toBe(sign(collator.compare(a, b)));
  });
});
