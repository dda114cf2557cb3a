import { serviceCatalog, servicePortNameOf, serviceOfPortName } from '@svcpath/proxy-layout';
import type { Ruleset } from '@svcpath/ruleset';

/** What a side's rules say, split by Service, as comparable text (no files, no lines). */
export interface RuleFingerprints {
  /** Everything no Service owns: hook jumps, shared chains, foreign rules. */
  readonly shared: string;
  /** Per Service (`ns/name`): its chains' rules, the entry rules and map elements naming it. */
  readonly services: ReadonlyMap<string, string>;
}

/**
 * The rules of a ruleset split by the Service they belong to, as text — so that a Service whose
 * text is the same on both sides of a same-mode diff, while the shared rest is the same too, needs
 * no tracing: the same rules send the same packets the same way. Null for IPVS (its virtual
 * services are not rules) — those are always traced.
 */
export function ruleFingerprints(rs: Ruleset): RuleFingerprints | null {
  if (rs.dataplane === 'ipvs' || rs.ipvs) return null;
  const ownerOfChain = new Map<string, string>();
  for (const svc of serviceCatalog(rs))
    for (const id of svc.chainIds) {
      ownerOfChain.set(id, svc.id);
      ownerOfChain.set(id.slice(id.indexOf('/') + 1), svc.id);
    }
  const parts = new Map<string, string[]>();
  const shared: string[] = [];
  const add = (owner: string | undefined, text: string) => (owner ? (parts.get(owner) ?? parts.set(owner, []).get(owner)!).push(text) : shared.push(text));
  for (const chain of rs.chains.values()) {
    const own = ownerOfChain.get(chain.id);
    for (const rule of chain.rules) {
      const a = rule.action;
      const target = a && (a.kind === 'jump' || a.kind === 'goto') ? a.chain : null;
      const named = servicePortNameOf(rule.comment);
      add(own ?? (named ? serviceOfPortName(named) : undefined) ?? (target ? (ownerOfChain.get(`${chain.table}/${target}`) ?? ownerOfChain.get(target)) : undefined), `${chain.id} ${rule.raw}`);
    }
  }
  for (const set of rs.sets.values())
    for (const e of set.elements) {
      const v = e.verdict;
      const named = servicePortNameOf(e.comment ?? null);
      const owner = (named ? serviceOfPortName(named) : undefined) ?? (v && (v.kind === 'jump' || v.kind === 'goto') ? ownerOfChain.get(v.chain) : undefined);
      add(owner, `${set.name} ${JSON.stringify(e.key)} ${JSON.stringify(v ?? null)} ${JSON.stringify(e.value ?? null)}`);
    }
  return { shared: shared.sort().join('\n'), services: new Map([...parts].map(([k, v]) => [k, v.sort().join('\n')])) };
}

/**
 * The Services whose rules are the same text on both sides, when the shared rules are too (else
 * none: a changed shared rule can change any Service's packets).
 */
export function unchangedServices(before: Ruleset, after: Ruleset): ReadonlySet<string> {
  if (before.dataplane !== after.dataplane) return new Set();
  const b = ruleFingerprints(before);
  const a = ruleFingerprints(after);
  if (!b || !a || b.shared !== a.shared) return new Set();
  return new Set([...b.services].filter(([id, text]) => a.services.get(id) === text).map(([id]) => id));
}
