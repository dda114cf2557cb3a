import type { ParseOptions, ParseResult } from './ast';
import { applyChainItem } from './chain-items';
import { DiagnosticSink } from './diagnostics';
import { readPlainElements } from './plain-elements';
import { RulesetBuilder, type SetDraft, type TableDraft } from './ruleset-builder';
import { applySetItem } from './set-items';
import { ScanState, scanChainBody, scanChainHeader } from './chain-scan';
import { BODY_BLOCK_WORDS, type Statement, StatementReader, TABLE_BLOCK_WORDS } from './statement-reader';
import { nameHash } from './chain-drafts';
import { tablelessTable } from './tableless';
import { applyTableItem, runCommand } from './transaction';
import { familyAndName, handleOf, nameToken, rawOf, streamOf, type TextContext, tokSpan } from './text-context';

/**
 * Parses nft text: `nft list ruleset` output (with or without `-a` handles) and nft -f /
 * knftables transactions (`add table …`, `add rule …`, `add element …`, `flush`, `delete`).
 * Never throws: problems become diagnostics and the text is kept as `unparsed`.
 *
 * Plain chain bodies (every line one rule of a shape the parser reads without a problem: see
 * chain-scan.ts and rule-shapes.ts) are checked line by line but their rules are read when first
 * asked for; `eager` reads every rule at once. Either way the same problems are reported.
 */
export function parseNftText(text: string, options: ParseOptions): ParseResult {
  const sink = new DiagnosticSink();
  const scan = options.eager ? undefined : new ScanState(text, options.file);
  const builder = new RulesetBuilder(sink, scan);
  const ctx: TextContext = { src: text, file: options.file, sink, builder, ...(scan ? { scan } : {}) };
  try {
    const reader = new StatementReader(text, options.file, sink);
    let pending: Statement | null = null;
    for (;;) {
      const st: Statement = pending ?? reader.read(TABLE_BLOCK_WORDS);
      pending = null;
      if (st.eof) break;
      pending = topLevel(ctx, reader, st);
    }
  } catch (e) {
    sink.add('NFT_INTERNAL', `parser failure (please report): ${e instanceof Error ? e.message : String(e)}`, { file: options.file, line: 1, col: 1, endLine: 1, endCol: 1 });
  }
  return { ruleset: builder.finish(), diagnostics: sink.list };
}

/** Handles one top-level statement; returns a statement to handle next (block recovery). */
function topLevel(ctx: TextContext, reader: StatementReader, st: Statement): Statement | null {
  if (st.closes) {
    ctx.sink.add('NFT_UNEXPECTED_TOKEN', "unexpected '}': no block is open here", tokSpan(ctx, st.closes));
    return null;
  }
  if (st.opensBlock && st.toks[0]!.text === 'table') return tableBlock(ctx, reader, st);
  const kw = st.toks[0]!.text;
  if (st.opensBlock && (kw === 'chain' || kw === 'set' || kw === 'map')) {
    const t = tablelessTable(ctx, st.toks[1]?.text ?? '', tokSpan(ctx, st.toks[0]!, st.toks[st.toks.length - 1]!));
    return kw === 'chain' ? chainBlock(ctx, reader, t, st) : setBlock(ctx, reader, t, st);
  }
  if (st.opensBlock) {
    skipUnknownBlock(ctx, reader, st, ctx.builder.unparsed, 'NFT_UNKNOWN_COMMAND');
    return null;
  }
  runCommand(ctx, st);
  return null;
}

function skipUnknownBlock(ctx: TextContext, reader: StatementReader, st: Statement, into: { kind: 'unparsed'; raw: string; span: ReturnType<typeof tokSpan> }[], code: 'NFT_UNKNOWN_COMMAND' | 'NFT_UNSUPPORTED_TABLE_ITEM'): void {
  const first = st.toks[0]!;
  const { closed } = reader.skipBlock();
  const span = tokSpan(ctx, first, st.toks[st.toks.length - 1]!);
  into.push({ kind: 'unparsed', raw: rawOf(ctx, st.toks), span });
  ctx.sink.add(code, `'${first.text}' blocks are not modelled; the block was skipped and kept as unparsed`, span);
  if (!closed) ctx.sink.add('NFT_UNCLOSED_BLOCK', `expected '}' to close '${rawOf(ctx, st.toks)}'`, span);
}

