import type { IP } from '@svcpath/netaddr';
import { readNatRange } from '@svcpath/parse-iptables';
import type { Action, Cond, RsRule } from '@svcpath/ruleset';
import { natDestinations } from './jump-target';

type AddrCond = Extract<Cond, { kind: 'addr' }>;
type PortsCond = Extract<Cond, { kind: 'ports' }>;

/**
 * `question`'s answer about a rule's conditions and action, read once per rule shape when the rule
 * can tell (see RsRule.byShape): `question` must not read addresses, ports, probabilities, recent
 * names, comments or the chain jumped to, and must be a module-level function (answers are kept
 * per function).
 */
export function askByShape<T>(rule: RsRule, question: (rule: RuleReading) => T): T {
  return rule.byShape ? rule.byShape(question) : question(rule);
}

/** What a question asked by shape reads of a rule. */
export type RuleReading = Pick<RsRule, 'conds' | 'action'>;

/** The kind of a rule's action (`jump`, `goto`, `DNAT`, …), told by its shape when it can. */
export function actionKind(rule: RsRule): Action['kind'] | null {
  return askByShape(rule, kindOfAction);
}
const kindOfAction = (rule: RuleReading): Action['kind'] | null => rule.action?.kind ?? null;

/** A rule's `-s`/`-d` conditions, without reading its body when it can tell (see RsRule.addresses). */
export function addressConds(rule: RsRule): readonly AddrCond[] {
  return rule.addresses ? rule.addresses() : rule.conds.filter((c): c is AddrCond => c.kind === 'addr');
}

/** The address of a rule's first DNAT destination (null: it does not DNAT), without building its action when it can. */
export function natAddress(rule: RsRule): IP | null {
  const to = natDestinations(rule)?.[0];
  return to === undefined ? null : (readNatRange(to)?.from ?? null);
}

/** A rule's port conditions, without reading its body when it can tell (see RsRule.ports). */
export function portConds(rule: RsRule): readonly PortsCond[] {
  return rule.ports ? rule.ports() : rule.conds.filter((c): c is PortsCond => c.kind === 'ports');
}
