import type { Expr, SetElement } from './ast';
import { COMMA, CR, HASH, LBRACE, LF, RBRACE, SPACE, TAB, isDelimiter } from './lexer';
import { isVerdictWord, valueOf } from './values';

/**
 * Reads a set's or map's `elements = {` block when it is written as `nft list ruleset` writes a
 * large one: `elements = {` alone on its line, then one element per line (`10.96.0.10 . tcp . 80
 * : goto service-…,`), then `}` alone. Each element is the one the full reader (StatementReader,
 * expr-parser.ts' parseElements) makes of it, with the same raw text and span, without making a
 * token per word: a 10,000-Service dump's Service map holds ~10,000 of them. An element of any
 * other form (options such as `comment`, data other than a verdict, several on a line, a comment,
 * a blank line) leaves the whole block to the full reader, which reports what it finds.
 */
export interface PlainElements {
  readonly elements: SetElement[];
  /** Just after the closing `}`, its line and that line's start (where the reader goes on). */
  readonly end: number;
  readonly line: number;
  readonly lineStart: number;
}

const EQUALS = 61;
const AT = 64;

/** Key words the expression parser does not take as a constant (expr-parser.ts' RESERVED). */
const RESERVED: ReadonlySet<string> = new Set(['.', ':', '==', '!=', '<', '>', '<=', '>=', '/', '&', '|', '^', 'map', 'vmap', 'set']);

/**
 * The elements block whose `elements` word is at `p` (the first character of line `line`, which
 * starts at `lineStart`, after blanks), or null when it is not written plainly.
 */
export function readPlainElements(src: string, file: string, p: number, line: number, lineStart: number): PlainElements | null {
  // Three tokens, as the lexer splits them: `elements`, `=`, `{` (`elements={` would be one word).
  if (!src.startsWith('elements', p) || !isBlank(src.charCodeAt(p + 8))) return null;
  p = blanks(src, p + 8);
  if (src.charCodeAt(p) !== EQUALS || !isBlank(src.charCodeAt(p + 1))) return null;
  p = blanks(src, p + 1);
  if (src.charCodeAt(p) !== LBRACE) return null;
  p = blanks(src, p + 1);
  if (src.charCodeAt(p) !== LF) return null;
  const elements: SetElement[] = [];
  let more = true;
  for (;;) {
    line++;
    lineStart = p + 1;
    const q = blanks(src, lineStart);
    if (src.charCodeAt(q) === RBRACE) {
      const after = blanks(src, q + 1);
      if (elements.length === 0 || (after < src.length && src.charCodeAt(after) !== LF)) return null;
      return { elements, end: q + 1, line, lineStart };
    }
    if (!more) return null;
    const el = readElement(src, file, q, line, lineStart);
    if (!el) return null;
    elements.push(el.element);
    more = el.comma;
    p = el.lineEnd;
  }
}

/** One element line from its first word at `q`: the element, whether a comma ends it, and its line break. */
function readElement(src: string, file: string, q: number, line: number, lineStart: number): { element: SetElement; comma: boolean; lineEnd: number } | null {
  const first = q;
  const parts: Expr[] = [];
  let keyEnd: number;
  for (;;) {
    const end = wordEnd(src, q);
    const text = src.slice(q, end);
    if (end === q || RESERVED.has(text) || text.charCodeAt(0) === AT || text.charCodeAt(0) === HASH) return null;
    parts.push(valueOf(text));
    keyEnd = end;
    q = blanks(src, end);
    if (q === end || src.charCodeAt(q) !== 46 /* . */ || !isDelimiter(src.charCodeAt(q + 1))) break;
    q = blanks(src, q + 1);
  }
  const key: Expr = parts.length === 1 ? parts[0]! : { kind: 'concat', parts, raw: src.slice(first, keyEnd) };
  let data: Expr | undefined;
  let last = keyEnd;
  if (src.charCodeAt(q) === 58 /* : */ && q > keyEnd && isDelimiter(src.charCodeAt(q + 1))) {
    const from = blanks(src, q + 1);
    const codeEnd = wordEnd(src, from);
    const code = src.slice(from, codeEnd);
    if (!isVerdictWord(code)) return null;
    if (code === 'jump' || code === 'goto') {
      const at = blanks(src, codeEnd);
      const end = wordEnd(src, at);
      if (at === codeEnd || end === at || src.charCodeAt(at) === HASH) return null;
      data = { kind: 'verdict', verdict: { code, chain: src.slice(at, end) }, raw: src.slice(from, end) };
      last = end;
    } else {
      data = { kind: 'verdict', verdict: { code }, raw: code };
      last = codeEnd;
    }
    q = blanks(src, last);
  }
  const comma = src.charCodeAt(q) === COMMA;
  const lineEnd = comma ? blanks(src, q + 1) : q;
  if (src.charCodeAt(lineEnd) !== LF) return null;
  const span = { file, line, col: first - lineStart + 1, endLine: line, endCol: last - lineStart + 1 };
  return { element: { key, ...(data ? { data } : {}), raw: src.slice(first, last), span }, comma, lineEnd };
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === CR;
}

function blanks(src: string, p: number): number {
  for (let c = src.charCodeAt(p); c === SPACE || c === TAB || c === CR; c = src.charCodeAt(++p));
  return p;
}

function wordEnd(src: string, p: number): number {
  while (p < src.length && !isDelimiter(src.charCodeAt(p))) p++;
  return p;
}