function tableBlock(ctx: TextContext, reader: StatementReader, header: Statement): Statement | null {
  const ts = streamOf(ctx, header.toks);
  ts.next();
  const { family } = familyAndName(ts);
  const name = nameToken(ts)?.text ?? '';
  const span = tokSpan(ctx, header.toks[0]!, header.toks[header.toks.length - 1]!);
  if (!name) ctx.sink.add('NFT_UNEXPECTED_TOKEN', "expected a table name after 'table [family]'", span);
  const t = ctx.builder.table(family, name, span, rawOf(ctx, header.toks), true);
  const handle = handleOf(reader.headerComment());
  if (handle !== undefined) t.handle = handle;
  let pending: Statement | null = null;
  for (;;) {
    if (!pending && ctx.scan) plainChains(ctx, ctx.scan, reader, t);
    const st: Statement = pending ?? reader.read(TABLE_BLOCK_WORDS);
    pending = null;
    if (st.eof) {
      ctx.sink.add('NFT_UNCLOSED_BLOCK', `expected '}' to close table ${family} ${name} before the end of the input`, span);
      return null;
    }
    if (st.closes) return null;
    if (!st.opensBlock) {
      applyTableItem(ctx, t, st.toks);
      continue;
    }
    const kw = st.toks[0]!.text;
    if (kw === 'table') {
      ctx.sink.add('NFT_UNCLOSED_BLOCK', `expected '}' to close table ${family} ${name} before the next table`, span);
      return st;
    }
    if (kw === 'chain') pending = chainBlock(ctx, reader, t, st);
    else if (kw === 'set' || kw === 'map') pending = setBlock(ctx, reader, t, st);
    else skipUnknownBlock(ctx, reader, st, t.unparsed, 'NFT_UNSUPPORTED_TABLE_ITEM');
  }
}

/**
 * Reads the plain chains that follow in a table (`chain NAME {`, plain rule lines, `}`: see
 * chain-scan.ts) without making tokens, and leaves the reader at the first line that is anything
 * else, or at a chain whose body is not plain, for the full reader.
 */
function plainChains(ctx: TextContext, scan: ScanState, reader: StatementReader, t: TableDraft): void {
  const src = ctx.src;
  let { pos, line, lineStart } = reader.position();
  for (;;) {
    // Blank space and blank lines, as the reader skips them; stop at the first character of a line.
    let p = pos;
    let pLine = line;
    let pLineStart = lineStart;
    for (let c = src.charCodeAt(p); c === 32 || c === 9 || c === 13 || c === 10; c = src.charCodeAt(++p))
      if (c === 10) {
        pLine++;
        pLineStart = p + 1;
      }
    if (p >= src.length || !isBlankBefore(src, pLineStart, p)) break;
    line = pLine;
    lineStart = pLineStart;
    pos = lineStart; // the reader would skip what lies before p: it goes on from this line's start
    const h = scanChainHeader(src, p);
    if (!h) break;
    const name = src.slice(h.nameStart, h.nameEnd);
    // A chain named before (declared, or given rules by a command): the full reader reads this
    // block as it does any other, lazily too when it can (chainBlock).
    const hash = nameHash(src, h.nameStart, h.nameEnd);
    if (t.chains.has(name, hash)) break;
    const body = scanChainBody(scan, t.family, h.lineEnd, line, lineStart, p, h.braceEnd);
    if (body < 0) break;
    // Its span and text are made from the body's header offsets when first asked for.
    const chain = ctx.builder.plainChain(t, name, hash, body);
    if (h.handle !== undefined) chain.handle = h.handle;
    ({ pos, line, lineStart } = scan.end);
  }
  reader.seek(pos, line, lineStart);
}

