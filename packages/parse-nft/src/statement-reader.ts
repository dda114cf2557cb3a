import type { DiagnosticSink } from './diagnostics';
import { Lexer, type Token } from './lexer';
import { spanOf } from './token-stream';

/** One logical statement of nft text: the tokens of a line (or up to `;`), comments removed. */
export interface Statement {
  readonly toks: Token[];
  /** The `# …` comment that ended the line, e.g. `handle 12` in `nft -a` output. */
  comment?: Token;
  /** The statement is a block header (`chain foo {`); its body follows. */
  readonly opensBlock: boolean;
  /** Set when the statement is just the `}` that closes the current block. */
  readonly closes?: Token;
  readonly eof: boolean;
}

/** Words that open a block when followed by `{` at the top level or in a table body. */
export const TABLE_BLOCK_WORDS: ReadonlySet<string> = new Set([
  'table', 'chain', 'set', 'map', 'flowtable', 'counter', 'quota', 'limit', 'ct', 'secmark', 'synproxy',
]);

/**
 * In a chain or set body only these open a block: a rule never starts with them, so seeing one
 * means the previous block was not closed (a damaged or hand-edited dump).
 */
export const BODY_BLOCK_WORDS: ReadonlySet<string> = new Set(['table', 'chain', 'set', 'map']);

/**
 * Splits the token stream into statements. A statement ends at a newline or `;` outside braces.
 * Inside braces a newline continues the statement only after `{` or `,` or before `}` — this is
 * how nft prints multi-line `elements = { … }` — so a rule with an unbalanced `{` swallows just
 * its own line, not the rest of the dump.
 */
export class StatementReader {
  private readonly lexer: Lexer;
  private pending: Token[] = [];

  constructor(
    private readonly src: string,
    private readonly file: string,
    private readonly sink: DiagnosticSink,
  ) {
    this.lexer = new Lexer(src);
  }

  private take(): Token {
    return this.pending.pop() ?? this.lexer.next();
  }

  private unread(t: Token): void {
    this.pending.push(t);
  }

  /** Where the next statement starts (a token read ahead and put back counts as not read). */
  position(): { pos: number; line: number; lineStart: number } {
    const t = this.pending[this.pending.length - 1];
    return t ? { pos: t.start, line: t.line, lineStart: t.start - t.col + 1 } : this.lexer.position;
  }

  /** Continues after text read by other means (see chain-scan.ts): nothing read ahead is kept. */
  seek(pos: number, line: number, lineStart: number): void {
    this.pending.length = 0;
    this.lexer.seek(pos, line, lineStart);
  }

  /** After a block header: the `# handle N` comment that follows `{` on the same line. */
  headerComment(): Token | undefined {
    const t = this.take();
    if (t.type === 'comment') return t;
    this.unread(t);
    return undefined;
  }

  /** Reads the next statement; `word … {` opens a block when `word` is one of `blockWords`. */
  read(blockWords: ReadonlySet<string>): Statement {
    const toks: Token[] = [];
    let comment: Token | undefined;
    const opens: Token[] = [];
    for (;;) {
      const t = this.take();
      switch (t.type) {
        case 'eof':
          for (const o of opens) this.unclosed(o);
          return { toks, comment, opensBlock: false, eof: toks.length === 0 };
        case 'comment':
          if (opens.length === 0) comment = t;
          else this.checkString(t);
          continue;
        case 'newline':
          if (opens.length === 0 || !this.continues(toks)) {
            if (opens.length > 0) for (const o of opens) this.unclosed(o);
            if (toks.length > 0) return { toks, comment, opensBlock: false, eof: false };
            comment = undefined;
          }
          continue;
        case 'semi':
          if (opens.length === 0) {
            if (toks.length > 0) return { toks, comment, opensBlock: false, eof: false };
            continue;
          }
          break;
        case 'lbrace':
          if (opens.length === 0 && toks[0]?.type === 'word' && blockWords.has(toks[0].text)) {
            toks.push(t);
            return { toks, opensBlock: true, eof: false };
          }
          opens.push(t);
          break;
        case 'rbrace':
          if (opens.length === 0) {
            if (toks.length > 0) {
              this.unread(t);
              return { toks, comment, opensBlock: false, eof: false };
            }
            return { toks, opensBlock: false, closes: t, eof: false };
          }
          opens.pop();
          break;
        case 'string':
          this.checkString(t);
          break;
        default:
          break;
      }
      toks.push(t);
    }
  }

  /** Inside braces, a line break continues the statement after `{`/`,`/`:` or before `}`. */
  private continues(toks: readonly Token[]): boolean {
    const last = toks[toks.length - 1];
    if (last && (last.type === 'lbrace' || last.type === 'comma' || (last.type === 'word' && last.text === ':'))) return true;
    const next = this.peekPastNewlines();
    return next.type === 'rbrace';
  }

  /** Looks past blank lines and comments; they are dropped only when a `}` follows. */
  private peekPastNewlines(): Token {
    const skipped: Token[] = [];
    let t = this.take();
    while (t.type === 'newline' || t.type === 'comment') {
      skipped.push(t);
      t = this.take();
    }
    this.unread(t);
    if (t.type !== 'rbrace') for (let i = skipped.length - 1; i >= 0; i--) this.unread(skipped[i]!);
    return t;
  }

  private unclosed(open: Token): void {
    this.sink.add('NFT_UNCLOSED_BLOCK', "expected '}' to close the '{' opened here", spanOf(this.file, open, open));
  }

  private checkString(t: Token): void {
    if (t.unterminated) this.sink.add('NFT_UNTERMINATED_STRING', 'expected a closing \'"\' before the end of the line', spanOf(this.file, t, t));
  }

  /** Skips the body of a block this parser does not model; returns false at end of input. */
  skipBlock(): { closed: boolean; endLine: number } {
    let depth = 1;
    for (;;) {
      const t = this.take();
      if (t.type === 'eof') return { closed: false, endLine: t.line };
      if (t.type === 'lbrace') depth++;
      if (t.type === 'rbrace' && --depth === 0) return { closed: true, endLine: t.line };
    }
  }

  get source(): string {
    return this.src;
  }
}
