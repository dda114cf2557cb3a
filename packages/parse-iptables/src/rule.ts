import type { Counters, Match, Rule, Span, Target } from './ast';
import { parseRuleBody, type ParsedRuleBody, type RuleProblem } from './parse-rule';
import { quickComment, quickTarget } from './quick-target';
import { ruleShape, type JumpSite } from './rule-shape';
import { tokenize, type Token } from './tokenize';

/** What the rules of one chain of one text share. */
export interface RuleSource {
  readonly table: string;
  readonly chain: string;
  readonly file: string;
  /** The text the rules' offsets point into: the whole dump, or one rule's statement. */
  readonly text: string;
  readonly tableInferred: boolean;
}

/**
 * A rule whose body (`-m … -j …`) is read the first time something asks for its matches, target,
 * comment or problems. Reading a dump only locates its rules; a trace then parses the chains it
 * walks, and `completeDiagnostics` the rest. The answer is the same as reading everything at once.
 */
export class LazyRule implements Rule {
  private parsed: ParsedRuleBody | null;
  private spanCache: Span | null = null;
  /** The target read from the line alone (see quick-target.ts), once asked; undefined: only the body can tell. */
  private quick: Target | null | undefined | typeof NOT_ASKED = NOT_ASKED;
  /**
   * Where the chain this rule jumps to is written, learnt from its shape (see validate): offsets
   * into the text, not a string kept for each of a large dump's rules. NOT_LEARNT, or NO_JUMP.
   */
  private jumpAt = NOT_LEARNT;
  private jumpEnd = 0;

  /**
   * The rule's text is `source.text.slice(start, end)` and its body starts at `bodyAt` (offsets
   * into the text, which may be the whole dump: a large dump's rules then cost no string of their
   * own, and what a chain's rules share is kept once, in `source`).
   */
  constructor(
    private readonly source: RuleSource,
    public index: number,
    private readonly line: number,
    private readonly start: number,
    private readonly end: number,
    private readonly prefixCounters: Counters | null,
    private readonly bodyAt: number,
    parsed: ParsedRuleBody | null,
  ) {
    this.parsed = parsed;
  }

  get table(): string {
    return this.source.table;
  }
  get chain(): string {
    return this.source.chain;
  }
  get tableInferred(): boolean {
    return this.source.tableInferred;
  }
  private get src(): string {
    return this.source.text;
  }

  get span(): Span {
    return (this.spanCache ??= { file: this.source.file, line: this.line });
  }

  get raw(): string {
    return this.src.slice(this.start, this.end);
  }

  private body(): ParsedRuleBody {
    return (this.parsed ??= this.read());
  }

  private read(): ParsedRuleBody {
    const { tokens, unterminated } = tokenize(this.src.slice(this.bodyAt, this.end));
    const parsed = parseRuleBody(tokens);
    if (unterminated) parsed.problems.unshift(UNTERMINATED);
    return parsed;
  }

  /**
   * The target without reading the whole body when the line ends `-j CHAIN` or `-g CHAIN` (most
   * of a kube-proxy dump): walking the jump graph of every chain then keeps no parsed rules.
   */
  private targetNow(): Target | null {
    if (this.parsed !== null) return this.parsed.target;
    const quick = this.quickRead();
    return quick !== undefined ? quick : this.body().target;
  }

  private quickRead(): Target | null | undefined {
    if (this.quick === NOT_ASKED) this.quick = quickTarget(this.src, this.bodyAt, this.end);
    return this.quick;
  }

  /**
   * The chain this rule jumps or goes to (null: none), without reading its body when the line
   * tells (checking every jump of a dump for missing chains).
   */
  jumpTarget(): string | null {
    if (this.jumpAt >= 0) return this.src.slice(this.jumpAt, this.jumpEnd);
    if (this.jumpAt === NO_JUMP) return null;
    const target = this.targetNow();
    return target && (target.kind === 'jump' || target.kind === 'goto') ? target.chain : null;
  }

