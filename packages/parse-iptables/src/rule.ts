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

  constructor(
    readonly table: string,
    readonly chain: string,
    public index: number,
    readonly span: Span,
    readonly raw: string,
    private readonly prefixCounters: Counters | null,
    readonly tableInferred: boolean,
    private bodyText: string | null,
    parsed: ParsedRuleBody | null,
  ) {
    this.parsed = parsed;
  }

  private body(): ParsedRuleBody {
    if (this.parsed === null) {
      const { tokens, unterminated } = tokenize(this.bodyText ?? '');
      this.parsed = parseRuleBody(tokens);
      if (unterminated) this.parsed.problems.unshift(UNTERMINATED);
      this.bodyText = null;
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

/** Splits `[p:b] -A CHAIN [n] body…` without tokenising the body. */
export function splitRuleHead(stmt: string): { counters: Counters | null; raw: string; verb: string; chain: string; insertAt: number | null; body: string } {
  let s = stmt;
  let counters: Counters | null = null;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    const [p, b] = s.slice(1, close).split(':');
    counters = { packets: Number(p), bytes: Number(b) };
    s = s.slice(close + 1).trimStart();
  }
  const raw = s;
  const sp1 = s.indexOf(' ');
  const verb = sp1 < 0 ? s : s.slice(0, sp1);
  let rest = sp1 < 0 ? '' : s.slice(sp1 + 1).trimStart();
  const sp2 = rest.indexOf(' ');
  const chain = sp2 < 0 ? rest : rest.slice(0, sp2);
  rest = sp2 < 0 ? '' : rest.slice(sp2 + 1);
  let insertAt: number | null = null;
  if (verb === '-I') {
    const m = /^(\d+)(\s+|$)/.exec(rest);
    insertAt = m ? Number(m[1]) : 1;
    if (m) rest = rest.slice(m[0].length);
  }
  return { counters, raw, verb, chain, insertAt, body: rest };
}

export type { Token };
