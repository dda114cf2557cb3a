import type { Cond, RsRule } from '@svcpath/ruleset';

/**
 * `question`'s answer about a rule's conditions, read once per rule shape when the rule can tell
 * (see RsRule.byShape): `question` must not read addresses, ports, probabilities, recent names or
 * comments, and must be a module-level function (answers are kept per function).
 */
export function condsByShape<T>(rule: RsRule, question: (conds: readonly Cond[]) => T): T {
  return rule.byShape ? rule.byShape(question) : question(rule.conds);
}
