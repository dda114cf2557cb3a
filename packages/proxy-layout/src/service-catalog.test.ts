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
import { loadRuleset, type RsChain, type Ruleset } from '@svcpath/ruleset';
import { describe, expect, it } from 'vitest';
import { affinitySeconds, isAffinityCheck, ladderShares } from './ladder';
import { serviceCatalog } from './service-catalog';

const CONFORMANCE = join(import.meta.dirname, '..', '..', 'tracer', 'src', 'fixtures', 'kube-proxy-conformance');

/** The same rules as plain objects read in full: no shortcut (jump, shape, DNAT words) to take. */
function fullReading(rs: Ruleset): Ruleset {
  const chains = new Map<string, RsChain>();
  for (const [id, c] of rs.chains)
    chains.set(id, { ...c, rules: c.rules.map((r) => ({ index: r.index, span: r.span, raw: r.raw, conds: r.conds, action: r.action, comment: r.comment, ...(r.extra ? { extra: r.extra } : {}) })) });
  return { ...rs, chains };
}

const load = (name: string, text: string, lazy = false) => loadRuleset([{ name, text }], { lazy }).ruleset!;

const dumps: [string, string][] = [
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
    // Read lazily (no shapes learnt: a trace's load), each rule answers from its own body.
    expect(serviceCatalog(load(name, text, true))).toEqual(want);
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
