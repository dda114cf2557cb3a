/**
 * The Service catalogue of a whole dump is read through rule shapes (parse-iptables' LazyRule:
 * jumps, comments, DNAT destinations and condition questions told once per shape), not rule bodies.
 * It must equal the catalogue read from every rule's full parse. Dumps: the kube-proxy conformance
 * fixtures (packages/tracer/src/fixtures, kube-proxy's own expected outputs) and clusters generated
 * by kube-proxy-sim (the generator behind the 10,000-Service benchmark dump, at test size).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateScaleCluster, renderIptablesSave } from '@svcpath/kube-proxy-sim';
import { bytesSource, scanIptablesSave } from '@svcpath/parse-iptables';
import { loadRuleset, type RsChain, type Ruleset } from '@svcpath/ruleset';
import { describe, expect, it, vi } from 'vitest';
import { affinitySeconds, isAffinityCheck, ladderShares } from './ladder';
import { serviceCatalog } from './service-catalog';
import { serviceChains } from './service-names';

const CONFORMANCE = join(import.meta.dirname, '..', '..', 'tracer', 'src', 'fixtures', 'kube-proxy-conformance');

/** The same rules as plain objects read in full: no shortcut (jump, jump graph, shape, DNAT words) to take. */
function fullReading(rs: Ruleset): Ruleset {
  const chains = new Map<string, RsChain>();
  for (const [id, c] of rs.chains)
    chains.set(id, { ...c, rules: c.rules.map((r) => ({ index: r.index, span: r.span, raw: r.raw, conds: r.conds, action: r.action, comment: r.comment, ...(r.extra ? { extra: r.extra } : {}) })) });
  const { jumpGraph: _byNumber, ...rest } = rs;
  return { ...rest, chains };
}

const load = (name: string, text: string, lazy = false) => loadRuleset([{ name, text }], { lazy }).ruleset!;

/** The dump scanned in memory (parse-iptables' scan.ts), as the CLI reads a node's one dump. */
function scanned(name: string, text: string): Ruleset {
  const r = scanIptablesSave(bytesSource(Buffer.from(text, 'utf8')), { file: name });
  if ('refused' in r) throw new Error(r.refused);
  return loadRuleset([{ name, text: r.head, scanned: r }]).ruleset!;
}

/**
 * Entry rules kube-proxy does not write (hand-edited): two ports, a range, a network, a negated
 * address, no port; the catalogue of a scanned dump must read them as the rules say, not as the
 * scan's one-address, one-port keys would.
 */
