import { cidrContains } from '@svcpath/netaddr';
import type { LocalDetector, ProxierConfig } from './proxier-options';
import type { NftTransaction } from './nft-transaction';

/** kube-proxy's nftables base chains: filter chains before DNAT (-110) and after (0), then NAT. */
const BASE_CHAINS: readonly [name: string, spec: string][] = [
  ['filter-prerouting-pre-dnat', 'type filter hook prerouting priority -110'],
  ['filter-output-pre-dnat', 'type filter hook output priority -110'],
  ['filter-forward', 'type filter hook forward priority 0'],
  ['filter-input', 'type filter hook input priority 0'],
  ['filter-output', 'type filter hook output priority 0'],
  ['nat-output', 'type nat hook output priority -100'],
  ['nat-postrouting', 'type nat hook postrouting priority 100'],
  ['nat-prerouting', 'type nat hook prerouting priority -100'],
];

/** Jumps from base chains, in kube-proxy's order (its nftablesJumpChains). */
const JUMPS: readonly [from: string, rule: string][] = [
  ['filter-prerouting-pre-dnat', 'ct state new jump firewall-check'],
  ['filter-forward', 'ct state new jump service-endpoints-check'],
  ['filter-forward', 'ct state new jump cluster-ips-check'],
  ['filter-input', 'ct state new jump nodeport-endpoints-check'],
  ['filter-input', 'ct state new jump service-endpoints-check'],
  ['filter-output', 'ct state new jump service-endpoints-check'],
  ['filter-output-pre-dnat', 'ct state new jump firewall-check'],
  ['filter-output', 'ct state new jump cluster-ips-check'],
  ['nat-output', 'jump services'],
  ['nat-postrouting', 'jump masquerading'],
  ['nat-prerouting', 'jump services'],
];

/** kube-proxy's LocalTrafficDetector in nft syntax: "from a local pod" and "not from one". */
export function nftIfLocal(d: LocalDetector, ipX: string, negate: boolean): string | null {
  switch (d.kind) {
    case 'cidr':
      return `${ipX} saddr ${negate ? '!= ' : ''}${d.cidr}`;
    case 'interface':
      // iptables' "veth+" prefix is nft's "veth*" wildcard.
      return `iifname ${negate ? '!= ' : ''}"${d.name.replace(/\+$/, '*')}"`;
    case 'none':
      return null;
    default: {
      const never: never = d;
      return never;
    }
  }
}

/**
 * What kube-proxy's setupNFTables writes whatever the Services: the table, base chains and their
 * jumps, masquerading, the dispatch maps and their lookups, "no endpoints" and firewall checks,
 * and the ClusterIP checks (a wrong port on a ClusterIP is rejected; an unallocated address in
 * the service CIDRs dropped). NodePorts answer only on `nodeport-ips` unless --nodeport-addresses
 * matches everything, and never on 127.0.0.0/8.
 */
export function writeNftBaseRules(tx: NftTransaction, cfg: ProxierConfig, serviceCIDRs: readonly string[]): void {
  const ipX = tx.family;
  const addr = ipX === 'ip' ? 'ipv4_addr' : 'ipv6_addr';
  const noLocalhost = ipX === 'ip' ? 'ip daddr != 127.0.0.0/8' : 'ip6 daddr != ::1';
  const matchAll = cfg.nodePortCidrs === null;
  tx.addSet('set', 'cluster-ips', `type ${addr} ; comment "Active ClusterIPs"`);
  if (!matchAll) tx.addSet('set', 'nodeport-ips', `type ${addr} ; comment "IPs that accept NodePort traffic"`);
  const vmap = (name: string, key: string, comment: string) => tx.addSet('map', name, `type ${key} : verdict ; comment "${comment}"`);
  vmap('firewall-ips', `${addr} . inet_proto . inet_service`, 'destinations that are subject to LoadBalancerSourceRanges');
  vmap('no-endpoint-nodeports', 'inet_proto . inet_service', 'vmap to drop or reject packets to service nodeports with no endpoints');
  vmap('no-endpoint-services', `${addr} . inet_proto . inet_service`, 'vmap to drop or reject packets to services with no endpoints');
  vmap('service-ips', `${addr} . inet_proto . inet_service`, 'ClusterIP, ExternalIP and LoadBalancer IP traffic');
  vmap('service-nodeports', 'inet_proto . inet_service', 'NodePort traffic');

  tx.addChain('cluster-ips-check');
  for (const [name, spec] of BASE_CHAINS) tx.addChain(name, spec);
  for (const c of ['firewall-check', 'mark-for-masquerade', 'masquerading', 'nodeport-endpoints-check']) tx.addChain(c);
  tx.addChain('reject-chain', 'comment "helper for @no-endpoint-services / @no-endpoint-nodeports"');
  tx.addChain('services');
  tx.addChain('service-endpoints-check');

  tx.addRule('cluster-ips-check', `${ipX} daddr @cluster-ips reject`, 'Reject traffic to invalid ports of ClusterIPs');
  if (serviceCIDRs.length) tx.addRule('cluster-ips-check', `${ipX} daddr { ${serviceCIDRs.join(', ')} } drop`, 'Drop traffic to unallocated ClusterIPs');
  for (const [from, rule] of JUMPS) tx.addRule(from, rule);
  tx.addRule('firewall-check', `${ipX} daddr . meta l4proto . th dport vmap @firewall-ips`);
  tx.addRule('mark-for-masquerade', `mark set mark or ${cfg.masqueradeMark}`);
  tx.addRule('masquerading', `mark and ${cfg.masqueradeMark} == 0 return`);
  tx.addRule('masquerading', `mark set mark xor ${cfg.masqueradeMark}`);
  tx.addRule('masquerading', 'masquerade fully-random');
  tx.addRule('nodeport-endpoints-check', `${matchAll ? `fib daddr type local ${noLocalhost}` : `${ipX} daddr @nodeport-ips`} meta l4proto . th dport vmap @no-endpoint-nodeports`);
  tx.addRule('reject-chain', 'reject');
  tx.addRule('services', `${ipX} daddr . meta l4proto . th dport vmap @service-ips`);
  tx.addRule('services', `${matchAll ? `fib daddr type local ${noLocalhost}` : `${ipX} daddr @nodeport-ips`} meta l4proto . th dport vmap @service-nodeports`);
  tx.addRule('service-endpoints-check', `${ipX} daddr . meta l4proto . th dport vmap @no-endpoint-services`);
  // kube-proxy logs and skips a loopback address that --nodeport-addresses selects: no localhost NodePorts.
  if (!matchAll) for (const ip of cfg.nodeIPs) if (cfg.nodePortCidrs!.some((c) => cidrContains(c, ip)) && !ip.text.startsWith('127.')) tx.addElement('nodeport-ips', ip.text);
}

