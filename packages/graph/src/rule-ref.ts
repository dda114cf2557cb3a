import type { RsChain, RsRule } from '@svcpath/ruleset';
import type { RuleRef } from './model';

export function ruleRef(chain: RsChain, rule: RsRule): RuleRef {
  return { chainId: chain.id, index: rule.index, file: rule.span.file, line: rule.span.line, raw: rule.raw, assumed: rule.assumed === true };
}

/** The chain a rule jumps or goes to, or null. */
export function jumpTarget(rule: RsRule): string | null {
  const a = rule.action;
  return a && (a.kind === 'jump' || a.kind === 'goto') ? a.chain : null;
}
