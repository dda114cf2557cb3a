import { affinitySeconds, chainKindOf, ladderShares, serviceCatalog, serviceChains, servicePortNameOfNftChain } from '@svcpath/proxy-layout';
import type { RsChain, RsRule, Ruleset } from '@svcpath/ruleset';
import type { PortState, UnequalShare } from './model';

/** An endpoint and the share of the chain's new connections it gets. */
interface Pick {
  readonly endpoint: string;
  readonly share: number;
}

/** A Service port's two policy chains, as found in the rules. */
interface PolicyChains {
  cluster: RsChain | null;
  local: RsChain | null;
}

/**
 * kube-proxy's nftables Local-policy chain, `local-<hash>-ns/svc/proto/port`, which the shared
 * chain-name reader does not list (it has no iptables twin but KUBE-SVL).
 */
const NFT_LOCAL_CHAIN = /^local-[A-Z0-9]{8}-([^/]+)\/([^/]+)\/[a-z]+\/([^_]*)$/;

function nftPortName(chain: string): string | null {
  const m = NFT_LOCAL_CHAIN.exec(chain);
  if (m) return m[3] ? `${m[1]}/${m[2]}:${m[3]}` : `${m[1]}/${m[2]}`;
  return servicePortNameOfNftChain(chain);
}

/** Each Service port's Cluster (KUBE-SVC / service-) and Local (KUBE-SVL / local-) chain. */
function policyChains(rs: Ruleset): Map<string, PolicyChains> {
  const out = new Map<string, PolicyChains>();
  const add = (portName: string, chain: RsChain, policy: 'cluster' | 'local') => {
    let p = out.get(portName);
    if (!p) out.set(portName, (p = { cluster: null, local: null }));
    p[policy] = chain;
  };
  if (rs.dataplane === 'nftables') {
    for (const chain of rs.chains.values()) {
      const name = nftPortName(chain.name);
      if (!name) continue;
      if (chain.name.startsWith('service-')) add(name, chain, 'cluster');
      else if (chain.name.startsWith('local-')) add(name, chain, 'local');
    }
    return out;
  }
  for (const [chainId, portName] of serviceChains(rs)) {
    const chain = rs.chains.get(chainId);
    const kind = chain ? chainKindOf(chain.name) : null;
    if (chain && kind === 'svc') add(portName, chain, 'cluster');
    else if (chain && kind === 'svl') add(portName, chain, 'local');
  }
  return out;
}

function dnatTargets(rule: RsRule): string[] {
  return rule.action?.kind === 'DNAT' ? rule.action.to.map((t) => t.text) : [];
}

/** The endpoints a KUBE-SEP / endpoint- chain DNATs to. */
function endpointsOf(rs: Ruleset, table: string, chainName: string): string[] {
  const chain = rs.chains.get(`${table}/${chainName}`);
  return chain ? chain.rules.flatMap(dnatTargets) : [];
}

/** iptables: the statistic ladder of KUBE-SEP jumps; affinity shortcuts are not picks. */
function iptablesPicks(rs: Ruleset, chain: RsChain): Pick[] {
  const shares = ladderShares(chain);
  const out: Pick[] = [];
  for (const rule of chain.rules) {
    const share = shares.get(rule.index);
    if (share === undefined) continue;
    const a = rule.action;
    const eps = a && (a.kind === 'jump' || a.kind === 'goto') ? endpointsOf(rs, chain.table, a.chain) : dnatTargets(rule);
    for (const endpoint of eps) out.push({ endpoint, share: share / eps.length });
  }
  return out;
}

/** nftables: `numgen random mod n vmap { … : goto endpoint-… }`, the one-rule `dnat to numgen …`, or one goto. */
function nftPicks(rs: Ruleset, chain: RsChain): Pick[] {
  const out: Pick[] = [];
  for (const rule of chain.rules) {
    const a = rule.action;
    if (a?.kind === 'numgen')
      for (const br of a.branches) {
        const v = br.verdict;
        const eps = v.kind === 'goto' || v.kind === 'jump' ? endpointsOf(rs, chain.table, v.chain) : [];
        for (const endpoint of eps) out.push({ endpoint, share: br.values.length / a.mod / eps.length });
      }
    else if (a?.kind === 'dnat-numgen')
      for (const br of a.branches) out.push({ endpoint: br.port === null ? br.addr.text : `${br.addr.text}:${br.port}`, share: br.values.length / a.mod });
    // A lone endpoint is a plain goto; gotos with conditions are affinity shortcuts, not picks.
    else if ((a?.kind === 'goto' || a?.kind === 'jump') && a.chain.startsWith('endpoint-') && rule.conds.length === 0)
      for (const endpoint of endpointsOf(rs, chain.table, a.chain)) out.push({ endpoint, share: 1 });
  }
  return out;
}

const SHARE_TOLERANCE = 1e-6;

/** Endpoints sorted, and those whose summed share is not 1/n of the list. */
function summarise(picks: readonly Pick[], policy: 'cluster' | 'local'): { endpoints: string[]; unequal: UnequalShare[] } {
  const byEndpoint = new Map<string, number>();
  for (const p of picks) byEndpoint.set(p.endpoint, (byEndpoint.get(p.endpoint) ?? 0) + p.share);
  const endpoints = [...byEndpoint.keys()].sort();
  const even = 1 / endpoints.length;
  const unequal = endpoints
    .filter((e) => Math.abs(byEndpoint.get(e)! - even) > SHARE_TOLERANCE)
    .map((endpoint) => ({ policy, endpoint, share: byEndpoint.get(endpoint)! }));
  return { endpoints, unequal };
}

/**
 * Every Service port a node's rules hold (iptables or nftables mode), by ServicePortName: the
 * addressing and affinity kube-proxy's chains show (read by the shared Service catalogue), and the
 * endpoints with their shares of its Cluster- and Local-policy chains. IPVS virtual services are not
 * ServicePortNames and are left out (see the README).
 */
export function readPortStates(rs: Ruleset): Map<string, PortState> {
  const chains = policyChains(rs);
  const picks = rs.dataplane === 'nftables' ? nftPicks : iptablesPicks;
  const out = new Map<string, PortState>();
  for (const svc of serviceCatalog(rs))
    for (const p of svc.ports) {
      if (p.portName.startsWith('ipvs/')) continue;
      const pc = chains.get(p.portName);
      const cluster = summarise(pc?.cluster ? picks(rs, pc.cluster) : [], 'cluster');
      const local = summarise(pc?.local ? picks(rs, pc.local) : [], 'local');
      out.set(p.portName, {
        clusterIP: p.clusterIP !== null && p.port !== null ? `${p.clusterIP}:${p.port}/${(p.protocol ?? 'tcp').toLowerCase()}` : null,
        nodePort: p.nodePort,
        // Read from either policy chain: a port with only Local policy has no KUBE-SVC chain.
        affinitySeconds: (pc?.cluster && affinitySeconds(pc.cluster)) ?? (pc?.local && affinitySeconds(pc.local)) ?? p.affinitySeconds,
        cluster: cluster.endpoints,
        local: local.endpoints,
        unequalShares: [...cluster.unequal, ...local.unequal],
      });
    }
  return out;
}
