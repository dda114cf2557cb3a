/**
 * A single-pass tokenizer for nft's text syntax. It looks at each character once (no regular
 * expressions), so a dump of tens of megabytes is read in linear time.
 *
 * nft's own scanner decides what `.`, `:`, `/` and `-` mean from context; `nft list` always puts
 * spaces around the concatenation `.`, the map `:` and binary operators, so here a word is a
 * maximal run of characters other than whitespace and `{ } ; , "`, and a standalone `.` or `:`
 * is an operator. Words such as `10.0.0.0/8`, `10.180.0.1:80` or `svc/tcp/p80__10.0.0.1/80` stay
 * whole and are split by the parser that knows what it expects.
 */

export type TokType = 'word' | 'string' | 'lbrace' | 'rbrace' | 'semi' | 'comma' | 'newline' | 'comment' | 'eof';

export interface Token {
  readonly type: TokType;
  /** Word text, string contents without quotes, or comment text after `#`. */
  readonly text: string;
  /** Offsets into the source; `end` is exclusive. */
  readonly start: number;
  readonly end: number;
  readonly line: number;
  /** 1-based column of `start`. */
  readonly col: number;
  /** True when whitespace (or line start) precedes the token. */
  readonly spaceBefore: boolean;
  /** Strings only: the closing quote was missing. */
  readonly unterminated?: boolean;
}

// The lexer's characters, shared with plain-line.ts, which must split words exactly as the lexer does.
export const SPACE = 32;
export const TAB = 9;
export const CR = 13;
export const LF = 10;
export const QUOTE = 34;
export const HASH = 35;
export const COMMA = 44;
export const SEMI = 59;
export const LBRACE = 123;
export const RBRACE = 125;
export const BACKSLASH = 92;

/** The characters that end a word, by code (all are ASCII). */
const DELIMITERS = new Uint8Array(128);
for (const c of [SPACE, TAB, CR, LF, LBRACE, RBRACE, SEMI, COMMA, QUOTE]) DELIMITERS[c] = 1;

/** A character that ends a word (a table, not nine comparisons: every character of a dump's words is tested). */
export function isDelimiter(c: number): boolean {
  return c < 128 && DELIMITERS[c] === 1;
}

export class Lexer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;

  constructor(private readonly src: string) {}

  /** Where the next token starts: its offset, line and the offset of that line's start. */
  get position(): { pos: number; line: number; lineStart: number } {
    return { pos: this.pos, line: this.line, lineStart: this.lineStart };
  }

  /** Continues from `pos` (on line `line`, which starts at `lineStart`): a reader skipping a block it read itself. */
  seek(pos: number, line: number, lineStart: number): void {
    this.pos = pos;
    this.line = line;
    this.lineStart = lineStart;
  }

  /** Returns the next token; at the end it keeps returning `eof`. */
  next(): Token {
    const src = this.src;
    let space = this.pos === this.lineStart;
    let c = src.charCodeAt(this.pos);
    while (c === SPACE || c === TAB || c === CR) {
      space = true;
      c = src.charCodeAt(++this.pos);
    }
    const start = this.pos;
    const col = start - this.lineStart + 1;
    const line = this.line;
    if (start >= src.length) return { type: 'eof', text: '', start, end: start, line, col, spaceBefore: true };
    if (c === LF) {
      this.pos++;
      this.line++;
      this.lineStart = this.pos;
      return { type: 'newline', text: '\n', start, end: start + 1, line, col, spaceBefore: space };
    }
    if (c === HASH && (space || this.prevIsPunct(start))) return this.comment(start, line, col, space);
    if (c === QUOTE) return this.string(start, line, col, space);
    const punct = punctType(c);
    if (punct) {
      this.pos++;
      return { type: punct, text: src[start]!, start, end: start + 1, line, col, spaceBefore: space };
    }
    let p = start + 1;
    while (p < src.length && !isDelimiter(src.charCodeAt(p))) p++;
    this.pos = p;
    return { type: 'word', text: src.slice(start, p), start, end: p, line, col, spaceBefore: space };
  }

  private prevIsPunct(at: number): boolean {
    const c = this.src.charCodeAt(at - 1);
    return c === RBRACE || c === LBRACE || c === SEMI || c === COMMA;
  }

  private comment(start: number, line: number, col: number, space: boolean): Token {
    const src = this.src;
    let p = start + 1;
    while (p < src.length && src.charCodeAt(p) !== LF) p++;
    this.pos = p;
    const text = src.slice(start + 1, p).trim();
    return { type: 'comment', text, start, end: p, line, col, spaceBefore: space };
  }

  private string(start: number, line: number, col: number, space: boolean): Token {
    const src = this.src;
    let p = start + 1;
    let escaped = false;
    while (p < src.length) {
      const c = src.charCodeAt(p);
      if (c === LF) break;
      if (c === QUOTE && !escaped) {
        this.pos = p + 1;
        const body = src.slice(start + 1, p);
        return { type: 'string', text: unescape(body), start, end: p + 1, line, col, spaceBefore: space };
      }
      escaped = c === BACKSLASH && !escaped;
      p++;
    }
    this.pos = p;
    return { type: 'string', text: src.slice(start + 1, p), start, end: p, line, col, spaceBefore: space, unterminated: true };
  }
}

function punctType(c: number): TokType | null {
  switch (c) {
    case LBRACE:
      return 'lbrace';
    case RBRACE:
      return 'rbrace';
    case SEMI:
      return 'semi';
    case COMMA:
      return 'comma';
    default:
      return null;
  }
}

function unescape(s: string): string {
  return s.includes('\\') ? s.replace(/\\(["\\])/g, '$1') : s;
}
