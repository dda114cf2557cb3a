import { describe, expect, it } from 'vitest';
import { loadRuleset } from './load';

describe('loadRuleset', () => {
  it('keeps every diagnostic of a dump with hundreds of thousands of bad lines (no argument spread to overflow)', () => {
    const text = `*filter\n:INPUT ACCEPT [0:0]\n${'-A INPUT -m nosuchmatch --frob 1 -j ACCEPT\n'.repeat(200_000)}COMMIT\n`;
    const r = loadRuleset([{ name: 'bad.txt', text }]);
    expect(r.diagnostics.length).toBeGreaterThanOrEqual(200_000);
    expect(r.ruleset?.chains.get('filter/INPUT')?.rules).toHaveLength(200_000);
  });
});
