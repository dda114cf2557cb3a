import type { Hook, RsChain, RsRule, Ruleset } from '@svcpath/ruleset';
import type { RuleLine } from './model';

/** A rule kube-proxy did not write that the kernel runs before kube-proxy's Service dispatch. */
export interface ForeignRule {
  readonly hook: Hook;
  readonly rule: RuleLine;
  /** Compared across sides: hook, chain and the rule's text (lines move when anything else changes). */
  readonly identity: string;
}

/** The hooks a new connection to a Service meets KUBE-SERVICES (or nft `services`) on. */
const HOOKS: readonly Hook[] = ['prerouting', 'output'];

function target(rule: RsRule): string | null {
  const a = rule.action;
  return a && (a.kind === 'jump' || a.kind === 'goto') ? a.chain : null;
}

/** Whether a rule hands the packet to kube-proxy's Service dispatch. */
function entersServices(chain: RsChain, rule: RsRule): boolean {
  const to = target(rule);
  return to === 'KUBE-SERVICES' || (to === 'services' && chain.table.includes('kube-proxy'));
}

/** kube-proxy's (and kubelet's KUBE-*) own rules. */
function isKubeProxys(chain: RsChain, rule: RsRule): boolean {
  const to = target(rule);
  return chain.table.includes('kube-proxy') || (to !== null && to.startsWith('KUBE-')) || /^kubernetes /.test(rule.comment ?? '') || rule.assumed === true;
}

/**
 * The rules on PREROUTING and OUTPUT that come before the jump into KUBE-SERVICES (earlier in
 * the same chain, or in base chains of higher priority) and are not kube-proxy's: a CNI's, a
 * service mesh's or someone's hand-written DNAT or DROP that steals or changes Service traffic
 * before kube-proxy sees it. Rules that only count (no target) are left out.
 */
export function foreignRulesBeforeServices(rs: Ruleset): ForeignRule[] {
  const out: ForeignRule[] = [];
  for (const hook of HOOKS) {
    const found: ForeignRule[] = [];
    let reached = false;
    for (const base of rs.hooks[hook]) {
      const chain = rs.chains.get(base.chainId);
      if (!chain || reached) continue;
      for (const rule of chain.rules) {
        if (entersServices(chain, rule)) {
          reached = true;
          break;
        }
        if (rule.action !== null && !isKubeProxys(chain, rule))
          found.push({ hook, rule: { file: rule.span.file, line: rule.span.line, chain: chain.id, text: rule.raw }, identity: `${hook} ${chain.id} ${rule.raw}` });
      }
    }
    // Without a jump into kube-proxy's dispatch there is no "before" to speak of.
    if (reached) out.push(...found);
  }
  return out;
}
