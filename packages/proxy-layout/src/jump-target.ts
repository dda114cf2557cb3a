import type { RsRule } from '@svcpath/ruleset';

/** The chain a rule jumps or goes to, or null. */
export function jumpTarget(rule: RsRule): string | null {
  if (rule.jumpTarget && !rule.extra) return rule.jumpTarget();
  const a = rule.action;
  return a && (a.kind === 'jump' || a.kind === 'goto') ? a.chain : null;
}

/** What a rule DNATs to, as written (`ip:port`), or null when it does not DNAT. */
export function natDestinations(rule: RsRule): readonly string[] | null {
  if (rule.natDestinations && !rule.extra) return rule.natDestinations();
  const a = rule.action;
  return a?.kind === 'DNAT' ? a.to.map((t) => t.text) : null;
}
