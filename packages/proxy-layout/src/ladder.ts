import type { RsChain, RsRule } from '@svcpath/ruleset';
import type { RuleLines } from '@svcpath/parse-iptables';
import { askByShape, type RuleReading } from './by-shape';
import { chainKindOf } from './chain-kind';
import { jumpTarget } from './jump-target';

/** Whether conditions check a recent list (`--rcheck`/`--update`): the same for every rule of a shape. */
const checksRecent = ({ conds }: RuleReading): boolean => conds.some((c) => c.kind === 'recent' && !c.negate && (c.op === 'rcheck' || c.op === 'update'));

function isAffinityCheck(rule: RsRule): boolean {
  return askByShape(rule, checksRecent);
}

/** Rules that pick an endpoint: a jump to a KUBE-SEP chain or a DNAT. */
function picksEndpoint(rule: RsRule): boolean {
  const to = jumpTarget(rule);
  return (to !== null && chainKindOf(to) === 'sep') || rule.action?.kind === 'DNAT';
}

/**
 * The share of the traffic entering `chain` that each endpoint-picking rule takes, following the
 * statistic ladder: a rule with probability p reached with remaining share r takes r·p, and a rule
 * without a statistic match takes all that remains. Affinity shortcuts (`-m recent --rcheck`) are
 * left out: whether they match depends on the client, not on chance. Keyed by rule index.
 */
export function ladderShares(chain: RsChain): Map<number, number> {
  const out = new Map<number, number>();
  let remaining = 1;
  for (const rule of chain.rules) {
    if (!picksEndpoint(rule) || isAffinityCheck(rule)) continue;
    const stat = rule.conds.find((c) => c.kind === 'statistic-random');
    const p = stat && stat.kind === 'statistic-random' ? (stat.negate ? 1 - stat.probability : stat.probability) : 1;
    const share = remaining * p;
    out.set(rule.index, share);
    remaining -= share;
  }
  return out;
}

/** The affinity timeout of a chain's `-m recent --rcheck` rules, or null when it has none. */
export function affinitySeconds(chain: RsChain): number | null {
  for (const rule of chain.rules) {
    const seconds = askByShape(rule, rcheckSeconds);
    if (seconds !== null) return seconds;
  }
  return null;
}

/** affinitySeconds from a scanned chain's lines. */
export function affinityOfLines(lines: RuleLines): number | null {
  for (let i = 0; i < lines.count; i++) {
    const seconds = lines.byShape(i, rcheckSeconds);
    if (seconds !== null) return seconds;
  }
  return null;
}

/** The timeout of the first `-m recent --rcheck` condition, or null (recent's --name is not read). */
function rcheckSeconds({ conds }: RuleReading): number | null {
  for (const c of conds) if (c.kind === 'recent' && c.op === 'rcheck' && !c.negate) return c.seconds ?? 0;
  return null;
}

export { isAffinityCheck };

/** How many endpoints a chain's nft numgen maps pick from (`numgen random mod n vmap`/`dnat … map`). */
export function numgenBranches(chain: RsChain): number {
  let n = 0;
  for (const rule of chain.rules) {
    const a = rule.action;
    if (a?.kind === 'numgen' || a?.kind === 'dnat-numgen') n += a.branches.length;
  }
  return n;
}
