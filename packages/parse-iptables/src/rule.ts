import type { Counters, Match, Rule, Span, Target } from './ast';
import { parseRuleBody, type ParsedRuleBody, type RuleProblem } from './parse-rule';
import { quickAddresses, type AddrMatch } from './quick-addresses';
import { quickPorts, type PortsMatch } from './quick-ports';
import { quickComment, quickTarget } from './quick-target';
import { ruleShape, ruleShapeKey, type JumpSite } from './rule-shape';
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
  /** The clean shape this rule was found to have (see validate), or null: not known. */
  private shape: CleanShape | null = null;

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
  validate(cleanShapes?: Map<number, CleanShape>): readonly RuleProblem[] {
    if (this.parsed !== null) return this.parsed.problems;
    const site = cleanShapes ? SITE : null;
    const key = site ? ruleShapeKey(this.src, this.bodyAt, this.end, site) : null;
    const known = key !== null ? cleanShapes!.get(key) : undefined;
    if (known !== undefined) {
      this.learn(known, site!);
      return NO_PROBLEMS;
    }
    const parsed = this.read();
    const quick = this.quickRead();
    if (parsed.problems.length > 0 || (quick !== undefined && !sameTarget(quick, parsed.target))) this.parsed = parsed;
    else if (key !== null) {
      // The shape's text, once per shape (its DNAT is told from how the text ends: see shapeDnat).
      const clean = cleanShapeOf(parsed, ruleShape(this.src, this.bodyAt, this.end)!, this.src, this.bodyAt, this.end, site!);
      cleanShapes!.set(key, clean);
      this.learn(clean, site!);
    }
    return parsed.problems;
  }

  /**
   * Takes `shape` as this rule's, as validate would have learnt it: the caller knows the rule has
   * it (a scan that hashed its body to rule-shape.ts' shape, see scan.ts), and, for a shape that
   * jumps to the one chain it names, where in the text that name is (`jumpAt`, `jumpEnd`; -1: not
   * known, read from the line when asked).
   */
  adopt(shape: CleanShape, jumpAt: number, jumpEnd: number): void {
    this.shape = shape;
    if (shape.jump === 'none') this.jumpAt = NO_JUMP;
    else if (shape.jump === 'named' && jumpAt >= 0) {
      this.jumpAt = jumpAt;
      this.jumpEnd = jumpEnd;
    }
  }

  private learn(shape: CleanShape, site: JumpSite): void {
    this.shape = shape;
    if (shape.jump === 'none') this.jumpAt = NO_JUMP;
    else if (shape.jump === 'named') {
      this.jumpAt = site.at;
      this.jumpEnd = site.end;
    }
  }

  /**
   * The address (and port) of each destination this rule DNATs to, as written (null: it does not
   * DNAT). Told by the rule's shape when that ends in kube-proxy's `-j DNAT --to-destination ADDR:PORT`
   * (the endpoint is then the line's last word), so reading every endpoint of a large dump neither
   * reads nor keeps a target; otherwise read from the target.
   */
  natDestinations(): readonly string[] | null {
    const dnat = this.shape?.dnat;
    if (dnat === 'none') return null;
    if (dnat === 'last-word') return [this.src.slice(this.src.lastIndexOf(' ', this.end - 1) + 1, this.end)];
    const target = this.targetNow();
    return target?.kind === 'DNAT' ? target.to.map((t) => t.text) : null;
  }

  /**
   * The rule's `-s`/`-d` conditions, read from its words when its shape says that reads them as the
   * full reading does (see quick-addresses.ts): checking every KUBE-SEP chain's hairpin rule, or
   * every ClusterIP of KUBE-SERVICES, then reads and keeps no rule body.
   */
  addresses(): readonly AddrMatch[] {
    if (this.shape?.addresses) {
      const quick = quickAddresses(this.src, this.bodyAt, this.end);
      if (quick !== undefined) return quick;
    }
    return this.matches.filter(isAddress);
  }

  /**
   * The rule's port conditions (`--dport`, `--sport`, multiport), read from its words when its
   * shape says that reads them as the full reading does (see quick-ports.ts): the NodePorts and
   * ports of every KUBE-SERVICES rule are then read without reading or keeping rule bodies.
   */
  ports(): readonly PortsMatch[] {
    const template = this.shape?.ports;
    if (template) {
      const quick = quickPorts(this.src, this.bodyAt, this.end, template);
      if (quick !== undefined) return quick;
    }
    return this.matches.filter(isPorts);
  }

  /**
   * `question`'s answer about this rule's matches and target, asked once per shape: rules of one
   * clean shape (see validate) read the same but for the values the shape's classes stand for, so
   * an answer that reads none of those is the same for all of them, and no rule body is read or
   * kept for it. A rule whose shape is not known answers from its own reading. `question` must not
   * read addresses, ports after --dport/--sport, probabilities, recent's --name, comments or the
   * chain jumped to, and must be one function (not a closure made per call): answers are kept per
   * function.
   */
  byShape<T>(question: (rule: RuleReading) => T): T {
    // Unknown shape: the rule itself, which reads only what the question asks for.
    return this.shape === null ? question(this) : answerOfShape(this.shape, question);
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
    if (this.shape?.commented === false) return null;
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

/** `question`'s answer for every rule of `shape`, asked of its reading once (see LazyRule.byShape). */
export function answerOfShape<T>(shape: CleanShape, question: (rule: RuleReading) => T): T {
  if (shape.answers.has(question)) return shape.answers.get(question) as T;
  const answer = question(shape.reading);
  shape.answers.set(question, answer);
  return answer;
}

/**
 * How the rules of one clean shape jump, from one of them read in full: `none` (no jump or goto:
 * the word after `-j` is the same in all), `named` (to the one chain name the shape leaves out),
 * `unknown` (anything else: each rule's own target tells).
 */
export type ShapeJump = 'none' | 'named' | 'unknown';

/** What a question asked of a rule's shape may read (see LazyRule.byShape). */
export interface RuleReading {
  readonly conds: readonly Match[];
  readonly action: Target | null;
}

/**
 * A shape whose rules read cleanly: how they jump, the matches of the one rule read in full (the
 * same for all but the classes' values) and the answers asked of them (see LazyRule.byShape).
 */
export interface CleanShape {
  readonly jump: ShapeJump;
  /** `none`: no rule of the shape DNATs; `last-word`: each DNATs to the one address:port its line ends with. */
  readonly dnat: 'none' | 'last-word' | 'unknown';
  /** Whether its rules have a comment (what it says is one of the classes). */
  readonly commented: boolean;
  /** Whether quickAddresses reads its rules' `-s`/`-d` conditions as the full reading does. */
  readonly addresses: boolean;
  /** Its rules' port conditions but for their ranges, when quickPorts reads them as the full reading does; else null. */
  readonly ports: readonly PortsMatch[] | null;
  /** The rule read in full: the same for all but the classes' values. */
  readonly reading: RuleReading;
  readonly answers: Map<(rule: RuleReading) => unknown, unknown>;
}

/**
 * What the rules of `shape` share, from one of them (`src[bodyAt, end)`, read in full as `parsed`,
 * with its jump site as ruleShape left it in `site`); null when its rules must each be read: it has
 * problems, or the target its line seems to give (quick-target.ts) is not the one read in full.
 */
export function cleanShapeFrom(parsed: ParsedRuleBody, shape: string, src: string, bodyAt: number, end: number, site: JumpSite): CleanShape | null {
  const quick = quickTarget(src, bodyAt, end);
  if (parsed.problems.length > 0 || (quick !== undefined && !sameTarget(quick, parsed.target))) return null;
  return cleanShapeOf(parsed, shape, src, bodyAt, end, site);
}

function cleanShapeOf(parsed: ParsedRuleBody, shape: string, src: string, bodyAt: number, end: number, site: JumpSite): CleanShape {
  return {
    jump: shapeJump(parsed.target, src, site),
    dnat: shapeDnat(parsed.target, shape, src, end),
    commented: parsed.comment !== null,
    addresses: sameTarget(quickAddresses(src, bodyAt, end), parsed.matches.filter(isAddress)),
    ports: shapePorts(parsed.matches, src, bodyAt, end),
    reading: { conds: parsed.matches, action: parsed.target },
    answers: new Map(),
  };
}

function shapeJump(target: Target | null, src: string, site: JumpSite): ShapeJump {
  const jumps = target !== null && (target.kind === 'jump' || target.kind === 'goto');
  if (!jumps) return site.count === 0 ? 'none' : 'unknown';
  return site.count === 1 && target.chain.length === site.end - site.at && src.startsWith(target.chain, site.at) ? 'named' : 'unknown';
}

/** How the rules of one clean shape DNAT, from one of them read in full (see CleanShape). */
function shapeDnat(target: Target | null, shape: string, src: string, end: number): CleanShape['dnat'] {
  if (target?.kind !== 'DNAT') return 'none';
  const last = src.slice(src.lastIndexOf(' ', end - 1) + 1, end);
  const oneWord = shape.endsWith(' --to-destination \u0000A:\u0000P') || shape.endsWith(' --to-destination \u0000A');
  return oneWord && target.to.length === 1 && target.to[0]!.text === last ? 'last-word' : 'unknown';
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

const isAddress = (m: Match): m is AddrMatch => m.kind === 'addr';
const isPorts = (m: Match): m is PortsMatch => m.kind === 'ports';

/** A shape's port conditions when quickPorts reads its rule as the full reading does, else null. */
function shapePorts(matches: readonly Match[], src: string, from: number, to: number): readonly PortsMatch[] | null {
  const template = matches.filter(isPorts);
  return sameTarget(quickPorts(src, from, to, template), template) ? template : null;
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
