import type { Family, Span } from './ast';
import type { DiagnosticSink } from './diagnostics';
import type { Token } from './lexer';
import type { ScanState } from './chain-scan';
import type { RulesetBuilder } from './ruleset-builder';
import { spanOf, TokenStream } from './token-stream';

/** What every part of the text reader needs: the source, the file name, where to report. */
export interface TextContext {
  readonly src: string;
  readonly file: string;
  readonly sink: DiagnosticSink;
  readonly builder: RulesetBuilder;
  /** Reading plain chain bodies lazily (chain-scan.ts); absent: every rule is read at once. */
  readonly scan?: ScanState;
}

export function streamOf(ctx: TextContext, toks: readonly Token[]): TokenStream {
  return new TokenStream(toks, ctx.src, ctx.file, ctx.sink);
}

export function tokSpan(ctx: TextContext, first: Token, last: Token = first): Span {
  return spanOf(ctx.file, first, last);
}

/** Source text of tokens `toks[from..to]` (inclusive). */
export function rawOf(ctx: TextContext, toks: readonly Token[], from = 0, to = toks.length - 1): string {
  const a = toks[from];
  const b = toks[to];
  return a && b ? ctx.src.slice(a.start, b.end) : '';
}

/** Reads `# handle N` (the comment `nft -a` prints); undefined for any other comment. */
export function handleOf(comment: Token | undefined): number | undefined {
  if (!comment || !comment.text.startsWith('handle ')) return undefined;
  const n = Number(comment.text.slice(7).trim());
  return Number.isInteger(n) ? n : undefined;
}

/** The family of a table or chain reference; nft defaults to `ip` when it is omitted. */
export function familyAndName(ts: TokenStream): { family: Family; explicit: boolean } {
  const w = ts.word();
  if (w === 'ip' || w === 'ip6' || w === 'inet' || w === 'arp' || w === 'bridge' || w === 'netdev') {
    const after = ts.peek(1);
    if (after && (after.type === 'word' || after.type === 'string')) {
      ts.next();
      return { family: w, explicit: true };
    }
  }
  return { family: 'ip', explicit: false };
}

/** A name token (word or quoted string); undefined if missing. */
export function nameToken(ts: TokenStream): Token | undefined {
  const t = ts.peek();
  if (t && (t.type === 'word' || t.type === 'string')) {
    ts.next();
    return t;
  }
  return undefined;
}
