import type { Ruleset } from '@svcpath/ruleset';

const MARK_CHAINS = new Set(['KUBE-MARK-MASQ', 'mark-for-masquerade']);

/**
 * The pod CIDR kube-proxy's local-traffic detector was given (--cluster-cidr), read from the rules
 * that masquerade off-cluster traffic to a ClusterIP: `! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`
 * (iptables) or `ip saddr != 10.244.0.0/16 jump mark-for-masquerade` (nftables). Null when the
 * rules have none (no detector, or --masquerade-all).
 */
export function inferClusterCIDR(rs: Ruleset): string | null {
  const seen = new Map<string, number>();
  for (const chain of rs.chains.values())
    for (const rule of chain.rules) {
      const a = rule.action;
      if (!a || (a.kind !== 'jump' && a.kind !== 'goto') || !MARK_CHAINS.has(a.chain)) continue;
      for (const c of rule.conds) if (c.kind === 'addr' && c.dir === 'src' && c.negate) seen.set(c.cidr.text, (seen.get(c.cidr.text) ?? 0) + 1);
    }
  return [...seen].sort((x, y) => y[1] - x[1])[0]?.[0] ?? null;
}
