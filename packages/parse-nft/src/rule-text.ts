import type { Diagnostic, Family, NftRule, ParseOptions, Stmt } from './ast';
import { DiagnosticSink } from './diagnostics';
import { Lexer, type Token } from './lexer';
import { RulesetBuilder, type RuleDraft } from './ruleset-builder';
import { parseStatements, xtMessage } from './stmt-parser';
import { handleOf, rawOf, streamOf, type TextContext, tokSpan } from './text-context';

/**
 * Parses one rule from its tokens (`toks[from..]`). `comment` is the `#` comment that ended the
 * line: `handle N` gives the handle; an older iptables-nft `# xt_name` note becomes an `xt`
 * statement so the rule is not taken for a plain one.
 */
export function parseRuleTokens(ctx: TextContext, toks: readonly Token[], from: number, family: Family, comment?: Token): RuleDraft | null {
  const body = from === 0 ? toks : toks.slice(from);
  const first = body[0];
  const last = body[body.length - 1];
  if (!first || !last) return null;
  const ts = streamOf(ctx, body);
  const { statements, comment: ruleComment } = parseStatements(ts, family);
  const handle = handleOf(comment);
  const xt = comment && handle === undefined ? /\bxt_([A-Za-z0-9_]+)/.exec(comment.text) : null;
  if (comment && xt) statements.push(xtFromComment(ctx, comment, xt[1]!));
  return {
    ...(handle !== undefined ? { handle } : {}),
    span: tokSpan(ctx, first, last),
    // The `# xt_…` note is part of what the rule does, so it stays in the raw text.
    raw: comment && xt ? ctx.src.slice(first.start, comment.end) : rawOf(ctx, body),
    statements,
    ...(ruleComment !== undefined ? { comment: ruleComment } : {}),
  };
}

function xtFromComment(ctx: TextContext, comment: Token, name: string): Stmt {
  const span = tokSpan(ctx, comment);
  ctx.sink.add('NFT_XT_EXPRESSION', xtMessage(name), span);
  return { kind: 'xt', xtType: 'match', name, raw: `#${comment.text}`, span };
}

/**
 * Parses the text of one rule (`ip daddr 10.0.0.1 tcp dport 80 dnat to 10.180.0.1:80`), as the
 * `raw` of an {@link NftRule} holds it. Line breaks and `#` comments are ignored, as they are
 * inside a rule's braces in a dump. `family` decides what a bare `reject` means (default ip).
 */
export function parseNftRule(text: string, options: ParseOptions & { readonly family?: Family }): { rule: NftRule | null; diagnostics: readonly Diagnostic[] } {
  const sink = new DiagnosticSink();
  const ctx: TextContext = { src: text, file: options.file, sink, builder: new RulesetBuilder(sink) };
  const lexer = new Lexer(text);
  const toks: Token[] = [];
  let trailing: Token | undefined;
  for (let t = lexer.next(); t.type !== 'eof'; t = lexer.next()) {
    if (t.type === 'comment') trailing = t;
    else if (t.type !== 'newline') {
      toks.push(t);
      trailing = undefined;
    }
  }
  const draft = parseRuleTokens(ctx, toks, 0, options.family ?? 'ip', trailing);
  return { rule: draft ? { ...draft, index: 0 } : null, diagnostics: sink.list };
}
