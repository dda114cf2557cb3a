import type { NftTable } from './ast';

/** A finished table's chains by name, each knowing its place in the table's `chains`. */
interface Places {
  get(name: string): { readonly position: number } | undefined;
}

const places = new WeakMap<NftTable, Places>();

/**
 * Keeps the name index the RulesetBuilder made for a table it finished (its chain drafts, each
 * with its place), so a lookup by name needs no second index of a 10,000-Service dump's ~115,000
 * chains.
 */
export function keepChainPlaces(table: NftTable, chains: Places): void {
  places.set(table, chains);
}

/**
 * Finds a chain of `table` by name: its place in `table.chains`, or -1. Undefined when the table
 * was not read lazily from text by this package (then search `table.chains` yourself).
 */
export function chainPlaces(table: NftTable): ((name: string) => number) | undefined {
  const byName = places.get(table);
  return byName && ((name) => byName.get(name)?.position ?? -1);
}
