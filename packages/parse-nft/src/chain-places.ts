import type { NftTable } from './ast';

/** A finished table's chains' places in its `chains`, by name (-1: none). */
type Places = (name: string) => number;

const places = new WeakMap<NftTable, Places>();

/**
 * Keeps the name index the RulesetBuilder made for a table it finished (ChainDrafts.places: its
 * hash table without the drafts), so a lookup by name needs no second index of a 10,000-Service
 * dump's ~115,000 chains.
 */
export function keepChainPlaces(table: NftTable, chains: Places): void {
  places.set(table, chains);
}

/**
 * Finds a chain of `table` by name: its place in `table.chains`, or -1. Undefined when the table
 * was not read lazily from text by this package (then search `table.chains` yourself).
 */
export function chainPlaces(table: NftTable): ((name: string) => number) | undefined {
  return places.get(table);
}
