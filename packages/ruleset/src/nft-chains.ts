import { chainOutline, type NftChain } from '@svcpath/parse-nft';
import type { NftChainMap } from './nft-chain-map';
import type { Action, MapVerdict, NamedSet, RsChain, RsJumpGraph, RsRule } from './model';

/**
 * An nft chain read lazily from text (parse-nft's LazyNftChain): its rules are lowered the first
 * time they are asked for. `rules` is an own, enumerable property (one getter for all), so the
 * chain compares and copies like one lowered at once.
 */
export class LazyRsChain implements RsChain {
  // Declared, not defined, so the constructor adds them in an eager chain's order (JSON, tests).
  declare readonly id: string;
  declare readonly table: string;
  declare readonly name: string;
  declare readonly rules: readonly RsRule[];
  declare readonly span: RsChain['span'];
  readonly #nft: NftChain;
  readonly #lower: (nft: NftChain) => RsRule[];
  /** Its number in the ruleset's jump graph. */
  readonly #number: number;
  #rules: RsRule[] | null = null;
  #span: RsChain['span'] | undefined = undefined;

  /** Its span is the nft chain's file and line, made when first asked for (as are its rules). */
  constructor(id: string, table: string, name: string, nft: NftChain, lower: (nft: NftChain) => RsRule[], number: number) {
    const self = this as { -readonly [K in 'id' | 'table' | 'name']: LazyRsChain[K] };
    self.id = id;
    self.table = table;
    self.name = name;
    this.#nft = nft;
    this.#lower = lower;
    this.#number = number;
    Object.defineProperty(this, 'rules', LazyRsChain.RULES);
    Object.defineProperty(this, 'span', LazyRsChain.SPAN);
  }

  /** A lazy chain's number in the jump graph (-1: not a lazy chain). */
  static numberOf(chain: RsChain): number {
    return chain instanceof LazyRsChain ? chain.#number : -1;
  }

  static readonly RULES: PropertyDescriptor = {
    get(this: LazyRsChain): readonly RsRule[] {
      return (this.#rules ??= this.#lower(this.#nft));
    },
    enumerable: true,
    configurable: true,
  };

  static readonly SPAN: PropertyDescriptor = {
    get(this: LazyRsChain): RsChain['span'] {
      return (this.#span ??= { file: this.#nft.span.file, line: this.#nft.span.line });
    },
    enumerable: true,
    configurable: true,
  };

  /** The nft chain it lowers (for its outline: what it names without reading it). */
  static nftOf(chain: RsChain): NftChain | undefined {
    return chain instanceof LazyRsChain ? chain.#nft : undefined;
  }
}

/**
 * Every chain's jumps by number (see RsJumpGraph), for the tracer's structure check:
 * a lazily read chain's from its outline (the chains it names; a verdict map it reads adds its
 * map's verdicts), any other chain's from its lowered rules, as the tracer's own walk reads them.
 * It may hold more edges than rules take (an outline names every chain a rule mentions): the check
 * then finds a loop or a long run it does not take and walks the rules itself to word it, so it
 * never answers differently. Chains are numbered in their tables' order (NftChainMap).
 */
export function nftJumpGraph(chains: NftChainMap, sets: ReadonlyMap<string, NamedSet>): RsJumpGraph {
  const tables = chains.tables();
  const size = tables.reduce((n, t) => n + t.nft.chains.length, 0);
  const edges = new Edges(size);
  const setTargets = new Map<string, number[]>();
  /** The chains a verdict map's elements jump or go to (`key` is `table/set`, as lowered). */
  const verdictsOf = (table: string, key: string): number[] => {
    let out = setTargets.get(key);
    if (!out) {
      out = [];
      for (const e of sets.get(key)?.elements ?? []) if (e.verdict?.kind === 'jump' || e.verdict?.kind === 'goto') out.push(chains.numberIn(table, e.verdict.chain));
      setTargets.set(key, out);
    }
    return out;
  };
  const byName = (table: string, name: string) => chains.numberIn(table, name);
  let k = 0;
  for (const t of tables) {
    const list = t.nft.chains;
    for (let i = 0; i < list.length; i++) {
      edges.start[k++] = edges.length;
      const outline = chainOutline(list[i]!);
      if (outline) {
        for (let e = outline.from; e < outline.to; e++) edges.add(t.base + outline.targets[e]!);
        for (const s of outline.sets) for (const to of verdictsOf(t.table, `${t.table}/${s}`)) edges.add(to);
        continue;
      }
      for (const rule of chains.chainAt(t, i).rules) {
        for (const a of rule.extra ?? []) actionTargets(a, t.table, edges, byName, verdictsOf);
        if (rule.action) actionTargets(rule.action, t.table, edges, byName, verdictsOf);
      }
    }
  }
  edges.start[size] = edges.length;
  return {
    size,
    edgeStart: edges.start,
    edgeEnd: edges.start.subarray(1),
    edgeTo: edges.to.subarray(0, edges.length),
    numberOf: (id) => chains.numberOf(id),
  };
}

class Edges {
  readonly start: Int32Array;
  to = new Int32Array(4096);
  length = 0;

  constructor(size: number) {
    this.start = new Int32Array(size + 1);
  }

  add(to: number): void {
    if (to < 0) return;
    if (this.length === this.to.length) {
      const bigger = new Int32Array(this.to.length * 2);
      bigger.set(this.to);
      this.to = bigger;
    }
    this.to[this.length++] = to;
  }
}

/** The chains one action jumps or goes to, as the tracer's structure check reads them. */
function actionTargets(a: Action, table: string, edges: Edges, byName: (table: string, name: string) => number, verdictsOf: (table: string, key: string) => number[]): void {
  const verdict = (v: MapVerdict | undefined) => {
    if (v?.kind === 'jump' || v?.kind === 'goto') edges.add(byName(table, v.chain));
  };
  switch (a.kind) {
    case 'jump':
    case 'goto':
      return edges.add(byName(table, a.chain));
    case 'vmap':
      if (a.inline) for (const el of a.inline) verdict(el.verdict);
      else for (const to of verdictsOf(table, a.set)) edges.add(to);
      return;
    case 'numgen':
      for (const b of a.branches) verdict(b.verdict);
      return;
    default:
      return;
  }
}