/** Whether only blanks precede `at` on the line starting at `lineStart`. */
function isBlankBefore(src: string, lineStart: number, at: number): boolean {
  for (let p = lineStart; p < at; p++) {
    const c = src.charCodeAt(p);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/**
 * Reads a block body, handing each statement to `item`; returns a recovery statement, if any.
 * `plain`, when given, may read the next statement first by other means (true: it did).
 */
function blockBody(ctx: TextContext, reader: StatementReader, what: string, span: ReturnType<typeof tokSpan>, item: (st: Statement) => void, plain?: () => boolean): Statement | null {
  for (;;) {
    if (plain?.()) continue;
    const st = reader.read(BODY_BLOCK_WORDS);
    if (st.eof) {
      ctx.sink.add('NFT_UNCLOSED_BLOCK', `expected '}' to close ${what} before the end of the input`, span);
      return null;
    }
    if (st.closes) return null;
    if (st.opensBlock) {
      ctx.sink.add('NFT_UNCLOSED_BLOCK', `expected '}' to close ${what} before '${rawOf(ctx, st.toks)}'`, span);
      return st;
    }
    item(st);
  }
}

function chainBlock(ctx: TextContext, reader: StatementReader, t: TableDraft, header: Statement): Statement | null {
  const name = header.toks[1]?.type === 'lbrace' ? '' : (header.toks[1]?.text ?? '');
  const span = tokSpan(ctx, header.toks[0]!, header.toks[header.toks.length - 1]!);
  const chain = ctx.builder.chain(t, name, span, rawOf(ctx, header.toks), true);
  const handle = handleOf(reader.headerComment());
  if (handle !== undefined) chain.handle = handle;
  if (ctx.scan && chain.empty && chain.base === undefined && chain.comment === undefined) {
    const at = reader.position();
    const body = scanChainBody(ctx.scan, t.family, at.pos, at.line, at.lineStart, -1, -1);
    if (body >= 0) {
      chain.lazy = body;
      const { end } = ctx.scan;
      reader.seek(end.pos, end.line, end.lineStart);
      return null;
    }
  }
  return blockBody(ctx, reader, `chain '${name}'`, span, (st) => applyChainItem(ctx, chain, t.family, st.toks, st.comment));
}

function setBlock(ctx: TextContext, reader: StatementReader, t: TableDraft, header: Statement): Statement | null {
  const isMap = header.toks[0]!.text === 'map';
  const name = header.toks[1]?.type === 'lbrace' ? '' : (header.toks[1]?.text ?? '');
  const span = tokSpan(ctx, header.toks[0]!, header.toks[header.toks.length - 1]!);
  const set = ctx.builder.set(t, name, isMap, span, rawOf(ctx, header.toks), true);
  const handle = handleOf(reader.headerComment());
  if (handle !== undefined) set.handle = handle;
  const plain = ctx.scan ? () => plainElements(ctx, reader, set) : undefined;
  return blockBody(ctx, reader, `${isMap ? 'map' : 'set'} '${name}'`, span, (st) => applySetItem(ctx, set, st.toks), plain);
}

/**
 * Reads an `elements = {` block that follows, when it is written one element per line
 * (plain-elements.ts), as applySetItem would read it; false leaves it to the full reader.
 */
function plainElements(ctx: TextContext, reader: StatementReader, set: SetDraft): boolean {
  const src = ctx.src;
  let { pos: p, line, lineStart } = reader.position();
  for (let c = src.charCodeAt(p); c === 32 || c === 9 || c === 13 || c === 10; c = src.charCodeAt(++p))
    if (c === 10) {
      line++;
      lineStart = p + 1;
    }
  if (src.charCodeAt(p) !== 101 /* e */ || !isBlankBefore(src, lineStart, p)) return false;
  const r = readPlainElements(src, ctx.file, p, line, lineStart);
  if (!r) return false;
  for (const e of r.elements) set.elements.push(e);
  reader.seek(r.end, r.line, r.lineStart);
  return true;
}
