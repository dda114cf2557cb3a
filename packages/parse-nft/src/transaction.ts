import type { Family, Span } from './ast';
import { applyChainItem } from './chain-items';
import { parseElements } from './expr-parser';
import type { Token } from './lexer';
import { parseRuleTokens } from './rule-text';
import type { RuleDraft, TableDraft } from './ruleset-builder';
import { applySetItem, readElements } from './set-items';
import type { Statement } from './statement-reader';
import type { TokenStream } from './token-stream';
import { familyAndName, nameToken, rawOf, streamOf, type TextContext, tokSpan } from './text-context';
import { parseInteger } from './values';

const ADD_VERBS: ReadonlySet<string> = new Set(['add', 'create', 'insert', 'replace']);
const OBJECTS: ReadonlySet<string> = new Set(['table', 'chain', 'set', 'map', 'element', 'rule']);
const UNSUPPORTED_VERBS: ReadonlySet<string> = new Set(['list', 'reset', 'rename', 'describe', 'monitor', 'export', 'import', 'define', 'include', 'redefine', 'undefine', 'get']);

interface Cmd {
  readonly ctx: TextContext;
  readonly ts: TokenStream;
  readonly st: Statement;
  readonly verb: string;
  readonly span: Span;
}

/**
 * Replays one nft -f command, as knftables writes them for kube-proxy. Objects may be used
 * before they are created; the builder resolves them when the whole file has been read.
 */
export function runCommand(ctx: TextContext, st: Statement): void {
  const ts = streamOf(ctx, st.toks);
  const first = ts.word() ?? '';
  const span = tokSpan(ctx, st.toks[0]!, st.toks[st.toks.length - 1]!);
  let verb = 'add';
  if (ADD_VERBS.has(first) || first === 'delete' || first === 'destroy' || first === 'flush') {
    verb = first;
    ts.next();
  } else if (!OBJECTS.has(first)) {
    return unknown(ctx, st, span, UNSUPPORTED_VERBS.has(first));
  }
  const cmd: Cmd = { ctx, ts, st, verb, span };
  const object = ts.word();
  ts.next();
  if (verb === 'flush' && object === 'ruleset') return ctx.builder.flushRuleset();
  switch (object) {
    case 'table':
      return tableCmd(cmd);
    case 'chain':
      return chainCmd(cmd);
    case 'set':
    case 'map':
      return setCmd(cmd, object === 'map');
    case 'element':
      return elementCmd(cmd);
    case 'rule':
      return ruleCmd(cmd);
    default:
      return unknown(ctx, st, span, false);
  }
}

function unknown(ctx: TextContext, st: Statement, span: Span, known: boolean): void {
  const raw = rawOf(ctx, st.toks);
  ctx.builder.unparsed.push({ kind: 'unparsed', raw, span });
  if (known) ctx.sink.add('NFT_UNSUPPORTED_COMMAND', `'${st.toks[0]!.text}' commands are not replayed; kept as unparsed`, span);
  else ctx.sink.add('NFT_UNKNOWN_COMMAND', `expected 'table …' or a command (add, insert, delete, flush …) followed by table, chain, set, map, element or rule, found '${raw}'`, span);
}

/** `[family] table` then a table draft (created as a placeholder if the input has not made it yet). */
function tableRef(cmd: Cmd, declare: boolean): TableDraft | undefined {
  const { family } = familyAndName(cmd.ts);
  const name = nameToken(cmd.ts);
  if (!name) {
    cmd.ctx.sink.add('NFT_UNEXPECTED_TOKEN', `expected a table name in '${rawOf(cmd.ctx, cmd.st.toks)}'`, cmd.span);
    return undefined;
  }
  if (cmd.verb === 'delete' || cmd.verb === 'destroy' || cmd.verb === 'flush') return cmd.ctx.builder.findTable(family, name.text);
  return cmd.ctx.builder.table(family, name.text, cmd.span, rawOf(cmd.ctx, cmd.st.toks), declare);
}

function tableCmd(cmd: Cmd): void {
  const { ts, ctx } = cmd;
  const save = ts.i;
  const { family } = familyAndName(ts);
  const name = ts.peek()?.text ?? '';
  ts.i = save;
  if (cmd.verb === 'delete' || cmd.verb === 'destroy') return ctx.builder.deleteTable(family as Family, name);
  const t = tableRef(cmd, true);
  if (!t) return;
  if (cmd.verb === 'flush') {
    for (const c of t.chains.values()) c.rules = [];
    return;
  }
  for (const item of innerItems(ts)) applyTableItem(ctx, t, item);
}

/** `comment "…"` and `flags …` inside a table; anything else is kept as unparsed. */
export function applyTableItem(ctx: TextContext, t: TableDraft, toks: readonly Token[]): void {
  const w = toks[0]?.text;
  if (w === 'comment' && toks[1]?.type === 'string') t.comment = toks[1].text;
  else if (w === 'flags') t.flags = toks.slice(1).filter((x) => x.type === 'word').map((x) => x.text);
  else {
    const span = tokSpan(ctx, toks[0]!, toks[toks.length - 1]!);
    t.unparsed.push({ kind: 'unparsed', raw: rawOf(ctx, toks), span });
    ctx.sink.add('NFT_UNEXPECTED_TOKEN', `expected chain, set, map, comment or flags in table ${t.family} ${t.name}, found '${rawOf(ctx, toks)}'`, span);
  }
}

