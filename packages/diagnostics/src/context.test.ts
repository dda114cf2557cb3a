import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRuleset, type Ruleset } from '@svcpath/ruleset';
import { describe, expect, it } from 'vitest';
import { noEndpointRules } from './context';

// kube-proxy's own expected dumps (packages/tracer/src/fixtures/kube-proxy-conformance, Apache-2.0):
// REJECTs for ports without endpoints and DROPs for ports without local ones, in several chains.
const DIR = join(import.meta.dirname, '../../tracer/src/fixtures/kube-proxy-conformance');
const load = (c: string) => loadRuleset([{ name: c, text: readFileSync(join(DIR, c, 'iptables-save.txt'), 'utf8') }]).ruleset!;

/** Every rule whose comment is exactly `comment`, in chain then rule order, by walking them all. */
function walkAll(rs: Ruleset, comment: string) {
  return [...rs.chains.values()].flatMap((chain) => chain.rules.filter((r) => r.comment === comment).map((rule) => ({ chain, rule })));
}

describe('noEndpointRules', () => {
  for (const c of ['iptables-TestOverallIPTablesRules', 'iptables-TestTracePacket', 'iptables-TestBadIPs'])
    it(`finds what walking every rule finds (${c})`, () => {
      const rs = load(c);
      const ports = [...rs.chains.values()].flatMap((ch) => ch.rules.map((r) => /^(\S+) has no (?:local )?endpoints$/.exec(r.comment ?? '')?.[1])).filter((p): p is string => p !== undefined);
      for (const port of [...new Set(ports), 'ns1/nothing:p80']) {
        expect(noEndpointRules(rs, port, 'none')).toEqual(walkAll(rs, `${port} has no endpoints`));
        expect(noEndpointRules(rs, port, 'local')).toEqual(walkAll(rs, `${port} has no local endpoints`));
      }
    });

  it('finds kube-proxy\'s REJECT and DROP rules of the overall dump', () => {
    const rs = load('iptables-TestOverallIPTablesRules');
    expect(noEndpointRules(rs, 'ns6/svc6:p80', 'none').length).toBeGreaterThan(0);
    expect(noEndpointRules(rs, 'ns2/svc2:p80', 'local').map((r) => r.rule.action?.kind)).toContain('DROP');
  });
});
