import type { RsChain, RsRule, Ruleset } from '@svcpath/ruleset';
import { jumpTarget } from './jump-target';

/** kube-proxy's per-Service chains: KUBE-SVC/SVL/EXT/FW/SEP-<hash> and the older KUBE-XLB-<hash>. */
export const SERVICE_CHAIN = /^KUBE-(SVC|SVL|EXT|FW|SEP|XLB)-[A-Z0-9]{16}$/;

/**
 * kube-proxy's nftables chains name the Service port in full:
 * `service-ULMVA6XW-ns1/svc1/tcp/p80`, `endpoint-…-ns1/svc1/tcp/p80__10.180.0.1/80`.
 */
const NFT_SERVICE_CHAIN = /^(?:service|external|endpoint|firewall)-[A-Z0-9]{8}-([^/]+)\/([^/]+)\/[a-z]+\/([^_]*)(?:__.*)?$/;

/** The ServicePortName an nftables-mode chain name spells out, if it is one of kube-proxy's. */
export function servicePortNameOfNftChain(chain: string): string | null {
  const m = NFT_SERVICE_CHAIN.exec(chain);
  if (!m) return null;
  return m[3] ? `${m[1]}/${m[2]}:${m[3]}` : `${m[1]}/${m[2]}`;
}

/** A ServicePortName at the start of a kube-proxy comment: `ns/name:port` or `ns/name`. */
const SPN_AT_START = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[^\s]+)?)(\s|$)/;
/** Comments that name the Service later on: `masquerade traffic for ns/svc:p external destinations`. */
const SPN_AFTER_FOR = /\b(?:for|to) ([a-z0-9][-a-z0-9]*\/[a-z0-9][-a-z0-9.]*(?::[^\s]+)?)/;

/** The ServicePortName a kube-proxy comment is about, if it names one. */
export function servicePortNameOf(comment: string | null): string | null {
  if (!comment) return null;
  return SPN_AT_START.exec(comment)?.[1] ?? SPN_AFTER_FOR.exec(comment)?.[1] ?? null;
}

const cache = new WeakMap<Ruleset, Map<string, string>>();
const chainsOfOwners = new WeakMap<ReadonlyMap<string, string>, readonly (RsChain | undefined)[]>();

/**
 * The chain of each entry of an owners map (serviceChains, nftServiceChains), in its order; undefined
 * for a chain the dump only names (a jump to a chain it does not hold). Null: not known, look them up.
 */
export function ownerChainObjects(owners: ReadonlyMap<string, string>): readonly (RsChain | undefined)[] | null {
  return chainsOfOwners.get(owners) ?? null;
}

/** An owners map being built, with each entry's chain beside it (see ownerChainObjects). */
export class OwnersBuilder {
  readonly out = new Map<string, string>();
  private readonly chains: (RsChain | undefined)[] = [];

  add(id: string, portName: string, chain: RsChain | undefined): void {
    this.out.set(id, portName);
    this.chains.push(chain);
  }

  done(): Map<string, string> {
    chainsOfOwners.set(this.out, this.chains);
    return this.out;
  }
}

/**
 * Which ServicePortName each per-Service chain belongs to (`table/chain` → `ns/svc:port`), read from
 * the comments kube-proxy writes on the chain's own rules and on the rules jumping into it. Chains
 * with no comments anywhere map to nothing; callers then show the chain name.
 */