  /**
   * What is not understood in this rule. A clean body is not kept (a check of every rule of a large
   * dump then leaves only the rules a trace walks parsed), and is not even read when a rule of the
   * same shape (see rule-shape.ts) already read cleanly; that rule's reading also tells where this
   * one jumps (`cleanShapes` keeps it), so checking a dump's jumps reads no body either. A rule with
   * problems, or whose quick target the full reading contradicts, keeps its reading.
   */
  validate(cleanShapes?: Map<string, ShapeJump>): readonly RuleProblem[] {
    if (this.parsed !== null) return this.parsed.problems;
    const site = cleanShapes ? SITE : null;
    const shape = site ? ruleShape(this.src, this.bodyAt, this.end, site) : null;
    const known = shape !== null ? cleanShapes!.get(shape) : undefined;
    if (known !== undefined) {
      if (known === 'none') this.jumpAt = NO_JUMP;
      else if (known === 'named') {
        this.jumpAt = site!.at;
        this.jumpEnd = site!.end;
      }
      return NO_PROBLEMS;
    }
    const parsed = this.read();
    const quick = this.quickRead();
    if (parsed.problems.length > 0 || (quick !== undefined && !sameTarget(quick, parsed.target))) this.parsed = parsed;
    else if (shape !== null) cleanShapes!.set(shape, shapeJump(parsed.target, this.src, site!));
    return parsed.problems;
  }

  get isParsed(): boolean {
    return this.parsed !== null;
  }
  get matches(): readonly Match[] {
    return this.body().matches;
  }
  get conds(): readonly Match[] {
    return this.body().matches;
  }
  get target(): Target | null {
    return this.targetNow();
  }
  get action(): Target | null {
    return this.targetNow();
  }
  get comment(): string | null {
    // Read from the line when it tells: a catalog of Services reads every rule's comment.
    const quick = this.parsed === null ? quickComment(this.src, this.bodyAt, this.end) : undefined;
    return quick !== undefined ? quick : this.body().comment;
  }
  get counters(): Counters | null {
    return this.prefixCounters ?? this.body().counters;
  }
  get problems(): readonly RuleProblem[] {
    return this.body().problems;
  }
}

/**
 * How the rules of one clean shape jump, from one of them read in full: `none` (no jump or goto:
 * the word after `-j` is the same in all), `named` (to the one chain name the shape leaves out),
 * `unknown` (anything else: each rule's own target tells).
 */
export type ShapeJump = 'none' | 'named' | 'unknown';

function shapeJump(target: Target | null, src: string, site: JumpSite): ShapeJump {
  const jumps = target !== null && (target.kind === 'jump' || target.kind === 'goto');
  if (!jumps) return site.count === 0 ? 'none' : 'unknown';
  return site.count === 1 && target.chain.length === site.end - site.at && src.startsWith(target.chain, site.at) ? 'named' : 'unknown';
}

/** One site reused by every validate (single-threaded, filled and read within one call). */
const SITE: JumpSite = { at: 0, end: 0, count: 0 };

/** Whether two readings of a target agree, field by field (addresses may be bigints). */
function sameTarget(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => sameTarget((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const NO_PROBLEMS: readonly RuleProblem[] = Object.freeze([]);
const NOT_LEARNT = -1;
const NOT_ASKED = Symbol('not asked');
const NO_JUMP = -2;

const UNTERMINATED: RuleProblem = {
  code: 'IPT_UNTERMINATED_QUOTE',
  severity: 'error',
  message: 'a quote is not closed; the rest of the line was read as one word',
};

/** Splits `[p:b] -A CHAIN [n] body…` without tokenising the body; `bodyAt` indexes into `raw`. */
export function splitRuleHead(stmt: string): { counters: Counters | null; raw: string; verb: string; chain: string; insertAt: number | null; bodyAt: number } {
  let raw = stmt;
  let counters: Counters | null = null;
  if (raw.charCodeAt(0) === 91 /* [ */) {
    const close = raw.indexOf(']');
    const colon = raw.indexOf(':');
    counters = { packets: Number(raw.slice(1, colon)), bytes: Number(raw.slice(colon + 1, close)) };
    raw = raw.slice(close + 1).trimStart();
  }
  const sp1 = raw.indexOf(' ');
  if (sp1 < 0) return { counters, raw, verb: raw, chain: '', insertAt: null, bodyAt: raw.length };
  let at = sp1 + 1;
  while (raw.charCodeAt(at) === 32) at++;
  const sp2 = raw.indexOf(' ', at);
  const chain = sp2 < 0 ? raw.slice(at) : raw.slice(at, sp2);
  let bodyAt = sp2 < 0 ? raw.length : sp2 + 1;
  const verb = raw.slice(0, sp1);
  let insertAt: number | null = null;
  if (verb === '-I') {
    const m = /^(\d+)(\s+|$)/.exec(raw.slice(bodyAt));
    insertAt = m ? Number(m[1]) : 1;
    if (m) bodyAt += m[0].length;
  }
  return { counters, raw, verb, chain, insertAt, bodyAt };
}

export type { Token };