const ODD_ENTRIES = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]
:KUBE-SVC-BBBBBBBBBBBBBBBB - [0:0]
:KUBE-SVC-CCCCCCCCCCCCCCCC - [0:0]
:KUBE-SEP-DDDDDDDDDDDDDDDD - [0:0]
-A PREROUTING -j KUBE-SERVICES
-A OUTPUT -j KUBE-SERVICES
-A POSTROUTING -j KUBE-POSTROUTING
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "ns/a:http cluster IP" -m multiport --dports 8080,80 -j KUBE-SVC-AAAAAAAAAAAAAAAA
-A KUBE-SERVICES -d 10.96.0.11/32 -p tcp -m comment --comment "ns/b:http cluster IP" -m tcp --dport 81:89 -j KUBE-SVC-BBBBBBBBBBBBBBBB
-A KUBE-SERVICES -d 10.96.0.0/24 -p tcp -m comment --comment "ns/c:http cluster IP" -m tcp --dport 82 -j KUBE-SVC-CCCCCCCCCCCCCCCC
-A KUBE-SERVICES ! -d 10.96.0.12/32 -p tcp -m comment --comment "ns/c:http external IP" -m tcp --dport 83 -j KUBE-SVC-CCCCCCCCCCCCCCCC
-A KUBE-SERVICES -d 10.96.0.13/32 -p udp -m comment --comment "ns/b:http cluster IP" -j KUBE-SVC-BBBBBBBBBBBBBBBB
-A KUBE-SERVICES -d 10.96.0.14/32 -p tcp -m comment --comment "ns/d:http cluster IP" -m multiport --dports 1,2 -m tcp --dport 84 -j KUBE-SVC-CCCCCCCCCCCCCCCC
-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-NODEPORTS -p tcp -m comment --comment "ns/a:http" -m tcp --dport 30080 -j KUBE-SVC-AAAAAAAAAAAAAAAA
-A KUBE-SVC-AAAAAAAAAAAAAAAA -m comment --comment "ns/a:http -> 10.244.0.5:8080" -j KUBE-SEP-DDDDDDDDDDDDDDDD
-A KUBE-SVC-BBBBBBBBBBBBBBBB -j KUBE-SEP-DDDDDDDDDDDDDDDD
-A KUBE-SVC-CCCCCCCCCCCCCCCC -j KUBE-SEP-DDDDDDDDDDDDDDDD
-A KUBE-SEP-DDDDDDDDDDDDDDDD -p tcp -m comment --comment "ns/a:http" -m tcp -j DNAT --to-destination 10.244.0.5:8080
COMMIT
`;

const dumps: [string, string][] = [
  ['hand-edited entry rules', ODD_ENTRIES],
  ...readdirSync(CONFORMANCE)
    .filter((d) => d.startsWith('iptables-'))
    .map((d): [string, string] => [d, readFileSync(join(CONFORMANCE, d, 'iptables-save.txt'), 'utf8')]),
  ...[1, 7].map((seed): [string, string] => {
    const cluster = generateScaleCluster({ services: 300, endpointsPerService: 6, seed });
    return [`generated seed ${seed}`, renderIptablesSave(cluster, { nodeName: cluster.nodeName, clusterCIDR: cluster.clusterCIDR })];
  }),
];

describe('serviceCatalog read through rule shapes', () => {
  it.each(dumps)('%s: equals the catalogue of every rule read in full', (name, text) => {
    const want = serviceCatalog(fullReading(load(name, text)));
    expect(want.length).toBeGreaterThan(0);
    expect(serviceCatalog(load(name, text))).toEqual(want);
    // Jumps found by number (the jump graph of a whole dump's parse or scan), not by name.
    if (name.startsWith('generated')) expect(load(name, text).jumpGraph).toBeDefined();
    // By chain number (a scanned whole dump's jump graph: see scanGraph).
    if (name === 'hand-edited entry rules' || name.startsWith('generated')) expect(scanned(name, text).jumpGraph?.names).toBeDefined();
    expect(serviceCatalog(scanned(name, text))).toEqual(want);
    // Read lazily (no shapes learnt: a trace's load), each rule answers from its own body.
    expect(serviceCatalog(load(name, text, true))).toEqual(want);
  });

  it('reads a scanned dump by chain number: no chain made but the entry chains, no id until chainIds is read', () => {
    const [name, text] = dumps[dumps.length - 1]!;
    const rs = scanned(name, text);
    const values = vi.spyOn(rs.chains, 'values');
    const get = vi.spyOn(rs.chains, 'get');
    const ids = vi.spyOn(rs.jumpGraph!, 'id');
    const catalog = serviceCatalog(rs);
    expect(catalog.length).toBe(300);
    expect(values).not.toHaveBeenCalled();
    // KUBE-SERVICES and KUBE-NODEPORTS, KUBE-EXTERNAL-SERVICES in nat and filter: their rules are read.
    expect(get.mock.calls.length).toBeLessThanOrEqual(6);
    const asked = ids.mock.calls.length;
    expect(asked).toBe(get.mock.calls.length);
    expect(catalog[0]!.chainIds.length).toBeGreaterThan(0);
    expect(ids.mock.calls.length).toBeGreaterThan(asked);
  });

  it.each(dumps)('%s: ladders and affinity agree with the full reading chain by chain', (name, text) => {
    const shaped = load(name, text);
    const full = fullReading(load(name, text));
    let affinity = 0;
    for (const [id, chain] of shaped.chains) {
      const ref = full.chains.get(id)!;
      expect(affinitySeconds(chain), id).toBe(affinitySeconds(ref));
      expect(ladderShares(chain), id).toEqual(ladderShares(ref));
      chain.rules.forEach((r, k) => expect(isAffinityCheck(r), `${id} ${k}`).toBe(isAffinityCheck(ref.rules[k]!)));
      if (affinitySeconds(chain) !== null) affinity++;
    }
    if (name.startsWith('generated')) expect(affinity).toBeGreaterThan(0);
  });
});

describe('serviceCatalog of a fragment', () => {
  it('names a per-Service chain the rules jump to but the dump does not hold, by the jumping rule, as a full reading does', () => {
    const text = `*nat
