import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNftText } from '@svcpath/parse-nft';
import { fromNft } from './from-nft';
import { NftChainMap } from './nft-chain-map';
import { LazyRsChain } from './nft-chains';

/**
 * Chains read lazily from nft text are lowered lazily (LazyRsChain: rules and span made when asked
 * for): each must compare, print and copy like the chain lowered from the same text read at once.
 */
const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x instanceof Map || x instanceof NftChainMap ? [...x] : ArrayBuffer.isView(x) ? undefined : x));

describe('lazily lowered nft chains', () => {
  it.each([
    'kube-proxy-conformance/nftables-TestOverallNFTablesRules/nft-list-ruleset.kernel.txt',
    'partial-pastes/nft-table-without-base-chains.txt',
    'hostile/nft-loop.nft',
  ])('%s: every chain the same as lowered at once, span, keys and rules', (path) => {
    const text = readFileSync(join(import.meta.dirname, '../../tracer/src/fixtures', path), 'utf8');
    const lazy = fromNft(parseNftText(text, { file: path }).ruleset, path);
    const eager = fromNft(parseNftText(text, { file: path, eager: true }).ruleset, path);
    expect([...lazy.chains.keys()]).toEqual([...eager.chains.keys()]);
    expect([...lazy.chains.values()].some((c) => c instanceof LazyRsChain)).toBe(true);
    for (const [id, c] of lazy.chains) {
      const e = eager.chains.get(id)!;
      expect(Object.keys(c), id).toEqual(Object.keys(e));
      expect(c.span, id).toEqual(e.span);
      expect({ ...c }, id).toEqual({ ...e });
    }
    expect(json({ ...lazy, jumpGraph: undefined })).toBe(json({ ...eager, jumpGraph: undefined, kubeIpsetRules: lazy.kubeIpsetRules }));
  });
});
