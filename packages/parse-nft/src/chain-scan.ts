import type { Family, Span } from './ast';
import { CHAIN, PlainLine, SETREF } from './plain-line';
import { RuleShapes } from './rule-shapes';

const SPACE = 32;
const TAB = 9;
const CR = 13;
const LF = 10;
const RBRACE = 125;

/** What one text's lazily read chain bodies share: the text, and the chains they name, by offset. */
export class ScanState {
  readonly shapes: RuleShapes;
  readonly plain = new PlainLine();
  /** Chain names of every body, as [start, end) offsets into the text: refs[2i], refs[2i + 1]. */
  readonly refs = new IntList();
  /** Once its table is finished: the place of name i among its table's chains. */
  readonly targets = new IntList();
  /** Where the last body scanChainBody found ends. */
  readonly end: ScanEnd = { pos: 0, line: 0, lineStart: 0 };

  constructor(
    readonly src: string,
    readonly file: string,
  ) {
    this.shapes = new RuleShapes(src, file);
  }

  /** Chain name i as text. */
  ref(i: number): string {
    return this.src.slice(this.refs.buf[2 * i], this.refs.buf[2 * i + 1]);
  }
}

/**
 * A chain body found plain (every line a rule of a shape the parser reads without a problem, see
 * rule-shapes.ts): where it is, so its rules are read when first asked for, and what its rules
 * name, so references are checked without reading them.
 */
export interface LazyBody {
  readonly scan: ScanState;
  readonly family: Family;
  /** Offset of the line break after the chain's `{`, and that line's number and start. */
  readonly start: number;
  readonly line: number;
  readonly lineStart: number;
  /**
   * Where the `chain NAME {` header read by scanChainHeader starts, and the offset just after its
   * `{` (-1: the header was read by the full reader): its span and text are made from these when
   * asked for, not for every chain.
   */
  readonly headerStart: number;
  readonly braceEnd: number;
  readonly ruleCount: number;
  /** The chain names its rules jump or go to (verdict-map elements included), in order: scan.ref(from … to - 1). */
  readonly from: number;
  readonly to: number;
  /** Set and map names its rules use (`@name`, without `@`). */
  readonly sets: readonly string[];
  /** Its table is finished and every chain and set it names exists: scan.targets[from … to) are their places. */
  resolved: boolean;
}

/** A growing list of integers (no array per chain). */
export class IntList {
  buf = new Int32Array(4096);
  length = 0;

  push(k: number): void {
    if (this.length === this.buf.length) {
      const bigger = new Int32Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.length++] = k;
  }
}

/** Where the reader goes on after a chain's closing `}` (one per scan, rewritten by each body). */
export interface ScanEnd {
  pos: number;
  line: number;
  lineStart: number;
}

const NO_SETS: readonly string[] = Object.freeze([]);

/**
 * Scans a chain body from the line break after its `{` (`start`, on line `line` starting at
 * `lineStart`) to its closing `}`. Null when any line is not a plain rule of a trusted shape: the
 * full reader then reads the chain, reporting what it finds. The reader goes on at `scan.end`.
 * `headerStart` and `braceEnd` say where scanChainHeader found the header (-1: the full reader read it).
 */
export function scanChainBody(scan: ScanState, family: Family, start: number, bodyLine: number, bodyLineStart: number, headerStart: number, braceEnd: number): LazyBody | null {
  const { src, plain, shapes, refs } = scan;
  if (src.charCodeAt(start) !== LF) return null;
  const from = refs.length / 2;
  let sets: string[] | null = null;
  let ruleCount = 0;
  let line = bodyLine + 1;
  let lineStart = start + 1;
  const n = src.length;
  for (;;) {
    let q = lineStart;
    let c = src.charCodeAt(q);
    while (c === SPACE || c === TAB || c === CR) c = src.charCodeAt(++q);
    if (q >= n) break;
    if (c === RBRACE) {
      scan.end.pos = q + 1;
      scan.end.line = line;
      scan.end.lineStart = lineStart;
      return { scan, family, start, line: bodyLine, lineStart: bodyLineStart, headerStart, braceEnd, ruleCount, from, to: refs.length / 2, sets: sets ?? NO_SETS, resolved: false };
    }
    if (c !== LF) {
      if (!plain.read(src, q, true) || !shapes.of(plain, family, line, lineStart).ok) break;
      for (let k = 0; k < plain.count; k++) {
        const cls = plain.cls[k];
        if (cls === CHAIN) {
          refs.push(plain.start[k]!);
          refs.push(plain.end[k]!);
        } else if (cls === SETREF) (sets ??= []).push(src.slice(plain.start[k]! + 1, plain.end[k]!));
      }
      ruleCount++;
      q = plain.lineEnd;
    }
    line++;
    lineStart = q + 1;
  }
  refs.length = from * 2; // this chain is read in full: forget what it named
  return null;
}

