import type { BaseChain, Expr, Family, NftChain, NftRule, NftRuleset, NftSet, NftTable, SetElement, Span, Stmt, Unparsed } from './ast';
import type { DiagnosticSink } from './diagnostics';
import { headerRaw, headerSpan, type ScanState } from './chain-scan';
import { keepChainPlaces } from './chain-places';
import { exprKey } from './expr-key';
import { ChainDrafts } from './chain-drafts';
import { LazyNftChain, readLazyRules } from './lazy-chain';

/** A rule before it has its index (indexes are given once all commands are replayed). */
export type RuleDraft = Omit<NftRule, 'index'>;

export interface ChainDraft {
  name: string;
  handle?: number;
  base?: BaseChain;
  comment?: string;
  /** Its rules; a lazily read body (see `lazy`) is read when they are first asked for. */
  rules: RuleDraft[];
  span: Span;
  raw: string;
  declared: boolean;
  /** The number of a plain body whose rules are not read yet (chain-scan.ts; -1: none); cleared once they are. */
  lazy: number;
  /** No rule read or scanned into it yet. */
  readonly empty: boolean;
}

class Draft implements ChainDraft {
  declare handle?: number;
  declare base?: BaseChain;
  declare comment?: string;
  lazy = -1;
  /** Its place among its table's chains once the table is finished. */
  position = -1;
  /** Made when the first rule is read (a lazily read chain never needs one until asked). */
  #rules: RuleDraft[] | null = null;
  /** Null: made from body `#header`'s header offsets when first asked for (see plainChain). */
  #span: Span | null;
  #raw: string | null;
  readonly #header: number;

  constructor(
    public name: string,
    span: Span | null,
    raw: string | null,
    public declared: boolean,
    /** The text's lazily read bodies (undefined: none are read lazily). */
    readonly scan: ScanState | undefined,
    header: number,
  ) {
    this.#span = span;
    this.#raw = raw;
    this.#header = header;
  }

