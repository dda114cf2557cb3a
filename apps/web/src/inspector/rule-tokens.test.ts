import { describe, expect, it } from 'vitest';
import { ruleTokens } from './rule-tokens';

describe('ruleTokens', () => {
  const raw = '-A KUBE-SEP-AMC6G7RNVSZGUJDI -p tcp -m comment --comment "shop/frontend:http" -m tcp -j DNAT --to-destination 10.180.0.4:80';

  it('gives the raw text back when joined', () => {
    expect(ruleTokens(raw).map((t) => t.text).join('')).toBe(raw);
  });

  it('marks options, comments, chains, targets and addresses', () => {
    const kinds = ruleTokens(raw).filter((t) => t.kind !== 'text');
    expect(kinds).toContainEqual({ kind: 'string', text: '"shop/frontend:http"' });
    expect(kinds).toContainEqual({ kind: 'chain', text: 'KUBE-SEP-AMC6G7RNVSZGUJDI' });
    expect(kinds).toContainEqual({ kind: 'target', text: '-j DNAT' });
    expect(kinds).toContainEqual({ kind: 'flag', text: '--to-destination' });
    expect(kinds).toContainEqual({ kind: 'address', text: '10.180.0.4:80' });
  });
});
