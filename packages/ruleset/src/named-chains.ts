/** A chain map that tests chains by name before making them: a lazily read nft dump's (NftChainMap), a scanned iptables dump's. */
interface NamedChains<C> {
  named(test: (name: string) => boolean, prefix?: string): Iterable<C>;
}

/**
 * The chains of `chains` whose names pass `test`, in order. A lazily read map tests names before it
 * makes chains, so its other chains are never made: a 10,000-Service scan's first KUBE-SVC chain
 * comes after ~20,000 others (0.06 s to make them, measured). `prefix`, when given, starts every
 * name `test` passes: a map that can compares it before it makes a name.
 */
export function chainsNamed<C extends { readonly name: string }>(chains: ReadonlyMap<string, C>, test: (name: string) => boolean, prefix?: string): Iterable<C> {
  const named = (chains as Partial<NamedChains<C>>).named;
  if (typeof named === 'function') return named.call(chains, test, prefix);
  return (function* () {
    for (const c of chains.values()) if (test(c.name)) yield c;
  })();
}
