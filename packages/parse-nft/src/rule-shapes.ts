import type { Expr, Family, Stmt } from './ast';
import { DiagnosticSink } from './diagnostics';
import { Lexer, type Token } from './lexer';
import { CHAIN, LIT, NUM, type PlainLine, SETREF } from './plain-line';
import { parseRuleTokens } from './rule-text';
import { RulesetBuilder } from './ruleset-builder';
import type { TextContext } from './text-context';

/**
 * Rule shapes: a rule line's tokens with the text of its chain names, set names, comment strings
 * and digits left out (`ip saddr 9.9.9.9 jump <chain>`). The parser decides what to do from the
 * text of the other tokens only:
 * - a word starting with a digit is never a keyword, a selector, an operator or a verdict; it is
 *   read by valueOf / parseInteger / parseTime / splitAddressPort, which answer alike for words
 *   that differ only in their digits (`10.0.0.1` and `10.180.3.7`: the same kind of answer, and
 *   none of them reports anything), so a run of digits stands for any run (a lone `0` is kept:
 *   `0x…` is hexadecimal);
 * - the word after `jump`/`goto` is taken as the chain name whatever it says;
 * - `@name` is a set reference whatever the name; a string after `comment` is the comment.
 * So one rule of a shape read in full tells for every rule of that shape whether the parser would
 * report anything, and that its chain and set references are exactly those tokens. A shape with a
 * problem is not trusted: its chains are read in full, so every problem is still reported.
 */
export interface Shape {
  /** The parser reports nothing for rules of this shape and their references are the class tokens. */
  readonly ok: boolean;
}

interface StoredShape extends Shape {
  /** The representative line's tokens: class, kind, space before, and literal text. */
  readonly cls: Uint8Array;
  readonly kind: Uint8Array;
  readonly space: Uint8Array;
  readonly text: readonly string[];
  readonly handle: boolean;
}

export class RuleShapes {
  private readonly byHash = new Map<number, StoredShape[]>();
  /** How many shapes were read in full (for tests and benches). */
  count = 0;

  constructor(
    private readonly src: string,
    private readonly file: string,
  ) {}

  /** The shape of `line` (tokens of `src` read by PlainLine), reading its first rule in full. */
  of(line: PlainLine, family: Family, lineNo: number, lineStart: number): Shape {
    const h = this.hash(line);
    let list = this.byHash.get(h);
    if (list) for (const s of list) if (this.same(s, line)) return s;
    if (!list) this.byHash.set(h, (list = []));
    const shape = this.store(line, this.verify(line, family, lineNo, lineStart));
    list.push(shape);
    this.count++;
    return shape;
  }

  private hash(line: PlainLine): number {
    const src = this.src;
    let h = line.handle ? 0x9e3779b1 : 0x811c9dc5;
    for (let k = 0; k < line.count; k++) {
      const cls = line.cls[k]!;
      h = Math.imul(h ^ (cls * 8 + line.kind[k]! * 2 + line.space[k]!), 16777619);
      if (cls === LIT) for (let p = line.start[k]!; p < line.end[k]!; p++) h = Math.imul(h ^ src.charCodeAt(p), 16777619);
      else if (cls === NUM) {
        let inDigits = false;
        for (let p = line.start[k]!; p < line.end[k]!; p++) {
          const c = src.charCodeAt(p);
          const digit = c >= 48 && c <= 57;
          if (digit && inDigits) continue;
          inDigits = digit;
          h = Math.imul(h ^ (digit ? collapsedDigit(src, p, line.end[k]!) : c), 16777619);
        }
      }
    }
    // Kept within V8's small integers, so looking it up allocates nothing.
    return h & 0x3fffffff;
  }

  private same(s: StoredShape, line: PlainLine): boolean {
    if (s.cls.length !== line.count || s.handle !== line.handle) return false;
    const src = this.src;
    for (let k = 0; k < line.count; k++) {
      const cls = line.cls[k]!;
      if (s.cls[k] !== cls || s.kind[k] !== line.kind[k] || s.space[k] !== line.space[k]) return false;
      if (cls === LIT) {
        const t = s.text[k]!;
        if (line.end[k]! - line.start[k]! !== t.length || !src.startsWith(t, line.start[k]!)) return false;
      } else if (cls === NUM && !collapsesTo(src, line.start[k]!, line.end[k]!, s.text[k]!)) return false;
    }
    return true;
  }

  private store(line: PlainLine, ok: boolean): StoredShape {
    const n = line.count;
    const text: string[] = [];
    for (let k = 0; k < n; k++) {
      const cls = line.cls[k]!;
      text.push(cls === LIT ? this.src.slice(line.start[k]!, line.end[k]!) : cls === NUM ? collapse(this.src, line.start[k]!, line.end[k]!) : '');
    }
    return { ok, cls: line.cls.slice(0, n), kind: line.kind.slice(0, n), space: line.space.slice(0, n), text, handle: line.handle };
  }

