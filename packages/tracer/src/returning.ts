import type { IP } from '@svcpath/netaddr';
import type { Ruleset } from '@svcpath/ruleset';
import type { RecentState } from './types';
import { hostPort } from './walk';

/**
 * The xt_recent state of a client that reached `endpoint` (`ip:port`) moments ago: every list that
 * a rule DNAT-ing to that endpoint records the client in (kube-proxy's KUBE-SEP chains do
 * `-m recent --set --name KUBE-SEP-…` next to their DNAT) holds the client's address.
 */
export function recentForReturningClient(rs: Ruleset, client: IP, endpoint: string): RecentState {
  const lists = new Set<string>();
  for (const chain of rs.chains.values()) {
    const dnatsThere = chain.rules.some(
      (r) => r.action?.kind === 'DNAT' && r.action.to.some((t) => t.from && hostPort(t.from, t.ports?.from ?? 0) === endpoint),
    );
    if (!dnatsThere) continue;
    for (const r of chain.rules) for (const c of r.conds) if (c.kind === 'recent' && c.op === 'set') lists.add(c.name);
  }
  return new Map([...lists].map((name) => [name, [{ addr: client, ageSeconds: 0 }]]));
}
