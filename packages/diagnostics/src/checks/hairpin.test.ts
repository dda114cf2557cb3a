import { addressConds, actionKind, jumpTarget, natAddress, natDestinations } from '@svcpath/proxy-layout';
import { loadRuleset, type RsChain } from '@svcpath/ruleset';
import { describe, expect, it } from 'vitest';
import { makeContext } from '../context';
import { checkHairpin, marksAsWritten } from './hairpin';

// KUBE-SEP chains written by hand in kube-proxy's layout (pkg/proxy/iptables/proxier.go writes
// `-s <endpoint>/32 [-m comment …] -j KUBE-MARK-MASQ` before the DNAT), and edited ones.
const DNAT = '-p tcp -m comment --comment "shop/web:http" -m tcp -j DNAT --to-destination 10.244.1.5:8080';
const CASES: { name: string; masq: string | null; told: boolean; finding: boolean }[] = [
  { name: 'as kube-proxy writes it, with its comment', masq: '-s 10.244.1.5/32 -m comment --comment "shop/web:http" -j KUBE-MARK-MASQ', told: true, finding: false },
  { name: 'as kube-proxy writes it, no comment', masq: '-s 10.244.1.5/32 -j KUBE-MARK-MASQ', told: true, finding: false },
  { name: 'comment as one word', masq: '-s 10.244.1.5/32 -m comment --comment shop/web:http -j KUBE-MARK-MASQ', told: true, finding: false },
  { name: 'no hairpin rule', masq: null, told: false, finding: true },
  { name: 'negated source', masq: '! -s 10.244.1.5/32 -j KUBE-MARK-MASQ', told: false, finding: true },
  { name: 'another address', masq: '-s 10.244.1.50/32 -j KUBE-MARK-MASQ', told: false, finding: true },
  { name: 'a wider source', masq: '-s 10.244.1.0/24 -j KUBE-MARK-MASQ', told: false, finding: true },
  { name: 'a goto, not a jump', masq: '-s 10.244.1.5/32 -g KUBE-MARK-MASQ', told: false, finding: true },
  { name: 'more matches than kube-proxy writes', masq: '-s 10.244.1.5/32 -p tcp -j KUBE-MARK-MASQ', told: false, finding: false },
  { name: 'an address with a leading zero', masq: '-s 10.244.1.05/32 -j KUBE-MARK-MASQ', told: false, finding: true },
];

function dump(masq: string | null): string {
  const sep = 'KUBE-SEP-AAAAAAAAAAAAAAAA';
  return ['*nat', `:${sep} - [0:0]`, ':KUBE-MARK-MASQ - [0:0]', ...(masq ? [`-A ${sep} ${masq}`] : []), `-A ${sep} ${DNAT}`, 'COMMIT', ''].join('\n');
}

/** The check as it reads every rule's addresses, for comparison. */
function marksByReading(chain: RsChain): boolean {
  const dnat = chain.rules.find((r) => natDestinations(r) !== null)!;
  const to = natAddress(dnat)!;
  return chain.rules.some((r) => jumpTarget(r) === 'KUBE-MARK-MASQ' && actionKind(r) === 'jump' && addressConds(r).some((c) => c.dir === 'src' && !c.negate && c.cidr.text.replace(/\/\d+$/, '') === to.text));
}

describe('hairpin check', () => {
  it.each(CASES)('$name', ({ masq, told, finding }) => {
    const rs = loadRuleset([{ name: 'sep.txt', text: dump(masq) }]).ruleset!;
    const chain = rs.chains.get('nat/KUBE-SEP-AAAAAAAAAAAAAAAA')!;
    const dnat = chain.rules.find((r) => natDestinations(r) !== null)!;
    expect(marksAsWritten(chain, dnat)).toBe(told);
    // Told from the line only when reading the addresses says so too; the finding follows the reading.
    if (told) expect(marksByReading(chain)).toBe(true);
    const found = checkHairpin(makeContext({ ruleset: rs, nodeName: 'node-a', nodeIPs: ['192.168.0.10'] })).map((f) => f.code);
    expect(found).toEqual(marksByReading(chain) ? [] : ['HAIRPIN_NO_MASQUERADE']);
    expect(found.length > 0).toBe(finding);
  });
});