:KUBE-SERVICES - [0:0]
:KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]
:KUBE-SEP-BBBBBBBBBBBBBBBB - [0:0]
-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "ns/web:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-AAAAAAAAAAAAAAAA
-A KUBE-SVC-AAAAAAAAAAAAAAAA -m comment --comment "ns/web:http -> 10.244.0.5:8080" -m statistic --mode random --probability 0.5 -j KUBE-SEP-BBBBBBBBBBBBBBBB
-A KUBE-SVC-AAAAAAAAAAAAAAAA -m comment --comment "ns/web:http -> 10.244.0.6:8080" -j KUBE-SEP-CCCCCCCCCCCCCCCC
-A KUBE-SEP-BBBBBBBBBBBBBBBB -p tcp -m tcp -j DNAT --to-destination 10.244.0.5:8080
COMMIT
`;
    const want = serviceCatalog(fullReading(load('f', text)));
    expect(want[0]!.chainIds).toEqual(['nat/KUBE-SEP-BBBBBBBBBBBBBBBB', 'nat/KUBE-SEP-CCCCCCCCCCCCCCCC', 'nat/KUBE-SVC-AAAAAAAAAAAAAAAA']);
    expect(serviceCatalog(load('f', text))).toEqual(want);
    expect(serviceCatalog(scanned('f', text))).toEqual(want);
  });
});

describe('serviceChains kept by chain number (a jump graph over exactly the dump\'s chains)', () => {
  // A dump whose first KUBE-SEP chain is cut out (declaration and rules): the jumps to it are to a
  // chain it lacks. Over 20,000 rules a table is read as whole (ruleset's missing-chains.ts), so its
  // chains stay numbered and the missing one is kept by id.
  const big = generateScaleCluster({ services: 1500, endpointsPerService: 6, seed: 5 });
  const cut = (text: string) => {
    const sep = /^:(KUBE-SEP-\S+) /m.exec(text)![1]!;
    return { sep, text: text.split('\n').filter((l) => !l.startsWith(`:${sep} `) && !l.startsWith(`-A ${sep} `)).join('\n') };
  };
  const lacking = cut(renderIptablesSave(big, { nodeName: big.nodeName, clusterCIDR: big.clusterCIDR }));

  it('a large dump lacking a KUBE-SEP chain keeps its chains by number and the missing one by id', () => {
    const owners = serviceChains(scanned('big', lacking.text));
    expect(Object.getPrototypeOf(owners)).not.toBe(Map.prototype);
    expect(owners.has(`nat/${lacking.sep}`)).toBe(true);
  });

  for (const [name, text] of [...dumps, ['a fragment lacking a KUBE-SEP chain', cut(dumps[0]![1]).text], ['a large dump lacking a KUBE-SEP chain', lacking.text]] as [string, string][])
    it(`${name}: the same entries in the same order as a map by id, and the same answers by id`, () => {
      const want = [...serviceChains(fullReading(load(name, text)))];
      for (const rs of [load(name, text), scanned(name, text)]) {
        const owners = serviceChains(rs);
        expect([...owners]).toEqual(want);
        expect(owners.size).toBe(want.length);
        for (const [id, portName] of want) expect([owners.get(id), owners.has(id)]).toEqual([portName, true]);
        expect(owners.has('nat/KUBE-SVC-NOTINTHEDUMP0000')).toBe(false);
      }
    });
});
