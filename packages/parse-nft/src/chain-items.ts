import type { BaseChain, Family } from './ast';
import type { Token } from './lexer';
import { parseRuleTokens } from './rule-text';
import type { ChainDraft } from './ruleset-builder';
import { rawOf, streamOf, type TextContext, tokSpan } from './text-context';
import { resolvePriority } from './values';

/**
 * Applies one statement of a chain body: the base-chain header (`type … hook … priority …`),
 * `policy`, `comment`, `devices`, or else a rule.
 */
export function applyChainItem(ctx: TextContext, chain: ChainDraft, family: Family, toks: readonly Token[], comment?: Token): void {
  const first = toks[0]!;
  const w = first.type === 'word' ? first.text : '';
  if (w === 'type' && toks[2]?.text === 'hook') return readBaseHeader(ctx, chain, family, toks);
  if (w === 'policy') return readPolicy(ctx, chain, toks);
  if (w === 'comment' && toks.length === 2 && toks[1]!.type === 'string') {
    chain.comment = toks[1]!.text;
    return;
  }
  if (w === 'devices' || w === 'device') {
    const devices = deviceNames(toks.slice(1));
    if (chain.base) chain.base = { ...chain.base, devices };
    return;
  }
  if (w === 'flags' && toks.length >= 2) return;
  const rule = parseRuleTokens(ctx, toks, 0, family, comment);
  if (rule) chain.rules.push(rule);
}

function readBaseHeader(ctx: TextContext, chain: ChainDraft, family: Family, toks: readonly Token[]): void {
  const ts = streamOf(ctx, toks);
  ts.i = 1;
  const type = ts.next()?.text ?? '';
  ts.i = 3;
  const hook = ts.next()?.text ?? '';
  let devices: string[] = [];
  if (ts.word() === 'device' || ts.word() === 'devices') {
    const start = ts.i + 1;
    while (!ts.atEnd && ts.word() !== 'priority') ts.next();
    devices = deviceNames(toks.slice(start, ts.i));
  }
  if (!ts.eat('priority')) {
    ctx.sink.add('NFT_BAD_CHAIN_HEADER', `expected 'priority' after 'type ${type} hook ${hook}'`, tokSpan(ctx, toks[0]!, toks[toks.length - 1]!));
    return;
  }
  const prioToks = toks.slice(ts.i);
  const words = prioToks.map((t) => t.text);
  const priorityRaw = prioToks.length ? rawOf(ctx, prioToks) : '';
  const priority = resolvePriority(words, family);
  if (priority === null) {
    const at = prioToks[0] ?? toks[toks.length - 1]!;
    ctx.sink.add('NFT_BAD_CHAIN_HEADER', `expected a priority (a number, or raw/mangle/dstnat/filter/security/srcnat with an optional '+ N' or '- N'), found '${priorityRaw}'`, tokSpan(ctx, at, prioToks[prioToks.length - 1] ?? at));
  }
  const base: BaseChain = { type, hook, priority: priority ?? 0, priorityRaw, policy: chain.base?.policy ?? 'accept', devices };
  chain.base = base;
}

function readPolicy(ctx: TextContext, chain: ChainDraft, toks: readonly Token[]): void {
  const p = toks[1]?.text;
  if ((p !== 'accept' && p !== 'drop') || toks.length !== 2) {
    ctx.sink.add('NFT_BAD_CHAIN_HEADER', `expected 'policy accept' or 'policy drop', found '${rawOf(ctx, toks)}'`, tokSpan(ctx, toks[0]!, toks[toks.length - 1]!));
    return;
  }
  if (!chain.base) {
    ctx.sink.add('NFT_BAD_CHAIN_HEADER', `a policy needs a base chain ('type … hook … priority …' first)`, tokSpan(ctx, toks[0]!, toks[1]!));
    return;
  }
  chain.base = { ...chain.base, policy: p };
}

function deviceNames(toks: readonly Token[]): string[] {
  return toks.filter((t) => (t.type === 'word' && t.text !== '=') || t.type === 'string').map((t) => t.text);
}
