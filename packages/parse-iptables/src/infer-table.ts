import type { Counters, Target } from './ast';

export interface PendingRule {
  readonly chain: string;
  readonly line: number;
  readonly raw: string;
  readonly bodyAt: number;
  readonly counters: Counters | null;
  readonly insertAt: number | null;
  /** Reading the body for inference: pastes without tables are small. */
  readonly parsed: { readonly target: Target | null } | null;
}

const NAT_CHAIN = /^(KUBE-(SVC|SEP|EXT|FW|SVL|XLB|MARK-MASQ|MARK-DROP|POSTROUTING|LOAD-BALANCER|LOOP-BACK)(-|$)|DOCKER$|CNI-|cali-nat|FLANNEL-POSTRTG)/;
const FILTER_CHAIN = /^(INPUT|FORWARD|KUBE-(FORWARD|FIREWALL|PROXY-FIREWALL|EXTERNAL-SERVICES|PROXY-CANARY|NODE-PORT)$|DOCKER-(USER|ISOLATION)|cali-(fw|tw|from|to|INPUT|FORWARD|OUTPUT)|FLANNEL-FWD)/;
const NAT_TARGETS = new Set(['DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT']);

/**
 * For pastes without `*table` headers (`iptables -S`, grep output): decides each rule's table from its
 * own target first (DNAT → nat, REJECT → filter, a jump to a chain known to be nat), then from its
 * chain's name and the other rules of that chain. kube-proxy reuses names across tables
 * (KUBE-SERVICES, KUBE-NODEPORTS exist in both nat and filter), which is why this works per rule.
 * With no rules, returns the table for `chainOnly` alone.
 */
export function inferRuleTable(rules: readonly PendingRule[], chainOnly?: string): string[] {
  const chainVotes = new Map<string, string>();
  const byName = (name: string): string | null => (NAT_CHAIN.test(name) ? 'nat' : FILTER_CHAIN.test(name) ? 'filter' : null);
  for (const r of rules) {
    const own = ownEvidence(r, byName);
    if (own && !chainVotes.has(r.chain)) chainVotes.set(r.chain, own);
  }
  if (chainOnly !== undefined) return [chainVotes.get(chainOnly) ?? byName(chainOnly) ?? defaultFor(chainOnly)];
  return rules.map((r) => {
    const own = ownEvidence(r, (n) => byName(n) ?? chainVotes.get(n) ?? null);
    return own ?? byName(r.chain) ?? chainVotes.get(r.chain) ?? defaultFor(r.chain);
  });
}

function ownEvidence(r: PendingRule, chainTable: (name: string) => string | null): string | null {
  const t = r.parsed?.target;
  if (!t) return null;
  if (NAT_TARGETS.has(t.kind)) return 'nat';
  if (t.kind === 'REJECT') return 'filter';
  if (t.kind === 'jump' || t.kind === 'goto') return chainTable(t.chain);
  return null;
}

function defaultFor(chain: string): string {
  return chain === 'PREROUTING' || chain === 'POSTROUTING' ? 'nat' : 'filter';
}