  get span(): Span {
    return (this.#span ??= headerSpan(this.scan!, this.#header));
  }

  set span(span: Span) {
    this.#span = span;
  }

  get raw(): string {
    return (this.#raw ??= headerRaw(this.scan!, this.#header));
  }

  set raw(raw: string) {
    this.#raw = raw;
  }

  /** Its span for a lazily read chain: null when not made yet and its lazy body's header makes it. */
  lazySpan(): Span | null {
    return this.#span === null && this.lazy === this.#header ? null : this.span;
  }

  /** Its header text likewise. */
  lazyRaw(): string | null {
    return this.#raw === null && this.lazy === this.#header ? null : this.raw;
  }

  get rules(): RuleDraft[] {
    if (this.lazy >= 0) {
      this.#rules = readLazyRules(this.scan!, this.lazy);
      this.lazy = -1;
    }
    return (this.#rules ??= []);
  }

  set rules(rules: RuleDraft[]) {
    this.lazy = -1;
    this.#rules = rules;
  }

  get empty(): boolean {
    return this.lazy < 0 && (this.#rules === null || this.#rules.length === 0);
  }
}

export interface SetDraft {
  name: string;
  isMap: boolean;
  handle?: number;
  keyType: string[];
  dataType?: string;
  typeofKey?: Expr[];
  flags: string[];
  timeout?: number;
  size?: number;
  comment?: string;
  elements: SetElement[];
  span: Span;
  raw: string;
  declared: boolean;
}

export interface TableDraft {
  family: Family;
  name: string;
  handle?: number;
  comment?: string;
  flags: string[];
  chains: ChainDrafts<ChainDraft>;
  sets: Map<string, SetDraft>;
  unparsed: Unparsed[];
  span: Span;
  raw: string;
  declared: boolean;
}

/**
 * Collects tables, chains, sets and rules in any order and resolves them at the end, because a
 * knftables transaction may add a rule to, or jump to, a chain created later in the file.
 * Both the text and the JSON readers feed it, which is what makes their output the same.
 */
export class RulesetBuilder {
  private readonly tables = new Map<string, TableDraft>();
  readonly unparsed: Unparsed[] = [];

  /** `scan`: the text's lazily read bodies, when chains' `lazy` numbers name them (text-parser.ts). */
  constructor(
    private readonly sink: DiagnosticSink,
    private readonly scan?: ScanState,
  ) {}

  /** Finds or creates a table; `declare` says the input really created it here. */
  table(family: Family, name: string, span: Span, raw: string, declare: boolean): TableDraft {
    const key = `${family} ${name}`;
    let t = this.tables.get(key);
    if (!t) {
      t = { family, name, flags: [], chains: new ChainDrafts(), sets: new Map(), unparsed: [], span, raw, declared: declare };
      this.tables.set(key, t);
    } else if (declare && !t.declared) Object.assign(t, { span, raw, declared: true });
    return t;
  }

  chain(t: TableDraft, name: string, span: Span, raw: string, declare: boolean): ChainDraft {
    let c = t.chains.get(name);
    if (!c) {
      c = new Draft(name, span, raw, declare, this.scan, -1);
      t.chains.set(name, c);
    } else if (declare && !c.declared) Object.assign(c, { span, raw, declared: true });
    return c;
  }

  /**
   * Declares a chain `t` has not seen, whose header scanChainHeader read and whose body is plain
   * (text-parser.ts' plainChains): its span and header text are made from `body` when asked for.
   * `hash` is the name's nameHash.
   */
  plainChain(t: TableDraft, name: string, hash: number, body: number): ChainDraft {
    const c = new Draft(name, null, null, true, this.scan, body);
    c.lazy = body;
    t.chains.set(name, c, hash);
    return c;
  }

  set(t: TableDraft, name: string, isMap: boolean, span: Span, raw: string, declare: boolean): SetDraft {
    let s = t.sets.get(name);
    if (!s) {
      s = { name, isMap, keyType: [], flags: [], elements: [], span, raw, declared: declare };
      t.sets.set(name, s);
    } else if (declare && !s.declared) Object.assign(s, { isMap, span, raw, declared: true });
    return s;
  }

  findTable(family: Family, name: string): TableDraft | undefined {
    return this.tables.get(`${family} ${name}`);
  }

  deleteTable(family: Family, name: string): void {
    this.tables.delete(`${family} ${name}`);
  }

  flushRuleset(): void {
    this.tables.clear();
  }

  /** Removes elements whose key matches one of `keys` (compared by canonical text). */
  deleteElements(s: SetDraft, keys: readonly SetElement[]): void {
    const drop = new Set(keys.map((k) => exprKey(k.key)));
    s.elements = s.elements.filter((e) => !drop.has(exprKey(e.key)));
  }

  finish(): NftRuleset {
    const tables: NftTable[] = [];
    for (const t of this.tables.values()) {
      this.checkTable(t);
      const table = freezeTable(t);
      // A lazily read text's chains are found by name without a second index (chain-places.ts).
      if (this.scan) keepChainPlaces(table, t.chains.places());
      tables.push(table);
    }
    return { tables, unparsed: this.unparsed };
  }

  private checkTable(t: TableDraft): void {
    const where = `table ${t.family} ${t.name}`;
    if (!t.declared) this.sink.add('NFT_UNDECLARED_OBJECT', `${where} is used but never created ('add table ${t.family} ${t.name}' expected)`, t.span);
    const order: Draft[] = [];
    for (const c of t.chains.values()) {
      (c as Draft).position = order.length;
      order.push(c as Draft);
    }
    const last = { name: '', position: -1 };
    for (const c of order) {
      if (!c.declared) this.sink.add('NFT_UNDECLARED_OBJECT', `chain '${c.name}' in ${where} has rules but is never created ('add chain' expected)`, c.span);
      // A lazily read body whose chains and sets all exist has nothing to report: it stays unread.
      if (c.lazy >= 0 && resolveBody(t, c.scan!, c.lazy, order, c.position, last)) continue;
      for (const r of c.rules) for (const s of r.statements) this.checkStmt(t, s);
    }
    for (const s of t.sets.values()) {
      if (!s.declared) this.sink.add('NFT_UNDECLARED_OBJECT', `set '${s.name}' in ${where} has elements but is never created ('add set' or 'add map' expected)`, s.span);
      for (const el of s.elements) if (el.data) this.checkExpr(t, el.data, el.span);
    }
  }

  private checkStmt(t: TableDraft, s: Stmt): void {
    switch (s.kind) {
      case 'verdict':
        this.checkChainRef(t, s.verdict.chain, s.span);
        return;
      case 'match':
        this.checkExpr(t, s.left, s.span);
        this.checkExpr(t, s.right, s.span);
        return;
      case 'vmap':
        this.checkExpr(t, s.data, s.span);
        return;
      case 'mangle':
        this.checkExpr(t, s.value, s.span);
        return;
      case 'dnat':
      case 'snat':
        if (s.addr) this.checkExpr(t, s.addr, s.span);
        return;
      case 'setUpdate':
        this.checkSetRef(t, s.set, s.span);
        return;
      default:
        return;
    }
  }

  private checkExpr(t: TableDraft, e: Expr, span: Span): void {
    switch (e.kind) {
      case 'setref':
        this.checkSetRef(t, e.name, span);
        return;
      case 'verdict':
        this.checkChainRef(t, e.verdict.chain, span);
        return;
      case 'set':
        for (const el of e.elements) if (el.data) this.checkExpr(t, el.data, span);
        return;
      case 'map':
        this.checkExpr(t, e.data, span);
        return;
      case 'concat':
        for (const p of e.parts) this.checkExpr(t, p, span);
        return;
      default:
        return;
    }
  }

  private checkChainRef(t: TableDraft, chain: string | undefined, span: Span): void {
    if (chain !== undefined && !t.chains.has(chain)) {
      this.sink.add('NFT_UNDEFINED_CHAIN', `chain '${chain}' is not defined in table ${t.family} ${t.name}`, span);
    }
  }

  private checkSetRef(t: TableDraft, name: string, span: Span): void {
    if (!t.sets.has(name)) this.sink.add('NFT_UNDEFINED_SET', `set or map '@${name}' is not defined in table ${t.family} ${t.name}`, span);
  }
}

function freezeTable(t: TableDraft): NftTable {
  const chains: NftChain[] = [];
  for (const c of t.chains.values()) {
    if (c.lazy >= 0 && c.base === undefined && c.comment === undefined) {
      const d = c as Draft;
      chains.push(new LazyNftChain(c.name, c.handle, d.lazySpan(), d.lazyRaw(), d.scan!, c.lazy));
      continue;
    }
    const rules = c.rules.map((r, index): NftRule => ({ ...r, index }));
    chains.push(withoutUndefined({ name: c.name, handle: c.handle, base: c.base, comment: c.comment, rules, span: c.span, raw: c.raw }));
  }
  const sets: NftSet[] = [];
  for (const s of t.sets.values()) {
    const { declared: _declared, ...rest } = s;
    sets.push(withoutUndefined(rest));
  }
  return withoutUndefined({
    family: t.family,
    name: t.name,
    handle: t.handle,
    comment: t.comment,
    flags: t.flags,
    chains,
    sets,
    unparsed: t.unparsed,
    span: t.span,
    raw: t.raw,
  });
}

/** Drops `undefined` properties so that text and JSON results compare equal structurally. */
function withoutUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * Finds the chains a lazily read body names (their places in the table, into its scan's
 * `targets`) and whether they and the sets it names all exist. The chain `at` holds the body.
 */
function resolveBody(t: TableDraft, scan: ScanState, body: number, order: readonly Draft[], at: number, last: { name: string; position: number }): boolean {
  const { src, refs, targets } = scan;
  // kube-proxy lists a Service's endpoint chains right after its chain, in the order its map names them.
  let next = at + 1;
  for (let i = scan.from(body), to = scan.to(body); i < to; i++) {
    const start = refs.buf[2 * i]!;
    const end = refs.buf[2 * i + 1]!;
    // Many names repeat one named shortly before (`jump mark-for-masquerade` in every endpoint chain).
    let position = last.position;
    if (position < 0 || end - start !== last.name.length || !src.startsWith(last.name, start)) {
      const guess = order[next];
      if (guess !== undefined && end - start === guess.name.length && src.startsWith(guess.name, start)) position = next;
      else {
        const c = t.chains.get(src.slice(start, end)) as Draft | undefined;
        if (!c) return false;
        position = c.position;
      }
      last.name = order[position]!.name;
      last.position = position;
      next = position + 1;
    }
    targets.buf[targets.length <= i ? grow(targets, i) : i] = position;
  }
  for (const name of scan.sets(body)) if (!t.sets.has(name)) return false;
  return true;
}

/** Makes `list` long enough to hold index i; returns i. */
function grow(list: { length: number; push(k: number): void }, i: number): number {
  while (list.length <= i) list.push(-1);
  return i;
}
