/**
 * A Bloom filter over a table's chain names: when it says a name is not there, it is not, so the
 * plain-chain scan (text-parser.ts) skips the Map lookup for each of a 10,000-Service dump's
 * ~115,000 new chains (a probe into a Map that large misses the cache several times; hashing the
 * name here reads characters the scan has just read). When it says "maybe", the Map decides.
 * Names are never taken out (a deleted chain's bits stay: "maybe" is always safe).
 */
export class ChainNameFilter {
  #bits = new Int32Array(1 << 11);
  #count = 0;

  /** Whether the name hashed to `h` (nameHash) may be one noted. */
  mayHold(h: number): boolean {
    const mask = this.#bits.length * 32 - 1;
    const a = h & mask;
    const b = second(h) & mask;
    return (this.#bits[a >>> 5]! & (1 << (a & 31))) !== 0 && (this.#bits[b >>> 5]! & (1 << (b & 31))) !== 0;
  }

  /**
   * Notes the name hashed to `h`, which is now one of `names` (the table's chain names): when the
   * filter grows, every one of them is noted again, so it keeps at least 16 bits per name.
   */
  add(h: number, names: Iterable<string>): void {
    if (++this.#count * 16 <= this.#bits.length * 32) return this.#set(h);
    this.#bits = new Int32Array(this.#bits.length * 4);
    this.#count = 0;
    for (const n of names) {
      this.#set(nameHash(n, 0, n.length));
      this.#count++;
    }
  }

  #set(h: number): void {
    const mask = this.#bits.length * 32 - 1;
    const a = h & mask;
    const b = second(h) & mask;
    this.#bits[a >>> 5]! |= 1 << (a & 31);
    this.#bits[b >>> 5]! |= 1 << (b & 31);
  }
}

/** FNV-1a over the characters of `s` from `start` to `end` (a name in the text, or a name alone). */
export function nameHash(s: string, start: number, end: number): number {
  let h = 2166136261;
  for (let p = start; p < end; p++) h = Math.imul(h ^ s.charCodeAt(p), 16777619);
  return h;
}

/** A second bit position from the same hash (mixed, so the two do not move together). */
function second(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