/** The `;`-separated items inside `{ … }` at the cursor (`{ type filter hook input priority 0 ; }`). */
function innerItems(ts: TokenStream): Token[][] {
  const out: Token[][] = [];
  if (ts.peek()?.type !== 'lbrace') return out;
  ts.next();
  let cur: Token[] = [];
  let depth = 0;
  for (let t = ts.next(); t; t = ts.next()) {
    if (depth === 0 && (t.type === 'semi' || t.type === 'rbrace')) {
      if (cur.length) out.push(cur);
      cur = [];
      if (t.type === 'rbrace') break;
      continue;
    }
    if (t.type === 'lbrace') depth++;
    if (t.type === 'rbrace') depth--;
    cur.push(t);
  }
  if (cur.length) out.push(cur);
  return out;
}

function chainCmd(cmd: Cmd): void {
  const t = tableRef(cmd, false);
  const name = nameToken(cmd.ts);
  if (!t || !name) return missing(cmd, t, 'chain');
  if (cmd.verb === 'delete' || cmd.verb === 'destroy') return void t.chains.delete(name.text);
  if (cmd.verb === 'flush') {
    const c = t.chains.get(name.text);
    if (c) c.rules = [];
    return;
  }
  const c = cmd.ctx.builder.chain(t, name.text, cmd.span, rawOf(cmd.ctx, cmd.st.toks), true);
  for (const item of innerItems(cmd.ts)) applyChainItem(cmd.ctx, c, t.family, item);
}

function setCmd(cmd: Cmd, isMap: boolean): void {
  const t = tableRef(cmd, false);
  const name = nameToken(cmd.ts);
  if (!t || !name) return missing(cmd, t, isMap ? 'map' : 'set');
  if (cmd.verb === 'delete' || cmd.verb === 'destroy') return void t.sets.delete(name.text);
  if (cmd.verb === 'flush') {
    const s = t.sets.get(name.text);
    if (s) s.elements = [];
    return;
  }
  const s = cmd.ctx.builder.set(t, name.text, isMap, cmd.span, rawOf(cmd.ctx, cmd.st.toks), true);
  for (const item of innerItems(cmd.ts)) applySetItem(cmd.ctx, s, item);
}

function elementCmd(cmd: Cmd): void {
  const t = tableRef(cmd, false);
  const name = nameToken(cmd.ts);
  if (!t || !name) return missing(cmd, t, 'set');
  if (cmd.verb === 'delete' || cmd.verb === 'destroy') {
    const s = t.sets.get(name.text);
    if (s && cmd.ts.peek()?.type === 'lbrace') {
      cmd.ts.next();
      cmd.ctx.builder.deleteElements(s, parseElements(cmd.ts) ?? []);
    }
    return;
  }
  const s = t.sets.get(name.text) ?? cmd.ctx.builder.set(t, name.text, false, cmd.span, rawOf(cmd.ctx, cmd.st.toks), false);
  readElements(cmd.ctx, s, cmd.ts);
}

/** `add|insert rule [family] table chain [position N | handle N | index N] statements…`. */
function ruleCmd(cmd: Cmd): void {
  const t = tableRef(cmd, false);
  const name = nameToken(cmd.ts);
  if (!t || !name) return missing(cmd, t, 'chain');
  const { ts, ctx } = cmd;
  let at: { by: 'handle' | 'index'; n: number } | undefined;
  const w = ts.word();
  if ((w === 'position' || w === 'handle' || w === 'index') && parseInteger(ts.word(1) ?? '') !== null) {
    at = { by: w === 'index' ? 'index' : 'handle', n: parseInteger(ts.word(1)!)! };
    ts.i += 2;
  }
  const chain = t.chains.get(name.text) ?? (cmd.verb === 'delete' ? undefined : ctx.builder.chain(t, name.text, cmd.span, rawOf(ctx, cmd.st.toks), false));
  if (!chain) return;
  if (cmd.verb === 'delete' || cmd.verb === 'destroy') {
    if (at?.by === 'handle') chain.rules = chain.rules.filter((r) => r.handle !== at.n);
    return;
  }
  if (ts.atEnd) return missing(cmd, t, 'rule');
  const rule = parseRuleTokens(ctx, cmd.st.toks, ts.i, t.family, cmd.st.comment);
  if (rule) placeRule(chain.rules, rule, cmd.verb, at);
}

function placeRule(rules: RuleDraft[], rule: RuleDraft, verb: string, at: { by: 'handle' | 'index'; n: number } | undefined): void {
  let pos = verb === 'insert' ? 0 : rules.length;
  if (at) {
    const idx = at.by === 'index' ? at.n : rules.findIndex((r) => r.handle === at.n);
    if (idx >= 0 && idx <= rules.length) pos = verb === 'insert' ? idx : Math.min(idx + 1, rules.length);
    if (verb === 'replace' && idx >= 0 && idx < rules.length) {
      rules[idx] = rule;
      return;
    }
  }
  rules.splice(pos, 0, rule);
}

function missing(cmd: Cmd, t: TableDraft | undefined, what: string): void {
  if (!t && (cmd.verb === 'delete' || cmd.verb === 'destroy' || cmd.verb === 'flush')) return;
  cmd.ctx.sink.add('NFT_UNEXPECTED_TOKEN', `expected a ${what} name in '${rawOf(cmd.ctx, cmd.st.toks)}'`, cmd.span);
}