export function serviceChains(rs: Ruleset): Map<string, string> {
  const hit = cache.get(rs);
  if (hit) return hit;
  const owners = new OwnersBuilder();
  const out = owners.out;
  for (const chain of rs.chains.values()) {
    if (!SERVICE_CHAIN.test(chain.name)) continue;
    for (const r of chain.rules) {
      const own = servicePortNameOf(r.comment);
      if (own === null) continue;
      owners.add(chain.id, own, chain);
      break;
    }
  }
  const g = rs.jumpGraph;
  const byNumber = g !== undefined && rs.dataplane === 'iptables' && g.size === rs.chains.size;
  // Jump targets found by name in their table: no `table/chain` string built and hashed per jump, and
  // the map is keyed by each chain's own id (hashed once), which later lookups then find at once.
  let byName: Map<string, Map<string, RsChain>> | null = null;
  const named = (table: string, to: string): RsChain | undefined => {
    if (byName === null) {
      byName = new Map();
      for (const chain of rs.chains.values()) (byName.get(chain.table) ?? byName.set(chain.table, new Map()).get(chain.table)!).set(chain.name, chain);
    }
    return byName.get(table)?.get(to);
  };
  const jumping: RsRule[] = [];
  const targets: string[] = [];
  const note = (chain: RsChain, r: RsRule, to: string, target: RsChain | undefined) => {
    const id = target?.id ?? `${chain.table}/${to}`;
    // Most targets are named already (by their own comments, or an earlier jump): no comment read.
    if (out.has(id)) return;
    const name = servicePortNameOf(r.comment) ?? out.get(chain.id);
    if (name) owners.add(id, name, target);
  };
  // Chain k of the graph is the k-th of rs.chains (see JumpGraph).
  const list = byNumber ? [...rs.chains.values()] : null;
  let k = -1;
  for (const chain of rs.chains.values()) {
    k++;
    jumping.length = 0;
    targets.length = 0;
    for (const r of chain.rules) {
      // The jump alone: a lazily read rule tells it from its line (a DNAT's action is not read).
      const to = jumpTarget(r);
      if (to === null) continue;
      jumping.push(r);
      targets.push(to);
    }
    // A scanned or parsed dump's jump graph has the chains its rules jump to, in rule order: when
    // every jump of this chain is there, its targets are found by number, not by name.
    const from = byNumber ? g.edgeStart[k]! : 0;
    const aligned = byNumber && g.edgeEnd[k]! - from === targets.length;
    for (let i = 0; i < targets.length; i++) {
      const to = targets[i]!;
      if (!SERVICE_CHAIN.test(to)) continue;
      note(chain, jumping[i]!, to, aligned ? list![g.edgeTo[from + i]!] : named(chain.table, to));
    }
  }
  owners.done();
  cache.set(rs, out);
  return out;
}

const ownCache = new WeakMap<Ruleset, Map<string, string | null>>();

/** The ServicePortName a per-Service chain's own rules name in their comments (memoised). */
function serviceOfChain(rs: Ruleset, chainId: string): string | null {
  let m = ownCache.get(rs);
  if (!m) ownCache.set(rs, (m = new Map()));
  if (m.has(chainId)) return m.get(chainId)!;
  let name: string | null = null;
  for (const r of rs.chains.get(chainId)?.rules ?? []) if ((name = servicePortNameOf(r.comment))) break;
  m.set(chainId, name);
  return name;
}

/**
 * The Service a traced path belongs to: the first per-Service chain it entered (named by its own
 * rules' comments, or by the comment of the rule that jumped into it), or the first rule on it whose
 * comment names a Service (kube-proxy's "has no endpoints" REJECTs live in shared chains). Only the
 * chains on the path are read, so a trace on a large dump never parses the rest.
 */
export function serviceOfPath(rs: Ruleset, path: readonly { table: string; chain: string; rule: number }[]): string | null {
  for (const step of path as readonly { table: string; chain: string; rule: number; action?: string; elementComment?: string }[]) {
    const id = `${step.table}/${step.chain}`;
    if (SERVICE_CHAIN.test(step.chain)) return serviceOfChain(rs, id) ?? step.chain;
    const nft = servicePortNameOfNftChain(step.chain) ?? servicePortNameOfNftChain(/^(?:goto|jump) (\S+)$/.exec(step.action ?? '')?.[1] ?? '');
    if (nft) return nft;
    const fromElement = servicePortNameOf(step.elementComment ?? null);
    if (fromElement) return fromElement;
    const rule: RsRule | undefined = rs.chains.get(id)?.rules[step.rule - 1];
    const action = rule?.action;
    const target = action && (action.kind === 'jump' || action.kind === 'goto') ? action.chain : null;
    if (target && SERVICE_CHAIN.test(target)) return servicePortNameOf(rule!.comment) ?? serviceOfChain(rs, `${step.table}/${target}`) ?? target;
    if (/^KUBE-/.test(step.chain) && action && action.kind !== 'jump') {
      const fromComment = servicePortNameOf(rule!.comment);
      if (fromComment) return fromComment;
    }
  }
  return null;
}
