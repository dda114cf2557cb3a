import { OwnersBuilder, serviceChains, servicePortNameOfNftChain } from './service-names';
import type { Ruleset } from '@svcpath/ruleset';

const cache = new WeakMap<Ruleset, Map<string, string>>();

/**
 * Which ServicePortName each of kube-proxy's nftables per-Service chains belongs to
 * (`family table/chain` → `ns/svc:port`): the nft proxier spells it out in the chain name
 * (`service-ULMVA6XW-ns1/svc1/tcp/p80`, `endpoint-…__10.180.0.1/80`, `external-…`, `firewall-…`).
 */
export function nftServiceChains(rs: Ruleset): Map<string, string> {
  const hit = cache.get(rs);
  if (hit) return hit;
  const owners = new OwnersBuilder();
  for (const chain of rs.chains.values()) {
    const spn = servicePortNameOfNftChain(chain.name);
    if (spn) owners.add(chain.id, spn, chain);
  }
  const out = owners.done();
  cache.set(rs, out);
  return out;
}

/** kube-proxy's per-Service chains for either dataplane: nft names, or iptables comments. */
export function ownerChains(rs: Ruleset): Map<string, string> {
  return rs.dataplane === 'nftables' ? nftServiceChains(rs) : serviceChains(rs);
}
