import type { Family, Span } from './ast';
import { CHAIN, PlainLine, SETREF } from './plain-line';
import { RuleShapes } from './rule-shapes';

const SPACE = 32;
const TAB = 9;
const CR = 13;
const LF = 10;
const RBRACE = 125;

/** A plain body's fields in ScanState.bodies, at k * BODY_FIELDS + field (see LazyBody). */
const START = 0;
const LINE = 1;
const LINE_START = 2;
const HEADER_START = 3;
const BRACE_END = 4;
const RULE_COUNT = 5;
const FROM = 6;
const TO = 7;
/** Its family's place in FAMILIES. */
const FAMILY = 8;
/** Its set names' place in ScanState.setLists (0: none). */
const SETS = 9;
const BODY_FIELDS = 10;

const FAMILIES: readonly Family[] = ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'];
const NO_SETS: readonly string[] = Object.freeze([]);

/**
 * What one text's lazily read chain bodies share: the text, the chains they name, by offset, and
 * the bodies themselves, by number (columns of integers: a 10,000-Service dump's ~115,000 bodies
 * make no object each).
 */
export class ScanState {
  readonly shapes: RuleShapes;
  readonly plain = new PlainLine();
  /** Chain names of every body, as [start, end) offsets into the text: refs[2i], refs[2i + 1]. */
  readonly refs: IntList;
  /** Once its table is finished: the place of name i among its table's chains. */
  readonly targets: IntList;
  /** Where the last body scanChainBody found ends. */
  readonly end: ScanEnd = { pos: 0, line: 0, lineStart: 0 };
  /** Body k's fields at k * BODY_FIELDS (see LazyBody), as integers. */
  readonly bodies: IntList;
  /** The set names of the bodies that use sets (few do): a body's SETS field is a place here. */
  readonly setLists: (readonly string[])[] = [NO_SETS];

  constructor(
    readonly src: string,
    readonly file: string,
  ) {
    this.shapes = new RuleShapes(src, file);
    // Sized for what kube-proxy's dumps hold (a chain per ~240 characters, naming ~2 chains), so a
    // 10,000-Service dump's columns are not copied into twice their size again and again as they grow.
    this.bodies = new IntList(Math.ceil(src.length / 16));
    this.refs = new IntList(Math.ceil(src.length / 40));
    this.targets = new IntList(Math.ceil(src.length / 80));
  }

  /** Chain name i as text. */
  ref(i: number): string {
    return this.src.slice(this.refs.buf[2 * i], this.refs.buf[2 * i + 1]);
  }

  /** Body k as an object (made when asked for: reading its rules, its header's span). */
  body(k: number): LazyBody {
    const b = this.bodies.buf;
    const at = k * BODY_FIELDS;
    return {
      family: FAMILIES[b[at + FAMILY]!]!,
      start: b[at + START]!,
      line: b[at + LINE]!,
      lineStart: b[at + LINE_START]!,
      headerStart: b[at + HEADER_START]!,
      braceEnd: b[at + BRACE_END]!,
      ruleCount: b[at + RULE_COUNT]!,
      from: b[at + FROM]!,
      to: b[at + TO]!,
      sets: this.sets(k),
    };
  }

  /** The chain names body k's rules use are refs from(k) … to(k) - 1. */
  from(k: number): number {
    return this.bodies.buf[k * BODY_FIELDS + FROM]!;
  }

  to(k: number): number {
    return this.bodies.buf[k * BODY_FIELDS + TO]!;
  }

  /** The set and map names body k's rules use. */
  sets(k: number): readonly string[] {
    return this.setLists[this.bodies.buf[k * BODY_FIELDS + SETS]!]!;
  }

  ruleCount(k: number): number {
    return this.bodies.buf[k * BODY_FIELDS + RULE_COUNT]!;
  }

  /** Whether scanChainHeader read body k's header (its span and text are then made from the text). */
  hasHeader(k: number): boolean {
    return this.bodies.buf[k * BODY_FIELDS + HEADER_START]! >= 0;
  }

  /** Records a body scanChainBody found; returns its number. */
  addBody(family: Family, start: number, line: number, lineStart: number, headerStart: number, braceEnd: number, ruleCount: number, from: number, to: number, sets: readonly string[]): number {
    const list = this.bodies;
    const at = list.reserve(BODY_FIELDS);
    const b = list.buf;
    b[at + START] = start;
    b[at + LINE] = line;
    b[at + LINE_START] = lineStart;
    b[at + HEADER_START] = headerStart;
    b[at + BRACE_END] = braceEnd;
    b[at + RULE_COUNT] = ruleCount;
    b[at + FROM] = from;
    b[at + TO] = to;
    b[at + FAMILY] = FAMILIES.indexOf(family);
    b[at + SETS] = sets.length === 0 ? 0 : this.setLists.push(sets) - 1;
    return at / BODY_FIELDS;
  }
}

/**
 * A chain body found plain (every line a rule of a shape the parser reads without a problem, see
 * rule-shapes.ts): where it is, so its rules are read when first asked for, and what its rules
 * name, so references are checked without reading them. Kept as body number k of a ScanState;
 * this object is made only when asked for (ScanState.body).
 */
export interface LazyBody {
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
}

/** A growing list of integers (no array per chain). */
export class IntList {
  buf: Int32Array;
  length = 0;

  /** `capacity`: how many it holds before it grows (at least 1,024). */
  constructor(capacity = 4096) {
    this.buf = new Int32Array(Math.max(1024, capacity));
  }

  push(k: number): void {
    if (this.length === this.buf.length) this.grow();
    this.buf[this.length++] = k;
  }

  /** Makes room for `n` more; returns where they start (the list is `n` longer). */
  reserve(n: number): number {
    while (this.length + n > this.buf.length) this.grow();
    const at = this.length;
    this.length += n;
    return at;
  }

  private grow(): void {
    const bigger = new Int32Array(this.buf.length * 2);
    bigger.set(this.buf);
    this.buf = bigger;
  }
}

/** Where the reader goes on after a chain's closing `}` (one per scan, rewritten by each body). */
export interface ScanEnd {
  pos: number;
  line: number;
  lineStart: number;
}

/**
 * Scans a chain body from the line break after its `{` (`start`, on line `line` starting at
 * `lineStart`) to its closing `}`. Its body number, or -1 when any line is not a plain rule of a trusted shape: the
 * full reader then reads the chain, reporting what it finds. The reader goes on at `scan.end`.
 * `headerStart` and `braceEnd` say where scanChainHeader found the header (-1: the full reader read it).
 */
export function scanChainBody(scan: ScanState, family: Family, start: number, bodyLine: number, bodyLineStart: number, headerStart: number, braceEnd: number): number {
  const { src, plain, shapes, refs } = scan;
  if (src.charCodeAt(start) !== LF) return -1;
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
      return scan.addBody(family, start, bodyLine, bodyLineStart, headerStart, braceEnd, ruleCount, from, refs.length / 2, sets ?? NO_SETS);
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
  return -1;
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

/** The span of body k's header, read by scanChainHeader (hasHeader), as the full reader gives it. */
export function headerSpan(scan: ScanState, k: number): Span {
  const b = scan.body(k);
  return { file: scan.file, line: b.line, col: b.headerStart - b.lineStart + 1, endLine: b.line, endCol: b.braceEnd - b.lineStart + 1 };
}

/** The text of body k's header, `chain NAME {`, as the full reader keeps it. */
export function headerRaw(scan: ScanState, k: number): string {
  const b = scan.body(k);
  return scan.src.slice(b.headerStart, b.braceEnd);
}