  /**
   * Reads the line in full as the chain reader would, and checks that the parser reports nothing
   * and takes exactly the CHAIN tokens as chain names and the SETREF tokens as set names.
   */
  private verify(line: PlainLine, family: Family, lineNo: number, lineStart: number): boolean {
    const lexer = new Lexer(this.src);
    lexer.seek(line.start[0]!, lineNo, lineStart);
    const toks: Token[] = [];
    let comment: Token | undefined;
    for (let t = lexer.next(); t.type !== 'newline' && t.type !== 'eof'; t = lexer.next()) {
      if (t.type === 'comment') comment = t;
      else toks.push(t);
    }
    const sink = new DiagnosticSink();
    const ctx: TextContext = { src: this.src, file: this.file, sink, builder: new RulesetBuilder(sink) };
    const rule = parseRuleTokens(ctx, toks, 0, family, comment);
    if (!rule || sink.list.length > 0 || toks.length !== line.count) return false;
    let chains = 0;
    let sets = 0;
    for (let k = 0; k < line.count; k++) {
      if (line.cls[k] === CHAIN) chains++;
      else if (line.cls[k] === SETREF) sets++;
    }
    const refs = { chains: 0, sets: 0 };
    for (const s of rule.statements) countStmt(s, refs);
    // Every chain name the parser reads is the word after a `jump`/`goto` word (a CHAIN token:
    // PlainLine leaves `goto jump x` to the full reader), every set name a word starting with `@`
    // (a SETREF token, unless it is a chain name): equal counts mean these tokens are exactly the
    // references.
    return refs.chains === chains && refs.sets === sets;
  }
}

/** Counts the chain names (verdicts) and set names (`@name`) anywhere in a statement. */
function countStmt(s: Stmt, refs: { chains: number; sets: number }): void {
  switch (s.kind) {
    case 'verdict':
      if (s.verdict.chain !== undefined) refs.chains++;
      return;
    case 'match':
      countExpr(s.left, refs);
      countExpr(s.right, refs);
      return;
    case 'vmap':
      countExpr(s.key, refs);
      countExpr(s.data, refs);
      return;
    case 'mangle':
      countExpr(s.target, refs);
      countExpr(s.value, refs);
      return;
    case 'dnat':
    case 'snat':
      if (s.addr) countExpr(s.addr, refs);
      if (s.port) countExpr(s.port, refs);
      return;
    case 'masquerade':
    case 'redirect':
      if (s.port) countExpr(s.port, refs);
      return;
    case 'setUpdate':
      refs.sets++;
      countExpr(s.elem, refs);
      return;
    default:
      return;
  }
}

function countExpr(e: Expr, refs: { chains: number; sets: number }): void {
  switch (e.kind) {
    case 'verdict':
      if (e.verdict.chain !== undefined) refs.chains++;
      return;
    case 'setref':
      refs.sets++;
      return;
    case 'range':
      countExpr(e.from, refs);
      countExpr(e.to, refs);
      return;
    case 'list':
      for (const i of e.items) countExpr(i, refs);
      return;
    case 'concat':
      for (const p of e.parts) countExpr(p, refs);
      return;
    case 'binop':
      countExpr(e.left, refs);
      countExpr(e.right, refs);
      return;
    case 'set':
      for (const el of e.elements) {
        countExpr(el.key, refs);
        if (el.data) countExpr(el.data, refs);
      }
      return;
    case 'map':
      countExpr(e.key, refs);
      countExpr(e.data, refs);
      return;
    default:
      return;
  }
}

/** A run of digits stands for any run, but a lone `0` stays (it starts `0x…`). */
function collapsedDigit(src: string, p: number, end: number): number {
  const next = p + 1 < end ? src.charCodeAt(p + 1) : -1;
  return src.charCodeAt(p) === 48 && !(next >= 48 && next <= 57) ? 48 : 57;
}

/** Whether `src[start … end)` collapses to `collapsed` (as collapse() would give it, without making a string). */
function collapsesTo(src: string, start: number, end: number, collapsed: string): boolean {
  let j = 0;
  let inDigits = false;
  for (let p = start; p < end; p++) {
    const c = src.charCodeAt(p);
    const digit = c >= 48 && c <= 57;
    if (digit && inDigits) continue;
    inDigits = digit;
    if (j >= collapsed.length || collapsed.charCodeAt(j++) !== (digit ? collapsedDigit(src, p, end) : c)) return false;
  }
  return j === collapsed.length;
}

function collapse(src: string, start: number, end: number): string {
  let out = '';
  let inDigits = false;
  for (let p = start; p < end; p++) {
    const c = src.charCodeAt(p);
    const digit = c >= 48 && c <= 57;
    if (digit && inDigits) continue;
    inDigits = digit;
    out += String.fromCharCode(digit ? collapsedDigit(src, p, end) : c);
  }
  return out;
}
