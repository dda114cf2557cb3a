import type { Counters, Match, Rule, Span, Target } from './ast';
import { parseRuleBody, type ParsedRuleBody, type RuleProblem } from './parse-rule';
import { tokenize, type Token } from './tokenize';

/**
 * A rule whose body (`-m … -j …`) is read the first time something asks for its matches, target,
 * comment or problems. Reading a dump only locates its rules; a trace then parses the chains it
 * walks, and `completeDiagnostics` the rest. The answer is the same as reading everything at once.
 */
export class LazyRule implements Rule {
  private parsed: ParsedRuleBody | null;
  private spanCache: Span | null = null;

  /**
   * The rule's text is `src.slice(start, end)` and its body starts at `bodyAt` (offsets into
   * `src`, which may be the whole dump: a large dump's rules then cost no string of their own).
   */
  constructor(
    readonly table: string,
    readonly chain: string,
    public index: number,
    private readonly file: string,
    private readonly line: number,
    private readonly src: string,
    private readonly start: number,
    private readonly end: number,
    private readonly prefixCounters: Counters | null,
    readonly tableInferred: boolean,
    private readonly bodyAt: number,
    parsed: ParsedRuleBody | null,
  ) {
    this.parsed = parsed;
  }

  get span(): Span {
    return (this.spanCache ??= { file: this.file, line: this.line });
  }

  get raw(): string {
    return this.src.slice(this.start, this.end);
  }

  private body(): ParsedRuleBody {
    if (this.parsed === null) {
      const { tokens, unterminated } = tokenize(this.src.slice(this.bodyAt, this.end));
      this.parsed = parseRuleBody(tokens);
      if (unterminated) this.parsed.problems.unshift(UNTERMINATED);
    }
    return this.parsed;
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
    return this.body().target;
  }
  get action(): Target | null {
    return this.body().target;
  }
  get comment(): string | null {
    return this.body().comment;
  }
  get counters(): Counters | null {
    return this.prefixCounters ?? this.body().counters;
  }
  get problems(): readonly RuleProblem[] {
    return this.body().problems;
  }
}

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
