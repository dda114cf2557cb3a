import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNftText } from '@svcpath/parse-nft';
import { fromNft } from './from-nft';
import type { RsChain } from './model';
import { NftChainMap } from './nft-chain-map';

/**
 * NftChainMap answers as the Map of the same chains, set one by one in the tables' order, would:
 * keys, order, size, lookups (absent ids too), whether its chains were read lazily or at once.
 */
function expectLikeAMap(map: ReadonlyMap<string, RsChain>, ids: readonly string[]) {
  const plain = new Map<string, RsChain>();
  for (const [id, c] of map) plain.set(id, c);
  expect([...map.keys()]).toEqual([...plain.keys()]);
  expect(map.size).toBe(plain.size);
  for (const id of [...ids, 'ip nope/x', '', 'ip kube-proxy/', 'ip kube-proxy/no-such-chain']) {
    expect(map.get(id), id).toBe(plain.get(id));
    expect(map.has(id), id).toBe(plain.has(id));
  }
  const seen: string[] = [];
  map.forEach((c, id, m) => {
    expect(m).toBe(map);
    expect(c).toBe(plain.get(id));
    seen.push(id);
  });
  expect(seen).toEqual([...plain.keys()]);
}

describe('NftChainMap', () => {
  const fixtures = join(import.meta.dirname, '../../tracer/src/fixtures');
  it.each([
    'kube-proxy-conformance/nftables-TestOverallNFTablesRules/nft-list-ruleset.kernel.txt',
    'kube-proxy-conformance/nftables-TestOverallNFTablesRules/nft-ruleset.txt',
    'partial-pastes/nft-table-without-base-chains.txt',
    'partial-pastes/nft-chains-without-table.txt',
    'hostile/nft-loop.nft',
  ])('%s: keys, order and lookups of a Map, read lazily or at once', (path) => {
    const text = readFileSync(join(fixtures, path), 'utf8');
    const lazy = fromNft(parseNftText(text, { file: path }).ruleset, path);
    const eager = fromNft(parseNftText(text, { file: path, eager: true }).ruleset, path);
    expect(lazy.chains).toBeInstanceOf(NftChainMap);
    expect([...lazy.chains.keys()]).toEqual([...eager.chains.keys()]);
    expectLikeAMap(lazy.chains, [...eager.chains.keys()]);
    expectLikeAMap(eager.chains, [...eager.chains.keys()]);
    for (const map of [lazy.chains, eager.chains] as NftChainMap[]) {
      for (const c of map.values()) {
        expect(map.numberIn(c.table, c.name), c.id).toBe(map.numberOf(c.id));
        expect(map.hasIn(c.table, c.name), c.id).toBe(true);
      }
      expect(map.hasIn('ip kube-proxy', 'no-such-chain')).toBe(false);
      const named = (n: string) => n.startsWith('endpoint-') || n === 'services';
      expect([...map.named(named)]).toEqual([...map.values()].filter((c) => named(c.name)));
    }
  });

  it('a lookup gives the same chain each time, and its jump-graph number without it', () => {
    const text = readFileSync(join(fixtures, 'kube-proxy-conformance/nftables-TestOverallNFTablesRules/nft-list-ruleset.kernel.txt'), 'utf8');
    const map = fromNft(parseNftText(text, { file: 'x' }).ruleset, 'x').chains as NftChainMap;
    const t = map.tables()[0]!;
    const last = t.nft.chains.length - 1;
    const id = `${t.table}/${t.nft.chains[last]!.name}`;
    expect(map.numberOf(id)).toBe(t.base + last);
    expect(map.get(id)).toBe(map.chainAt(t, last));
    expect(map.numberOf(`${t.table}/no-such-chain`)).toBe(-1);
  });

  it('two tables whose chains would share an id (a `/` in a table name): the later chain wins, as in a Map', () => {
    const text = 'table ip a {\n\tchain b/c {\n\t\tip daddr 10.0.0.1 accept\n\t}\n}\ntable ip a/b {\n\tchain c {\n\t\tip daddr 10.0.0.2 drop\n\t}\n\tchain d {\n\t\tjump c\n\t}\n}\n';
    const rs = fromNft(parseNftText(text, { file: 'x' }).ruleset, 'x');
    expect([...rs.chains.keys()]).toEqual(['ip a/b/c', 'ip a/b/d']);
    expect(rs.chains.size).toBe(2);
    expect(rs.chains.get('ip a/b/c')?.table).toBe('ip a/b');
    expectLikeAMap(rs.chains, ['ip a/b/c', 'ip a/b/d']);
  });
});
