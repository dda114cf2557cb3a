import { BACKSLASH, COMMA, CR, HASH, LBRACE, LF, QUOTE, RBRACE, SEMI, SPACE, TAB, isDelimiter } from './lexer';
/**
 * Reads one line of a chain body the way Lexer and StatementReader would, without making tokens:
 * where each token starts and ends, and what class it is for the rule's shape (rule-shapes.ts).
 * Only "plain" rule lines are taken: one statement on one line, braces balanced on it, no `;`, no
 * comment but `# handle N`, strings without escapes. Anything else (a base chain's header, a rule
 * running over several lines, damage) is left to the full reader.
 */

/** Token classes. A rule's shape is its tokens with the text of the last four classes left out. */
export const LIT = 0;
/** A word starting with a digit: the parser treats it alike whatever its digits (see rule-shapes.ts). */
export const NUM = 1;
/** The word after `jump`/`goto`: a chain name. */
export const CHAIN = 2;
/** A word starting with `@`: a named set or map. */
export const SETREF = 3;
/** A string after the word `comment`. */
export const STR = 4;

const NOT_PLAIN = 255;

/** Token kinds, as the Lexer names them. */
export const WORD = 0;
export const STRING = 1;
export const PUNCT = 2;


/** Chain-body lines the full reader treats as something else than a rule (chain-items.ts, statement-reader.ts). */
const NOT_RULE_WORDS: ReadonlySet<string> = new Set(['type', 'policy', 'comment', 'devices', 'device', 'flags', 'table', 'chain', 'set', 'map']);

/** One line's tokens, in reused buffers. */
export class PlainLine {
  count = 0;
  readonly start = new Int32Array(1024);
  readonly end = new Int32Array(1024);
  readonly kind = new Uint8Array(1024);
  readonly cls = new Uint8Array(1024);
  readonly space = new Uint8Array(1024);
  /** The line ends with `# handle N`. */
  handle = false;
  /** Offset of the line's `\n` (or the end of the text). */
  lineEnd = 0;

  /**
   * Reads the rule line whose first token is at `pos` (whitespace before it skipped; `space` says
   * whether there was any, or the line starts there). False when the line is not plain.
   */
  read(src: string, pos: number, atLineStart: boolean): boolean {
    this.count = 0;
    this.handle = false;
    let depth = 0;
    let space = atLineStart;
    let p = pos;
    const n = src.length;
    for (;;) {
      let c = src.charCodeAt(p);
      while (c === SPACE || c === TAB || c === CR) {
        space = true;
        c = src.charCodeAt(++p);
      }
      if (p >= n) return false; // the dump ends inside the chain: the full reader reports it
      if (c === LF) {
        this.lineEnd = p;
        return depth === 0 && this.count > 0 && this.firstIsRule(src);
      }
      if (this.count === this.start.length) return false;
      const k = this.count;
      if (c === HASH && (space || isPunctBefore(this, k))) return depth === 0 && this.count > 0 && this.handleComment(src, p + 1) && this.firstIsRule(src);
      this.start[k] = p;
      this.space[k] = space ? 1 : 0;
      space = false;
      if (c === QUOTE) {
        if (this.afterVerdict(src, k)) return false; // a chain named by a string: left to the full reader
        let q = p + 1;
        for (let d = src.charCodeAt(q); q < n && d !== QUOTE; d = src.charCodeAt(++q)) if (d === LF || d === BACKSLASH) return false;
        if (q >= n) return false;
        p = q + 1;
        this.kind[k] = STRING;
        this.cls[k] = k > 0 && this.kind[k - 1] === WORD && isWord(src, this.start[k - 1]!, this.end[k - 1]!, 'comment') ? STR : LIT;
      } else if (c === LBRACE || c === RBRACE || c === COMMA || c === SEMI) {
        if (c === SEMI) return false;
        if (c === LBRACE) depth++;
        else if (c === RBRACE && --depth < 0) return false; // `}` ends the statement and the chain mid-line
        p++;
        this.kind[k] = PUNCT;
        this.cls[k] = LIT;
      } else {
        let q = p + 1;
        while (q < n && !isDelimiter(src.charCodeAt(q))) q++;
        this.kind[k] = WORD;
        const cls = this.wordClass(src, p, q, k);
        if (cls === NOT_PLAIN) return false;
        this.cls[k] = cls;
        p = q;
      }
      this.end[k] = p;
      this.count++;
    }
  }

  /** Whether token k follows the word `jump` or `goto`. */
  private afterVerdict(src: string, k: number): boolean {
    if (k === 0 || this.kind[k - 1] !== WORD || this.cls[k - 1] !== LIT) return false;
    const s = this.start[k - 1]!;
    const e = this.end[k - 1]!;
    return isWord(src, s, e, 'jump') || isWord(src, s, e, 'goto');
  }

  private wordClass(src: string, start: number, end: number, k: number): number {
    if (this.afterVerdict(src, k)) {
      // In `goto jump x` the chain is `jump`: such lines are left to the full reader.
      return isWord(src, start, end, 'jump') || isWord(src, start, end, 'goto') ? NOT_PLAIN : CHAIN;
    }
    const c = src.charCodeAt(start);
    if (c >= 48 && c <= 57) return NUM;
    if (c === 64) return SETREF;
    return LIT;
  }

  /** `# handle N` to the end of the line (what `nft -a` prints); any other comment is not plain. */
  private handleComment(src: string, p: number): boolean {
    let c = src.charCodeAt(p);
    while (c === SPACE || c === TAB) c = src.charCodeAt(++p);
    if (!src.startsWith('handle', p)) return false;
    p += 6;
    if (src.charCodeAt(p) !== SPACE) return false;
    while (src.charCodeAt(p) === SPACE) p++;
    const digits = p;
    for (c = src.charCodeAt(p); c >= 48 && c <= 57; c = src.charCodeAt(++p));
    if (p === digits) return false;
    while (c === SPACE || c === TAB || c === CR) c = src.charCodeAt(++p);
    if (p < src.length && c !== LF) return false;
    if (p >= src.length) return false; // no line break after it: the chain is not closed
    this.handle = true;
    this.lineEnd = p;
    return true;
  }

  private firstIsRule(src: string): boolean {
    if (this.kind[0] !== WORD) return false;
    const s = this.start[0]!;
    const len = this.end[0]! - s;
    // Cheap test first: the words that are not rules are 3 to 7 letters long.
    if (len < 3 || len > 7) return true;
    return !NOT_RULE_WORDS.has(src.slice(s, this.end[0]!));
  }
}

function isPunctBefore(line: PlainLine, k: number): boolean {
  return k > 0 && line.kind[k - 1] === PUNCT;
}

function isWord(src: string, start: number, end: number, w: string): boolean {
  return end - start === w.length && src.startsWith(w, start);
}
