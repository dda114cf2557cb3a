import type { Span } from './ast';
import type { DiagnosticSink } from './diagnostics';
import type { Token } from './lexer';

/** Span covering tokens `first` … `last`. */
export function spanOf(file: string, first: Token, last: Token): Span {
  return { file, line: first.line, col: first.col, endLine: last.line, endCol: last.col + (last.end - last.start) };
}

/**
 * A cursor over the tokens of one statement (newlines and comments already removed). Parsers
 * read through it; raw text and spans come from the source by offset, so nothing is re-joined.
 */
export class TokenStream {
  i = 0;
  constructor(
    readonly toks: readonly Token[],
    readonly src: string,
    readonly file: string,
    readonly sink: DiagnosticSink,
  ) {}

  get atEnd(): boolean {
    return this.i >= this.toks.length;
  }

  peek(offset = 0): Token | undefined {
    return this.toks[this.i + offset];
  }

  /** The word at the cursor, or undefined if the token is not a word. */
  word(offset = 0): string | undefined {
    const t = this.toks[this.i + offset];
    return t !== undefined && t.type === 'word' ? t.text : undefined;
  }

  next(): Token | undefined {
    return this.toks[this.i++];
  }

  /** Consumes the word `w` if it is next. */
  eat(w: string): boolean {
    const t = this.toks[this.i];
    if (t !== undefined && t.type === 'word' && t.text === w) {
      this.i++;
      return true;
    }
    return false;
  }

  /** Raw source text from token index `from` to the token before the cursor. */
  rawFrom(from: number): string {
    const a = this.toks[from];
    const b = this.toks[Math.max(from, this.i - 1)];
    return a && b ? this.src.slice(a.start, b.end) : '';
  }

  rawBetween(from: number, to: number): string {
    const a = this.toks[from];
    const b = this.toks[to];
    return a && b ? this.src.slice(a.start, b.end) : '';
  }

  spanFrom(from: number): Span {
    const a = this.toks[from] ?? this.toks[this.toks.length - 1];
    const b = this.toks[Math.max(from, this.i - 1)] ?? a;
    return a && b ? spanOf(this.file, a, b) : { file: this.file, line: 1, col: 1, endLine: 1, endCol: 1 };
  }

  /** Span of the token at the cursor (or of the last token when at the end). */
  here(): Span {
    const t = this.toks[this.i] ?? this.toks[this.toks.length - 1];
    return t ? spanOf(this.file, t, t) : { file: this.file, line: 1, col: 1, endLine: 1, endCol: 1 };
  }
}
