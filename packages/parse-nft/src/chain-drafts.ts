/**
 * A table's chains by name, in the order they were made, with a Map's methods as the builder
 * uses them (get, has, set, delete, values, keys, size): a hash table of numbers over one list,
 * keyed by nameHash, which the plain-chain scan (text-parser.ts) computes from the text it has
 * just read. A 10,000-Service dump makes ~115,000 chains; a JS Map probed and grown for each was
 * the scan's largest line (~100 ms in a one-run process: a probe misses the cache several times).
 */
export class ChainDrafts<T> {
  /** Entries in the order made; a deleted one is left as a hole. */
  readonly #keys: (string | undefined)[] = [];
  readonly #values: (T | undefined)[] = [];
  readonly #hashes: number[] = [];
  /** Open addressing over entry numbers: 0 empty, -1 a deleted entry's slot, else entry + 1. */
  #slots = new Int32Array(256);
  #used = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** The value under `name`; `hash` is nameHash(name) when the caller has it. */
  get(name: string, hash = nameHash(name, 0, name.length)): T | undefined {
    const e = this.#find(name, hash);
    return e < 0 ? undefined : this.#values[e];
  }

  has(name: string, hash = nameHash(name, 0, name.length)): boolean {
    return this.#find(name, hash) >= 0;
  }

  /** Sets the value under `name`: in its place when it is there, else after every other. */
  set(name: string, value: T, hash = nameHash(name, 0, name.length)): this {
    const e = this.#find(name, hash);
    if (e >= 0) {
      this.#values[e] = value;
      return this;
    }
    if ((this.#used + 1) * 2 > this.#slots.length) this.#grow();
    const mask = this.#slots.length - 1;
    let s = hash & mask;
    while (this.#slots[s]! > 0) s = (s + 1) & mask;
    if (this.#slots[s] === 0) this.#used++;
    this.#slots[s] = this.#keys.push(name);
    this.#values.push(value);
    this.#hashes.push(hash);
    this.#size++;
    return this;
  }

  delete(name: string): boolean {
    const hash = nameHash(name, 0, name.length);
    const mask = this.#slots.length - 1;
    for (let s = hash & mask; this.#slots[s] !== 0; s = (s + 1) & mask) {
      const e = this.#slots[s]! - 1;
      if (e >= 0 && this.#hashes[e] === hash && this.#keys[e] === name) {
        this.#slots[s] = -1;
        this.#keys[e] = undefined;
        this.#values[e] = undefined;
        this.#size--;
        return true;
      }
    }
    return false;
  }

  *keys(): IterableIterator<string> {
    for (let e = 0; e < this.#keys.length; e++) if (this.#keys[e] !== undefined) yield this.#keys[e]!;
  }

  *values(): IterableIterator<T> {
    for (let e = 0; e < this.#keys.length; e++) if (this.#keys[e] !== undefined) yield this.#values[e]!;
  }

  /**
   * Each name's place among the names held, in order (0, 1, …; -1: none), as a lookup that keeps
   * the names and the hash table but not the values (a finished table's chain drafts can go).
   */
  places(): (name: string) => number {
    const keys = this.#keys;
    const hashes = this.#hashes;
    const slots = this.#slots;
    let place: Int32Array | null = null;
    if (this.#size !== keys.length) {
      place = new Int32Array(keys.length);
      let next = 0;
      for (let e = 0; e < keys.length; e++) place[e] = keys[e] === undefined ? -1 : next++;
    }
    return (name) => {
      const e = find(keys, hashes, slots, name, nameHash(name, 0, name.length));
      return e < 0 || place === null ? e : place[e]!;
    };
  }

  #find(name: string, hash: number): number {
    return find(this.#keys, this.#hashes, this.#slots, name, hash);
  }

  /** Twice the slots, holding the live entries only (deleted entries' slots are dropped). */
  #grow(): void {
    const slots = new Int32Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    let used = 0;
    for (let e = 0; e < this.#keys.length; e++) {
      if (this.#keys[e] === undefined) continue;
      let s = this.#hashes[e]! & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = e + 1;
      used++;
    }
    this.#slots = slots;
    this.#used = used;
  }
}

/** The entry number of `name` in a table of entries (-1: none). */
function find(keys: readonly (string | undefined)[], hashes: readonly number[], slots: Int32Array, name: string, hash: number): number {
  const mask = slots.length - 1;
  for (let s = hash & mask; slots[s] !== 0; s = (s + 1) & mask) {
    const e = slots[s]! - 1;
    if (e >= 0 && hashes[e] === hash && keys[e] === name) return e;
  }
  return -1;
}

/** FNV-1a over the characters of `s` from `start` to `end` (a name in the text, or a name alone). */
export function nameHash(s: string, start: number, end: number): number {
  let h = 2166136261;
  for (let p = start; p < end; p++) h = Math.imul(h ^ s.charCodeAt(p), 16777619);
  // Mixed once more, so the low bits a slot is picked by depend on every character.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}
