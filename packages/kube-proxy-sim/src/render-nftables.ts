import { nodeInternalIPs, nodeZone, proxiedServicePorts, type ProxyNote } from '@svcpath/k8s-model';
import { writeNftBaseRules } from './nft-base-rules';
import { writeNftServicePort } from './nft-service-port-rules';
import { NftTransaction } from './nft-transaction';
import { resolveProxierConfig, type IptablesProxierOptions, type ProxierConfig } from './proxier-options';
import type { ClusterSnapshot } from './render-iptables';
import { planServicePort } from './service-port-plan';

/** The nftables proxier's options: the iptables ones that apply, plus the service CIDRs. */
export interface NftablesProxierOptions extends Omit<IptablesProxierOptions, 'localhostNodePorts' | 'randomFully' | 'nfacct' | 'conntrackTCPLiberal' | 'largeClusterEndpointsThreshold'> {
  /**
   * --nodeport-addresses. Default in nftables mode: "primary" (the node's primary IP), where the
   * iptables proxier's default is every local address.
   */
  readonly nodePortAddresses?: readonly string[];
  /** The cluster's service CIDRs: traffic to an unallocated address in them is dropped. */
  readonly serviceCIDRs?: readonly string[];
}

export interface RenderedNftables {
  readonly transaction: NftTransaction;
  readonly config: ProxierConfig;
  readonly notes: readonly ProxyNote[];
}

/**
 * The ruleset kube-proxy's nftables proxier (table `ip kube-proxy`, v1.31+ layout) would program on
 * one node for the given cluster state. IPv4 only.
 */
export function renderNftablesRules(state: ClusterSnapshot, options: NftablesProxierOptions): RenderedNftables {
  const node = state.nodes?.find((n) => n.metadata.name === options.nodeName);
  const cfg = resolveProxierConfig(
    { ...options, nodePortAddresses: options.nodePortAddresses ?? ['primary'], localhostNodePorts: false },
    node ? { ips: nodeInternalIPs(node), zone: nodeZone(node) } : undefined,
  );
  const { servicePorts, notes } = proxiedServicePorts(state, { nodeName: cfg.nodeName, family: cfg.family });
  const tx = new NftTransaction('ip', 'kube-proxy', 'rules for kube-proxy');
  writeNftBaseRules(tx, cfg, options.serviceCIDRs ?? []);
  for (const sp of servicePorts) writeNftServicePort({ tx, cfg, ipX: 'ip' }, planServicePort(sp, cfg));
  return { transaction: tx, config: cfg, notes };
}

/** The transaction as `nft -f` input: table, sets and maps, chains, rules, elements. */
export function renderNftablesTransaction(state: ClusterSnapshot, options: NftablesProxierOptions): string {
  return renderNftablesRules(state, options).transaction.text();
}
