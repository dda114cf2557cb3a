import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainKindOf } from './chain-kind';

/** kube-proxy's per-Service chain names as pkg/proxy/iptables writes them: the regular expression reading. */
const PER_SERVICE = /^KUBE-(SVC|SVL|EXT|FW|XLB|SEP)-[A-Z0-9]{16}$/;
const KINDS: Record<string, string> = { SVC: 'svc', SVL: 'svl', EXT: 'ext', FW: 'fw', XLB: 'xlb', SEP: 'sep' };

describe('chainKindOf', () => {
  it('names kube-proxy chains by kind', () => {
    expect(chainKindOf('KUBE-SVC-AJJWZU5D63JV44ZN')).toBe('svc');
    expect(chainKindOf('KUBE-SEP-NN6Y5K55YGDJJXLL')).toBe('sep');
    expect(chainKindOf('KUBE-FW-NN6Y5K55YGDJJXLL')).toBe('fw');
    expect(chainKindOf('KUBE-SERVICES')).toBe('services');
    expect(chainKindOf('KUBE-MARK-MASQ')).toBe('mark-masq');
    expect(chainKindOf('KUBE-SEP-nn6Y5K55YGDJJXLL')).toBe('other');
    expect(chainKindOf('KUBE-SEPX-NN6Y5K55YGDJJXLL')).toBe('other');
    expect(chainKindOf('PREROUTING')).toBe('builtin');
  });

  it('reads per-Service names as the regular expression does', () => {
    const word = fc.constantFrom('SVC', 'SVL', 'EXT', 'FW', 'XLB', 'SEP', 'SEPX', '', 'svc', 'MARK', 'constructor', '__proto__');
    const hash = fc.string({ unit: fc.constantFrom(...'AZ09az-_/.'.split('')), minLength: 14, maxLength: 18 });
    fc.assert(
      fc.property(fc.constantFrom('KUBE-', 'KUBE', 'kube-', 'XUBE-'), word, hash, (head, w, h) => {
        const name = `${head}${w}-${h}`;
        const m = PER_SERVICE.exec(name);
        if (m) expect(chainKindOf(name)).toBe(KINDS[m[1]!]);
        else expect(['svc', 'svl', 'ext', 'fw', 'xlb', 'sep']).not.toContain(chainKindOf(name));
      }),
      { numRuns: 5_000 },
    );
  });
});
