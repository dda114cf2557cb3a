import type { Family } from './ast';
import type { PlainLine} from './plain-line';
import { CHAIN, SETREF } from './plain-line';
import type { RuleShapes } from './rule-shapes';

const SPACE = 32;
const TAB = 9;
const CR = 13;
const LF = 10;
const RBRACE = 125;

/**
 * A chain body found plain (every line a rule of a shape the parser reads without a problem, see
 * rule-shapes.ts): where it is, so its rules are read when first asked for, and what its rules
 * name, so references are checked without reading them.
 */
export interface LazyBody {
  readonly src: string;
  readonly file: string;
  readonly family: Family;
  /** Offset of the line break after the chain's `{`, and that line's number and start. */
  readonly start: number;
  readonly line: number;
  readonly lineStart: number;
  readonly ruleCount: number;
  /** Chain names its rules jump or go to (verdict-map elements included), in order. */
  readonly chains: readonly string[];
  /** Set and map names its rules use (`@name`, without `@`). */
  readonly sets: readonly string[];
  /** Once its table is finished: the places of `chains` among the table's chains. */
  targets: { readonly list: TargetList; readonly from: number; readonly to: number } | null;
}

/** Chain positions of many bodies in one growing buffer (no array per chain). */
export class TargetList {
  buf = new Int32Array(1024);
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

/** Where the reader goes on after a chain's closing `}`. */
export interface ScanEnd {
  readonly pos: number;
  readonly line: number;
  readonly lineStart: number;
}

/**
 * Scans a chain body from the line break after its `{` (`start`, on line `line` starting at
 * `lineStart`) to its closing `}`. Null when any line is not a plain rule of a trusted shape: the
 * full reader then reads the chain, reporting what it finds.
 */
export function scanChainBody(
  shapes: RuleShapes,
  plain: PlainLine,
  body: Omit<LazyBody, 'ruleCount' | 'chains' | 'sets' | 'targets'>,
): { body: LazyBody; end: ScanEnd } | null {
  const src = body.src;
  if (src.charCodeAt(body.start) !== LF) return null;
  const chains: string[] = [];
  const sets: string[] = [];
  let ruleCount = 0;
  let line = body.line + 1;
  let lineStart = body.start + 1;
  const n = src.length;
  for (;;) {
    let q = lineStart;
    let c = src.charCodeAt(q);
    while (c === SPACE || c === TAB || c === CR) c = src.charCodeAt(++q);
    if (q >= n) return null;
    if (c === RBRACE) {
      // Built field by field: a spread here gives each body a hidden class of its own.
      const { file, family, start } = body;
      const found: LazyBody = { src, file, family, start, line: body.line, lineStart: body.lineStart, ruleCount, chains, sets, targets: null };
      return { body: found, end: { pos: q + 1, line, lineStart } };
    }
    if (c !== LF) {
      if (!plain.read(src, q, true)) return null;
      if (!shapes.of(plain, body.family, line, lineStart).ok) return null;
      for (let k = 0; k < plain.count; k++) {
        const cls = plain.cls[k];
        if (cls === CHAIN) chains.push(src.slice(plain.start[k]!, plain.end[k]!));
        else if (cls === SETREF) sets.push(src.slice(plain.start[k]! + 1, plain.end[k]!));
      }
      ruleCount++;
      q = plain.lineEnd;
    }
    line++;
    lineStart = q + 1;
  }
}
