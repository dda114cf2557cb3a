import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IptablesDump, Match } from './ast';
import { parseIptablesSave } from './parse';

// Kernel-printed pairs: fixtures/listings/make-pairs.sh restored rules.iptables-save into a network
// namespace and printed the same rules as iptables-save and as `iptables -L` in three shapes.
const dir = join(__dirname, 'fixtures', 'listings');
const read = (f: string) => readFileSync(join(dir, f), 'utf8');

/** Each chain's rules as what they mean: matches (order-free), target, policy. */
function meaning(dump: IptablesDump, table: string, keep: (m: Match) => boolean = () => true) {
  const t = dump.tables.get(table)!;
  return Object.fromEntries(
    [...t.chains.values()].map((c) => [
      c.name,
      { policy: c.policy, rules: c.rules.map((r) => ({ matches: r.matches.filter(keep).map((m) => JSON.stringify(m)).sort(), target: r.target })) },
    ]),
  );
}

describe('iptables -L listings read back as the iptables-save of the same rules (kernel-printed pairs)', () => {
  const save = parseIptablesSave(read('kernel.iptables-save'), { file: 'kernel.iptables-save' });
  for (const table of ['nat', 'filter'])
    for (const shape of ['L-n-v', 'L-n-v-line-numbers-x', 'L-n']) {
      const file = `kernel-${table}-${shape}.txt`;
      it(file, () => {
        const r = parseIptablesSave(`$ iptables -t ${table} -L -n\n${read(file)}`, { file });
        expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        if (shape !== 'L-n') expect(meaning(r.dump, table)).toEqual(meaning(save.dump, table));
        else {
          // Without -v iptables prints no interfaces: the same rules less their -i/-o, and a warning.
          expect(meaning(r.dump, table)).toEqual(meaning(save.dump, table, (m) => m.kind !== 'iface'));
          expect(r.diagnostics.some((d) => d.code === 'IPT_LISTING_UNREAD' && /no interfaces/.test(d.message))).toBe(true);
        }
      });
    }

  it('counters: -v gives K/M-rounded counts, -x exact ones', () => {
    const text = [
      'Chain KUBE-SERVICES (2 references)',
      ' pkts bytes target     prot opt in     out     source               destination',
      ' 3102  597K KUBE-SVC-X  tcp  --  *      *       0.0.0.0/0            10.32.0.251          /* default/nginx cluster IP */ tcp dpt:80',
    ].join('\n');
    const r = parseIptablesSave(text, { file: 'p' });
    const rule = r.dump.tables.get('nat')!.chains.get('KUBE-SERVICES')!.rules[0]!;
    expect(rule.counters).toEqual({ packets: 3102, bytes: 597000 });
    expect(rule.target).toMatchObject({ kind: 'jump', chain: 'KUBE-SVC-X' });
  });

  it('keeps listing text no reader understands, reported with its line, instead of dropping it', () => {
    const text = [
      '$ iptables -L FORWARD -n -v',
      'Chain FORWARD (policy DROP 0 packets, 0 bytes)',
      ' pkts bytes target     prot opt in     out     source               destination',
      '    0     0 ACCEPT     all  --  *      *       0.0.0.0/0            0.0.0.0/0            owner UID match 1000',
    ].join('\n');
    const r = parseIptablesSave(text, { file: 'p' });
    expect(r.diagnostics.map((d) => [d.code, d.span.line])).toContainEqual(['IPT_LISTING_UNREAD', 4]);
    expect(r.diagnostics.some((d) => d.code === 'IPT_UNKNOWN_MATCH')).toBe(false);
    const rule = r.dump.tables.get('filter')!.chains.get('FORWARD')!.rules[0]!;
    expect(rule.matches.some((m) => m.kind === 'unknown')).toBe(true);
  });

  it('reads old iptables names: all/tcp protocols, anywhere, service names, empty targets, [goto]', () => {
    const text = [
      'Chain KUBE-SERVICES (2 references)',
      'target     prot opt source               destination',
      'KUBE-SVC-X  tcp  --  anywhere             10.32.0.251          /* default/nginx cluster IP */ tcp dpt:http',
      '           all  --  10.0.0.0/8           anywhere',
      'KUBE-SVC-Y  all  --  0.0.0.0/0            0.0.0.0/0            [goto] /* g */',
    ].join('\n');
    const r = parseIptablesSave(text, { file: 'p' });
    const rules = r.dump.tables.get('nat')!.chains.get('KUBE-SERVICES')!.rules;
    expect(rules.map((x) => x.raw)).toEqual([
      '-A KUBE-SERVICES -d 10.32.0.251/32 -p tcp -m comment --comment "default/nginx cluster IP" -m tcp --dport 80 -j KUBE-SVC-X',
      '-A KUBE-SERVICES -s 10.0.0.0/8',
      '-A KUBE-SERVICES -m comment --comment g -g KUBE-SVC-Y',
    ]);
  });

  it('ip6tables listings (printed by ip6tables 1.8.9 in a network namespace): ::/0, bare hosts, [addr]:port', () => {
    const text = [
      '# ip6tables -t nat -L KUBE-SVC-X -n -v',
      'Chain KUBE-SVC-X (0 references)',
      ' pkts bytes target     prot opt in     out     source               destination         ',
      '    0     0 DNAT       6    --  *      *       fd00::5              ::/0                 /* a -> [fd00::5]:80 */ to:[fd00::5]:80',
    ].join('\n');
    const r = parseIptablesSave(text, { file: 'p' });
    expect(r.dump.family).toBe(6);
    const rule = r.dump.tables.get('nat')!.chains.get('KUBE-SVC-X')!.rules[0]!;
    expect(rule.raw).toBe('-A KUBE-SVC-X -s fd00::5/128 -p tcp -m comment --comment "a -> [fd00::5]:80" -j DNAT --to-destination [fd00::5]:80');
    expect(rule.target).toMatchObject({ kind: 'DNAT' });
  });
});

