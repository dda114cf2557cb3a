import type { RsChain, RsRule } from '@svcpath/ruleset';
import { chainKindOf, hookOfChainName, isMarkMasqChain } from './chain-kind';
import { explainChain, explainVerdict, ENDPOINT_TEXT } from './explain';
import { affinitySeconds, ladderShares, numgenBranches } from './ladder';
import type { Badge, GraphNode } from './model';
import { jumpTarget, ruleRef } from './rule-ref';

export const chainNodeId = (chainId: string): string => `chain:${chainId}`;

function badgesOf(chain: RsChain, rules: readonly RsRule[]): Badge[] {
  const out: Badge[] = [];
  const kind = chainKindOf(chain.name);
  if (kind !== 'mark-masq' && rules.some((r) => isMarkMasqChain(jumpTarget(r) ?? ''))) out.push({ kind: 'masquerade', text: 'marks for masquerade' });
  const affinity = affinitySeconds(chain);
  if (affinity !== null) out.push({ kind: 'affinity', text: `ClientIP affinity ${affinity}s` });
  if (kind === 'sep' && rules.some((r) => r.conds.some((c) => c.kind === 'recent' && c.op === 'set')))
    out.push({ kind: 'affinity', text: 'remembers clients' });
  if (kind === 'svc' || kind === 'svl') {
    const n = ladderShares(chain).size + numgenBranches(chain);
    out.push(n === 0 ? { kind: 'no-endpoints', text: 'no endpoints' } : { kind: 'load-balanced', text: `${n.toLocaleString('en-US')} endpoint${n === 1 ? '' : 's'}` });
  }
  if (rules.some((r) => r.assumed)) out.push({ kind: 'assumed', text: 'assumed jumps' });
  return out;
}

/** A node for a chain, showing `rules` (all of them, or the ones relevant to the view). */
export function chainNode(chain: RsChain, rules: readonly RsRule[], extra: { service?: string; detail?: string } = {}): GraphNode {
  const kind = chainKindOf(chain.name);
  const total = chain.rules.length;
  const counted = rules.length === total ? `${total} rule${total === 1 ? '' : 's'}` : `${rules.length} of ${total} rules`;
  const detail = extra.detail ?? (kind === 'builtin' ? `${chain.table} · ${hookOfChainName(chain.name) ?? ''} hook` : `${chain.table} · ${counted}`);
  return {
    id: chainNodeId(chain.id),
    kind: kind === 'builtin' ? 'hook' : 'chain',
    chainKind: kind,
    label: chain.name,
    detail,
    chainIds: [chain.id],
    rules: rules.map((r) => ruleRef(chain, r)),
    totalRules: total,
    explanation: explainChain(kind, chain.name, chain.table),
    badges: badgesOf(chain, rules),
    ...(extra.service ? { service: extra.service } : {}),
  };
}

export const endpointNodeId = (endpoint: string): string => `endpoint:${endpoint}`;

export function endpointNode(endpoint: string, service?: string): GraphNode {
  return {
    id: endpointNodeId(endpoint),
    kind: 'endpoint',
    label: endpoint,
    detail: 'ServiceEndpoint',
    chainIds: [],
    rules: [],
    totalRules: 0,
    explanation: ENDPOINT_TEXT,
    badges: [],
    ...(service ? { service } : {}),
  };
}

export const verdictNodeId = (chainId: string, verdict: string): string => `verdict:${chainId}:${verdict}`;

export function verdictNode(chainId: string, verdict: string, detail: string): GraphNode {
  return {
    id: verdictNodeId(chainId, verdict),
    kind: 'verdict',
    label: verdict,
    detail,
    chainIds: [],
    rules: [],
    totalRules: 0,
    explanation: explainVerdict(verdict),
    badges: verdict === 'REJECT' && /no endpoints/.test(detail) ? [{ kind: 'no-endpoints', text: 'no endpoints' }] : [],
  };
}
