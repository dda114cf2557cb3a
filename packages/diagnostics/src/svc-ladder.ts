import { chainKindOf, ladderShares, natDestinations, ownersByNumber, serviceChains } from '@svcpath/proxy-layout';
import type { RsChain, RsRule, Ruleset } from '@svcpath/ruleset';
import { chainsInOrder } from './chain-lines';

/** One endpoint-picking rule of a KUBE-SVC/KUBE-SVL chain and the share of new connections it takes. */
export interface LadderStep {
  readonly rule: RsRule;
  /** `ip:port` the KUBE-SEP chain it jumps to DNATs to; null when that chain has no DNAT. */
  readonly endpoint: string | null;
  readonly share: number;
}

export interface ServiceLadder {
  readonly chain: RsChain;
  readonly kind: 'svc' | 'svl';
  readonly steps: readonly LadderStep[];
}

/** The DNAT destination of a KUBE-SEP chain. */
function sepEndpoint(rs: Ruleset, table: string, chainName: string): string | null {
  for (const r of rs.chains.get(`${table}/${chainName}`)?.rules ?? []) {
    // As written, without building the target (a lazily read rule's shape tells it).
    const to = natDestinations(r);
    if (to !== null) return to[0] ?? null;
  }
  return null;
}

/** A KUBE-SVC chain (Cluster policy) or KUBE-SVL chain (Local policy) kube-proxy wrote for a port. */
export interface LadderChain {
  readonly chain: RsChain;
  readonly kind: 'svc' | 'svl';
}

const byPort = new WeakMap<Ruleset, Map<string, LadderChain[]>>();

/**
 * The KUBE-SVC and KUBE-SVL chains of every ServicePortName, each list by chain id, found once per
 * ruleset: the drift check asks for every port, and a per-port list of all its chains (a KUBE-SEP
 * chain per endpoint) would be looked up and filtered again for each of them.
 */
function laddersByPort(rs: Ruleset): Map<string, LadderChain[]> {
  let m = byPort.get(rs);
  if (!m) {
    m = new Map();
    const owners = serviceChains(rs);
    // A scanned dump's owners by chain number: no id hashed for each ladder.
    const byNumber = ownersByNumber(rs, owners);
    // The chains by name, each one's owner looked up: cheaper than a pass over every owner's id
    // (~117,000 on a 10k node, a KUBE-SEP chain per endpoint), each id read and its chain looked
    // up. An owner's chain the dump lacks has no ladder to read either way.
    const chains = chainsInOrder(rs);
    for (let k = 0; k < chains.length; k++) {
      const chain = chains[k]!;
      if (!maybeLadder(chain.name)) continue;
      const kind = chainKindOf(chain.name);
      if (kind !== 'svc' && kind !== 'svl') continue;
      const portName = byNumber ? byNumber(k) : owners.get(chain.id);
      if (portName === undefined) continue;
      const list = m.get(portName);
      if (list) list.push({ chain, kind });
      else m.set(portName, [{ chain, kind }]);
    }
    for (const list of m.values()) list.sort((a, b) => (a.chain.id < b.chain.id ? -1 : 1));
    byPort.set(rs, m);
  }
  return m;
}

/** Whether a chain's name may be a ladder's (chainKindOf 'svc' or 'svl': `KUBE-SVC-…`, `KUBE-SVL-…`, nft `service-…`), told cheaply. */
function maybeLadder(name: string): boolean {
  return name.startsWith('KUBE-SV') || name.startsWith('service-');
}

/**
 * The KUBE-SVC and KUBE-SVL chains of one ServicePortName, by chain id, without reading their
 * rules: for checks that need a ladder's chain and a rule or two of it, not every step's share and
 * endpoint (the affinity check asks this for each of a large node's ~1,000 ClientIP ports).
 */
export function ladderChains(rs: Ruleset, portName: string): readonly LadderChain[] {
  return laddersByPort(rs).get(portName) ?? [];
}

/**
 * The probability ladders kube-proxy wrote for one ServicePortName: its KUBE-SVC chain (Cluster
 * policy) and KUBE-SVL chain (Local policy), each rule with the endpoint it picks and its share.
 */
export function serviceLadders(rs: Ruleset, portName: string): ServiceLadder[] {
  return ladderChains(rs, portName).map(({ chain, kind }) => ({ chain, kind, steps: ladderSteps(rs, chain) }));
}

function ladderSteps(rs: Ruleset, chain: RsChain): LadderStep[] {
  const shares = ladderShares(chain);
  const steps: LadderStep[] = [];
  for (const rule of chain.rules) {
    const share = shares.get(rule.index);
    if (share !== undefined) steps.push(new Step(rs, chain.table, rule, share));
  }
  return steps;
}

/**
 * A ladder step whose endpoint is read (the DNAT of the KUBE-SEP chain it jumps to) when first asked
 * for: the drift check reads every port's shares but the endpoints only of ports that drift.
 */
class Step implements LadderStep {
  private found: string | null | undefined = undefined;

  constructor(
    private readonly rs: Ruleset,
    private readonly table: string,
    readonly rule: RsRule,
    readonly share: number,
  ) {}

  get endpoint(): string | null {
    if (this.found === undefined) {
      const a = this.rule.action;
      this.found = a?.kind === 'DNAT' ? (a.to[0]?.text ?? null) : a && (a.kind === 'jump' || a.kind === 'goto') ? sepEndpoint(this.rs, this.table, a.chain) : null;
    }
    return this.found;
  }
}
