import type { RsRule } from '@svcpath/ruleset';

/** The chain a rule jumps or goes to, or null. */
export function jumpTarget(rule: RsRule): string | null {
  if (rule.jumpTarget && !rule.extra) return rule.jumpTarget();
  const a = rule.action;
  return a && (a.kind === 'jump' || a.kind === 'goto') ? a.chain : null;
}
