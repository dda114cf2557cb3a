import { bytesSource, scanIptablesSave } from '@svcpath/parse-iptables';
import { addressConds, actionKind, jumpTarget, natAddress, natDestinations } from '@svcpath/proxy-layout';
import { loadRuleset, type RsChain } from '@svcpath/ruleset';
import { describe, expect, it } from 'vitest';
import { chainLines } from '../chain-lines';
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

describe('hairpin check over a scanned dump', () => {
  // The same chain in a dump whose built-in chains jump into kube-proxy's (no chain assumed), as the
  // CLI's doctor scans a node's iptables-save file: each chain's rules are read when asked for.
  const whole = (masq: string | null) =>
    dump(masq).replace('*nat\n', '*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n:KUBE-POSTROUTING - [0:0]\n-A PREROUTING -j KUBE-SERVICES\n-A OUTPUT -j KUBE-SERVICES\n-A POSTROUTING -j KUBE-POSTROUTING\n-A KUBE-POSTROUTING -j MASQUERADE\n-A KUBE-SERVICES -d 10.96.0.20/32 -p tcp -m comment --comment "shop/web:http cluster IP" -m tcp --dport 80 -j KUBE-SEP-AAAAAAAAAAAAAAAA\n');

  it.each(CASES)('$name: what the parsed dump gives', ({ masq, finding }) => {
    const r = scanIptablesSave(bytesSource(Buffer.from(whole(masq))), { file: 'sep.txt' });
    if ('refused' in r) throw new Error(r.refused);
    const rs = loadRuleset([{ name: 'sep.txt', text: r.head, scanned: r }]).ruleset!;
    expect(chainLines(rs)).not.toBeNull();
    const parsed = loadRuleset([{ name: 'sep.txt', text: whole(masq) }]).ruleset!;
    const check = (ruleset: typeof rs) => checkHairpin(makeContext({ ruleset, nodeName: 'node-a', nodeIPs: ['192.168.0.10'] }));
    expect(check(rs)).toEqual(check(parsed));
    expect(check(rs).length > 0).toBe(finding);
  });
});
