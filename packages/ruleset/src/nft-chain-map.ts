import { chainPlaces, lazyChainSets, type NftChain, type NftTable } from '@svcpath/parse-nft';
import type { RsChain, RsRule } from './model';
import { LazyRsChain } from './nft-chains';

/** One nft table of the IP hooks, as fromNft lowers it. */
export interface LoweredTable {
  /** `family name`, the first part of its chains' ids. */
  readonly table: string;
  readonly nft: NftTable;
  /** Lowers a chain's rules (the table's sets decide how). */
  readonly lower: (nft: NftChain) => RsRule[];
  /** The jump-graph number of its first chain: the tables' chains are numbered in order. */
  readonly base: number;
}

interface TableChains extends LoweredTable {
  readonly prefix: string;
  /** Its chains' places by name (parse-nft's index when it kept one). */
  readonly place: (name: string) => number;
  /** Chain i once made (a chain read lazily is made when first asked for). */
  readonly made: (RsChain | undefined)[];
}

/**
 * The chains of nft tables by id (`family table/chain`), as a Map of them would hold them, in the
 * same order: every table's chains in the table's order, then chains added (a paste's filled-in
 * chains). A chain read lazily from text gets its ruleset object only when asked for, and is found
 * by name in parse-nft's own index (chainPlaces), so a 10,000-Service dump's ~115,000 chains make
 * no id, object or Map entry each until a walk, a lookup or an iteration reaches them.
 *
 * When two chains could have one id (a table name with a `/`, or a table listed twice) the ids
 * are put in one Map as they come, as fromNft did before: the last chain of an id wins.
 */
export class NftChainMap implements ReadonlyMap<string, RsChain> {
  readonly #tables: TableChains[] = [];
  /** The tables by `family name` (each once, when ids are unambiguous). */
  readonly #byTable = new Map<string, TableChains>();
  readonly #added = new Map<string, RsChain>();
  /** Every chain in one Map, when ids may repeat (see above); null otherwise. */
  readonly #whole: Map<string, RsChain> | null = null;
  readonly #chainCount: number;
  /** The jump-graph numbers of the chains read at once (a LazyRsChain knows its own). */
  readonly #eagerNumbers = new Map<RsChain, number>();

