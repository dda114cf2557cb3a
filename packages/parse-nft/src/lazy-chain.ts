import type { NftChain, NftRule, Span } from './ast';
import { headerRaw, headerSpan, type ScanState } from './chain-scan';
import { DiagnosticSink } from './diagnostics';
import { parseRuleTokens } from './rule-text';
import type { RuleDraft } from './ruleset-builder';
import { RulesetBuilder } from './ruleset-builder';
import { BODY_BLOCK_WORDS, StatementReader } from './statement-reader';
import type { TextContext } from './text-context';

/**
 * Reads a plain chain body's rules, as the chain reader would have (chain-scan.ts found every
 * line a rule of a shape the parser reads without a problem, so nothing is reported here).
 */
export function readLazyRules(scan: ScanState, k: number): RuleDraft[] {
  const { src, file } = scan;
  const body = scan.body(k);
  const sink = new DiagnosticSink();
  const ctx: TextContext = { src, file, sink, builder: new RulesetBuilder(sink) };
  const reader = new StatementReader(src, file, sink);
  reader.seek(body.start, body.line, body.lineStart);
  const rules: RuleDraft[] = [];
  for (let st = reader.read(BODY_BLOCK_WORDS); !st.eof && !st.closes && !st.opensBlock; st = reader.read(BODY_BLOCK_WORDS)) {
    const rule = parseRuleTokens(ctx, st.toks, 0, body.family, st.comment);
    if (rule) rules.push(rule);
  }
  return rules;
}

/** What is known of a lazily read chain without reading its rules. */
export interface ChainOutline {
  readonly ruleCount: number;
  /**
   * The chains its rules jump or go to (verdict-map elements included), in order, as places in
   * their table's `chains`: `targets[from … to)`. Each one exists.
   */
  readonly targets: Int32Array;
  readonly from: number;
  readonly to: number;
  /** The sets and maps its rules use (`@name`), in order; each one exists in its table. */
  readonly sets: readonly string[];
  /** The text it was read from: every rule's `raw` is part of it. */
  readonly source: string;
}

/**
 * A chain of nft text whose rules are read the first time they are asked for. `rules` is an own,
 * enumerable property (one getter shared by all such chains), so the chain compares, spreads into
 * withoutSourceInfo and prints like one read at once.
 */
export class LazyNftChain implements NftChain {
  // Declared, not defined, so the constructor adds them in an eager chain's order (JSON, tests).
  declare readonly name: string;
  declare readonly handle?: number;
  declare readonly rules: readonly NftRule[];
  declare readonly span: Span;
  declare readonly raw: string;
  readonly #scan: ScanState;
  /** Its body's number in #scan. */
  readonly #k: number;
  #rules: NftRule[] | null = null;
  #span: Span | null;
  #raw: string | null;

  /** A null `span` or `raw` is made from the body's header (chain-scan.ts' headerSpan) when asked for. */
  constructor(name: string, handle: number | undefined, span: Span | null, raw: string | null, scan: ScanState, k: number) {
    const self = this as { -readonly [K in 'name' | 'handle']: LazyNftChain[K] };
    self.name = name;
    if (handle !== undefined) self.handle = handle;
    this.#scan = scan;
    this.#k = k;
    this.#span = span;
    this.#raw = raw;
    // Own, enumerable accessors: a 10,000-Service dump's ~115,000 chains make no span or text.
    Object.defineProperty(this, 'rules', LazyNftChain.RULES);
    Object.defineProperty(this, 'span', LazyNftChain.SPAN);
    Object.defineProperty(this, 'raw', LazyNftChain.RAW);
  }

  static readonly RULES: PropertyDescriptor = {
    get(this: LazyNftChain): readonly NftRule[] {
      return (this.#rules ??= readLazyRules(this.#scan, this.#k).map((r, index): NftRule => ({ ...r, index })));
    },
    enumerable: true,
    configurable: true,
  };

  static readonly SPAN: PropertyDescriptor = {
    get(this: LazyNftChain): Span {
      return (this.#span ??= headerSpan(this.#scan, this.#k));
    },
    enumerable: true,
    configurable: true,
  };

  static readonly RAW: PropertyDescriptor = {
    get(this: LazyNftChain): string {
      return (this.#raw ??= headerRaw(this.#scan, this.#k));
    },
    enumerable: true,
    configurable: true,
  };

  /** Whether a chain is read lazily, and the sets it names (without making an outline). */
  static sets(chain: NftChain): readonly string[] | undefined {
    return chain instanceof LazyNftChain ? chain.#scan.sets(chain.#k) : undefined;
  }

  static source(chain: NftChain): string | undefined {
    return chain instanceof LazyNftChain ? chain.#scan.src : undefined;
  }

  static outline(chain: NftChain): ChainOutline | undefined {
    if (!(chain instanceof LazyNftChain)) return undefined;
    const scan = chain.#scan;
    const k = chain.#k;
    return { ruleCount: scan.ruleCount(k), sets: scan.sets(k), source: scan.src, targets: scan.targets.buf, from: scan.from(k), to: scan.to(k) };
  }
}

/**
 * What is known of `chain` without reading its rules, when it was read lazily from nft text
 * (undefined: read `rules`). Every chain and set it names exists in its table.
 */
export function chainOutline(chain: NftChain): ChainOutline | undefined {
  return LazyNftChain.outline(chain);
}

/** Whether `chain` was read lazily (chainOutline answers), and the sets and maps it names. */
export function lazyChainSets(chain: NftChain): readonly string[] | undefined {
  return LazyNftChain.sets(chain);
}

/** The text a lazily read chain was read from (every rule's `raw` is part of it); undefined for others. */
export function lazyChainSource(chain: NftChain): string | undefined {
  return LazyNftChain.source(chain);
}
