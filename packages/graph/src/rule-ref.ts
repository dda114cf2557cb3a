import type { KeyPart, RsChain, RsRule, Ruleset } from '@svcpath/ruleset';
import type { RuleRef } from './model';

export function ruleRef(chain: RsChain, rule: RsRule): RuleRef {
  return { chainId: chain.id, index: rule.index, file: rule.span.file, line: rule.span.line, raw: rule.raw, assumed: rule.assumed === true };
}

export { jumpTarget } from '@svcpath/proxy-layout';

/** A chain a rule can send a packet to, with what selects it. */
export interface RuleTarget {
  readonly chain: string;
  readonly kind: 'jump' | 'goto';
  /** Share of the traffic reaching the rule (numgen branches), when chance decides. */
  readonly share?: number;
  /** The verdict-map key that selects it (`172.30.0.44 . tcp . 80`), for vmaps. */
  readonly key?: string;
  /** The comment on the map element, when kube-proxy wrote one. */
  readonly comment?: string;
}

/** Text of a set element key, as nft lists it: `172.30.0.44 . tcp . 80`. */
export function keyText(key: readonly KeyPart[]): string {
  return key
    .map((k) => {
      switch (k.kind) {
        case 'cidr':
          return k.cidr.prefix === 32 || k.cidr.prefix === 128 ? k.cidr.text.replace(/\/\d+$/, '') : k.cidr.text;
        case 'range':
          return `${k.from.text}-${k.to.text}`;
        case 'proto':
          return k.proto;
        case 'ports':
        case 'number':
          return k.from === k.to ? String(k.from) : `${k.from}-${k.to}`;
        case 'name':
          return k.name;
        default: {
          const never: never = k;
          return String(never);
        }
      }
    })
    .join(' . ');
}

/**
 * Every chain a rule can jump or go to: its plain jump, the chains of a verdict map's elements
 * (named set in `rs.sets`, or inline; named maps need `rs`), and numgen branches with their share (values / mod).
 */
/**
 * The chains a rule jumps or goes to, by name: from the rule's own jumpTarget when it tells (a
 * lazily read iptables rule: no action built, as walking a 10,000-Service dump's every rule needs),
 * else from ruleTargets.
 */
export function targetChains(rs: Pick<Ruleset, 'sets'> | null, rule: RsRule): string[] {
  if (rule.jumpTarget && !rule.extra) {
    const name = rule.jumpTarget();
    return name === null ? [] : [name];
  }
  return ruleTargets(rs, rule).map((t) => t.chain);
}

export function ruleTargets(rs: Pick<Ruleset, 'sets'> | null, rule: RsRule): RuleTarget[] {
  const a = rule.action;
  if (!a) return [];
  if (a.kind === 'jump' || a.kind === 'goto') return [{ chain: a.chain, kind: a.kind }];
  if (a.kind === 'vmap') {
    const out: RuleTarget[] = [];
    for (const e of a.inline ?? rs?.sets.get(a.set)?.elements ?? []) {
      const v = e.verdict;
      if (v && (v.kind === 'jump' || v.kind === 'goto'))
        out.push({ chain: v.chain, kind: v.kind, key: keyText(e.key), ...(e.comment ? { comment: e.comment } : {}) });
    }
    return out;
  }
  if (a.kind === 'numgen') {
    const out: RuleTarget[] = [];
    for (const b of a.branches)
      if (b.verdict.kind === 'jump' || b.verdict.kind === 'goto')
        out.push({ chain: b.verdict.chain, kind: b.verdict.kind, share: a.mod > 0 ? b.values.length / a.mod : 0 });
    return out;
  }
  return [];
}