  constructor(tables: readonly LoweredTable[]) {
    const prefixes = new Set<string>();
    let ambiguous = false;
    let count = 0;
    for (const t of tables) {
      const prefix = `${t.table}/`;
      if (t.table.includes('/') || prefixes.has(prefix)) ambiguous = true;
      prefixes.add(prefix);
      const own = chainPlaces(t.nft);
      const place = own ?? indexByName(t.nft.chains);
      if (!own && place === null) ambiguous = true;
      const made: (RsChain | undefined)[] = new Array<RsChain | undefined>(t.nft.chains.length);
      const entry: TableChains = { ...t, prefix, place: place ?? (() => -1), made };
      this.#tables.push(entry);
      this.#byTable.set(t.table, entry);
      // A chain read at once is lowered now, as before; a lazily read one when asked for.
      t.nft.chains.forEach((c, i) => {
        if (lazyChainSets(c) !== undefined) return;
        const chain = (made[i] = this.#make(entry, i));
        this.#eagerNumbers.set(chain, t.base + i);
      });
      count += t.nft.chains.length;
    }
    this.#chainCount = count;
    if (ambiguous) this.#whole = new Map(this.#tableEntries());
  }

  /** The tables, in order (the jump graph and the paste checks walk them). */
  tables(): readonly LoweredTable[] {
    return this.#tables;
  }

  /** Chain i of a table of `tables()`, made if not yet. */
  chainAt(t: LoweredTable, i: number): RsChain {
    const own = t as TableChains;
    return (own.made[i] ??= this.#make(own, i));
  }

  /** Adds a chain no table holds (a paste's filled-in chain); it comes after the tables' chains. */
  add(chain: RsChain): void {
    if (this.#whole) this.#whole.set(chain.id, chain);
    else this.#added.set(chain.id, chain);
  }

  /** The jump-graph number of a table's chain by id (-1: none), without making the chain. */
  numberOf(id: string): number {
    if (this.#whole) {
      const c = this.#whole.get(id);
      return c === undefined ? -1 : this.#numberOfChain(c);
    }
    const at = this.#find(id);
    return at ? at.t.base + at.i : -1;
  }

  /**
   * numberOf(`${table}/${name}`) for a table of `tables()`, without making that id: a name read from
   * the same text keeps the hash its table's index gave it, an id would be hashed anew.
   */
  numberIn(table: string, name: string): number {
    if (this.#whole) return this.numberOf(`${table}/${name}`);
    const t = this.#byTable.get(table);
    const i = t ? t.place(name) : -1;
    return t && i >= 0 ? t.base + i : -1;
  }

  /** has(`${table}/${name}`), likewise. */
  hasIn(table: string, name: string): boolean {
    if (this.#whole) return this.#whole.has(`${table}/${name}`);
    const t = this.#byTable.get(table);
    return (t !== undefined && t.place(name) >= 0) || (this.#added.size > 0 && this.#added.has(`${table}/${name}`));
  }

  /** The tables that hold chains (`family name`), in the order their chains come. */
  tableNames(): string[] {
    if (!this.#whole) return this.#tables.filter((t) => t.nft.chains.length > 0).map((t) => t.table);
    const names = new Set<string>();
    for (const c of this.#whole.values()) names.add(c.table);
    return [...names];
  }

  /**
   * The chains of table `table` that may name chains or sets outside it: every one but those read
   * lazily without a set, which parse-nft found to name only chains of their table.
   */
  *mayNameOthers(table: string): IterableIterator<RsChain> {
    if (this.#whole) {
      for (const c of this.#whole.values()) {
        const nft = LazyRsChain.nftOf(c);
        if (c.table === table && !(nft && lazyChainSets(nft)?.length === 0)) yield c;
      }
      return;
    }
    for (const t of this.#tables) {
      if (t.table !== table) continue;
      const chains = t.nft.chains;
      for (let i = 0; i < chains.length; i++) if (lazyChainSets(chains[i]!)?.length !== 0) yield this.chainAt(t, i);
    }
  }

  /** The chains whose names pass `test`, in order; the others are not made. */
  *named(test: (name: string) => boolean): IterableIterator<RsChain> {
    if (this.#whole) {
      for (const c of this.#whole.values()) if (test(c.name)) yield c;
      return;
    }
    for (const t of this.#tables) {
      const chains = t.nft.chains;
      for (let i = 0; i < chains.length; i++) if (test(chains[i]!.name)) yield this.chainAt(t, i);
    }
    for (const c of this.#added.values()) if (test(c.name)) yield c;
  }

  get size(): number {
    return this.#whole ? this.#whole.size : this.#chainCount + this.#added.size;
  }

  get(id: string): RsChain | undefined {
    if (this.#whole) return this.#whole.get(id);
    const at = this.#find(id);
    return at ? this.chainAt(at.t, at.i) : this.#added.get(id);
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  *values(): MapIterator<RsChain> {
    if (this.#whole) return yield* this.#whole.values();
    for (const t of this.#tables) for (let i = 0; i < t.made.length; i++) yield this.chainAt(t, i);
    yield* this.#added.values();
  }

  *keys(): MapIterator<string> {
    if (this.#whole) return yield* this.#whole.keys();
    for (const c of this.values()) yield c.id;
  }

  *entries(): MapIterator<[string, RsChain]> {
    if (this.#whole) return yield* this.#whole.entries();
    for (const c of this.values()) yield [c.id, c];
  }

  [Symbol.iterator](): MapIterator<[string, RsChain]> {
    return this.entries();
  }

  forEach(fn: (value: RsChain, key: string, map: ReadonlyMap<string, RsChain>) => void, thisArg?: unknown): void {
    for (const [id, c] of this.entries()) fn.call(thisArg, c, id, this);
  }

  *#tableEntries(): IterableIterator<[string, RsChain]> {
    for (const t of this.#tables) for (let i = 0; i < t.made.length; i++) yield [t.prefix + t.nft.chains[i]!.name, this.chainAt(t, i)];
  }

  /** The table and place of a table's chain by id; ids are unambiguous here (no `/` in a table name). */
  #find(id: string): { t: TableChains; i: number } | undefined {
    for (const t of this.#tables) {
      if (!id.startsWith(t.prefix)) continue;
      const i = t.place(id.slice(t.prefix.length));
      return i >= 0 ? { t, i } : undefined;
    }
    return undefined;
  }

  #numberOfChain(c: RsChain): number {
    return c instanceof LazyRsChain ? LazyRsChain.numberOf(c) : (this.#eagerNumbers.get(c) ?? -1);
  }

  #make(t: TableChains, i: number): RsChain {
    const c = t.nft.chains[i]!;
    const id = t.prefix + c.name;
    if (lazyChainSets(c) !== undefined) return new LazyRsChain(id, t.table, c.name, c, t.lower, t.base + i);
    return { id, table: t.table, name: c.name, rules: t.lower(c), span: { file: c.span.file, line: c.span.line } };
  }
}

/** A table's chains by name, or null when a name repeats (a table not made by parse-nft's builder). */
function indexByName(chains: readonly NftChain[]): ((name: string) => number) | null {
  const byName = new Map<string, number>();
  for (let i = 0; i < chains.length; i++) {
    if (byName.has(chains[i]!.name)) return null;
    byName.set(chains[i]!.name, i);
  }
  return (name) => byName.get(name) ?? -1;
}