/** A `chain NAME {` line as `nft list ruleset` prints it: where its parts are. */
export interface ChainHeader {
  readonly start: number;
  readonly nameStart: number;
  readonly nameEnd: number;
  /** Offset just after `{`. */
  readonly braceEnd: number;
  /** The line break ending the line (the body starts there). */
  readonly lineEnd: number;
  /** `# handle N` after `{` (nft -a). */
  readonly handle: number | undefined;
}

/**
 * Reads `chain NAME {` from `start` (the line's first non-blank character) to the end of its line,
 * as the statement reader would read it (three tokens, then an optional `# handle N`); null for
 * any other line, which the full reader then reads.
 */
export function scanChainHeader(src: string, start: number): ChainHeader | null {
  if (!src.startsWith('chain', start)) return null;
  let p = start + 5;
  if (src.charCodeAt(p) !== SPACE && src.charCodeAt(p) !== TAB) return null;
  while (src.charCodeAt(p) === SPACE || src.charCodeAt(p) === TAB) p++;
  const nameStart = p;
  for (let c = src.charCodeAt(p); p < src.length && !isHeaderDelimiter(c); c = src.charCodeAt(++p));
  const nameEnd = p;
  if (nameEnd === nameStart || src.charCodeAt(nameStart) === HASH) return null;
  while (src.charCodeAt(p) === SPACE || src.charCodeAt(p) === TAB) p++;
  if (src.charCodeAt(p) !== LBRACE || p === nameEnd) return null;
  const braceEnd = ++p;
  while (src.charCodeAt(p) === SPACE || src.charCodeAt(p) === TAB || src.charCodeAt(p) === CR) p++;
  let handle: number | undefined;
  if (src.charCodeAt(p) === HASH) {
    p++;
    while (src.charCodeAt(p) === SPACE || src.charCodeAt(p) === TAB) p++;
    if (!src.startsWith('handle ', p)) return null;
    p += 7;
    while (src.charCodeAt(p) === SPACE) p++;
    const digits = p;
    while (src.charCodeAt(p) >= 48 && src.charCodeAt(p) <= 57) p++;
    if (p === digits) return null;
    handle = Number(src.slice(digits, p));
    while (src.charCodeAt(p) === SPACE || src.charCodeAt(p) === TAB || src.charCodeAt(p) === CR) p++;
  }
  if (src.charCodeAt(p) !== LF) return null;
  return { start, nameStart, nameEnd, braceEnd, lineEnd: p, handle };
}

const HASH = 35;
const LBRACE = 123;

function isHeaderDelimiter(c: number): boolean {
  return c === SPACE || c === TAB || c === CR || c === LF || c === LBRACE || c === RBRACE || c === 59 || c === 44 || c === 34;
}

/** The span of a header scanChainHeader read (body.headerStart ≥ 0), as the full reader gives it. */
export function headerSpan(body: LazyBody): Span {
  return { file: body.scan.file, line: body.line, col: body.headerStart - body.lineStart + 1, endLine: body.line, endCol: body.braceEnd - body.lineStart + 1 };
}

/** The text of a header scanChainHeader read, `chain NAME {`, as the full reader keeps it. */
export function headerRaw(body: LazyBody): string {
  return body.scan.src.slice(body.headerStart, body.braceEnd);
}
