import type { ServicePortInfo } from '@svcpath/k8s-model';
import { cidrContains } from '@svcpath/netaddr';
import { nftEndpointBase, nftServicePortChains } from './nft-chain-names';
import { nftIfLocal } from './nft-base-rules';
import type { NftTransaction } from './nft-transaction';
import type { ProxierConfig } from './proxier-options';
import type { PlannedEndpoint, ServicePortPlan } from './service-port-plan';

const MARK_MASQ = 'mark-for-masquerade';

interface Ctx {
  readonly tx: NftTransaction;
  readonly cfg: ProxierConfig;
  readonly ipX: 'ip' | 'ip6';
}

function endpointNames(info: ServicePortInfo, protocol: string, ep: PlannedEndpoint): { chain: string; affinitySet: string } {
  const base = nftEndpointBase(info.name, protocol, ep.endpoint.ip.text, ep.endpoint.port);
  return { chain: `endpoint-${base}`, affinitySet: `affinity-${base}` };
}

/**
 * One Service port as kube-proxy's nftables syncProxyRules writes it. Endpoint selection and the
 * traffic-policy decisions come from the same plan as the iptables renderer (planServicePort, over
 * k8s-model's categorizeEndpoints); this writes them as verdict-map elements and chains.
 */
export function writeNftServicePort(ctx: Ctx, plan: ServicePortPlan): void {
  const { tx } = ctx;
  const { info, protocol } = plan;
  const chains = nftServicePortChains(info.name, protocol);
  const internalChain = info.internalPolicyLocal ? chains.local : chains.cluster;
  const externalPolicyChain = info.externalPolicyLocal ? chains.local : chains.cluster;
  const key = (ip: string, port: number) => `${ip} . ${protocol} . ${port}`;
  const noEndpointsVerdict = (f: ServicePortPlan['internalFilter']) => (f?.target === 'REJECT' ? 'goto reject-chain' : 'drop');

  tx.addElement('cluster-ips', info.clusterIP.text);
  if (plan.hasInternalEndpoints) tx.addElement('service-ips', key(info.clusterIP.text, info.port), `goto ${internalChain}`);
  else tx.addElement('no-endpoint-services', key(info.clusterIP.text, info.port), noEndpointsVerdict(plan.internalFilter), info.nameString);

  for (const ip of info.externalIPs) {
    if (plan.hasEndpoints) tx.addElement('service-ips', key(ip.text, info.port), `goto ${chains.external}`);
    if (!plan.hasExternalEndpoints) tx.addElement('no-endpoint-services', key(ip.text, info.port), noEndpointsVerdict(plan.externalFilter), info.nameString);
  }
  writeFirewall(ctx, plan, chains.firewall);
  for (const ip of info.loadBalancerVIPs) {
    if (plan.hasEndpoints) tx.addElement('service-ips', key(ip.text, info.port), `goto ${chains.external}`);
    if (plan.usesFirewallChain) tx.addElement('firewall-ips', key(ip.text, info.port), `goto ${chains.firewall}`);
    if (!plan.hasExternalEndpoints) tx.addElement('no-endpoint-services', key(ip.text, info.port), noEndpointsVerdict(plan.externalFilter), info.nameString);
  }
  if (info.nodePort !== null) {
    // NodePorts are not subject to loadBalancerSourceRanges (kube-proxy cannot change that now).
    if (plan.hasEndpoints) tx.addElement('service-nodeports', `${protocol} . ${info.nodePort}`, `goto ${chains.external}`);
    if (!plan.hasExternalEndpoints) tx.addElement('no-endpoint-nodeports', `${protocol} . ${info.nodePort}`, noEndpointsVerdict(plan.externalFilter), info.nameString);
  }

  if (plan.hasInternalEndpoints) writeInternalMasquerade(ctx, plan, internalChain);
  if (plan.usesExternalTrafficChain) writeExternalChain(ctx, plan, chains.external, chains.cluster, externalPolicyChain);
  if (plan.usesClusterPolicyChain) writeServiceToEndpoints(ctx, plan, chains.cluster, plan.clusterEndpoints);
  if (plan.usesLocalPolicyChain) writeServiceToEndpoints(ctx, plan, chains.local, plan.localEndpoints);
  for (const ep of plan.allEndpoints) writeEndpointChain(ctx, plan, ep);
}

/** Off-cluster traffic to the ClusterIP is masqueraded (it may bounce off-node); --masquerade-all: all of it. */
function writeInternalMasquerade({ tx, cfg, ipX }: Ctx, plan: ServicePortPlan, chain: string): void {
  const dst = `${ipX} daddr ${plan.info.clusterIP.text}`;
  if (cfg.masqueradeAll) tx.addRule(chain, `${dst} jump ${MARK_MASQ}`);
  else {
    const notLocal = nftIfLocal(cfg.localDetector, ipX, true);
    if (notLocal) tx.addRule(chain, `${dst} ${notLocal} jump ${MARK_MASQ}`);
  }
}

function writeFirewall({ tx, cfg, ipX }: Ctx, plan: ServicePortPlan, chain: string): void {
  if (!plan.usesFirewallChain) return;
  const sources = plan.info.loadBalancerSourceRanges.map((c) => c.text);
  // A VIP-like load balancer's address is often local: the node's own requests then come from it.
  const node = cfg.nodeIPs[0];
  const fromNode = node !== undefined && plan.info.loadBalancerSourceRanges.some((c) => cidrContains(c, node));
  if (fromNode) sources.push(...plan.info.loadBalancerVIPs.map((ip) => ip.text));
  tx.addRule(chain, `${ipX} saddr != { ${sources.join(', ')} } drop`);
}

/**
 * The external- chain: with externalTrafficPolicy Cluster everything is masqueraded; with Local,
 * Pods' and the node's own traffic is short-circuited to the Cluster chain (the node's masqueraded,
 * since its source would be the LB IP) and the rest keeps its source address.
 */
function writeExternalChain({ tx, cfg, ipX }: Ctx, plan: ServicePortPlan, chain: string, clusterChain: string, policyChain: string): void {
  if (!plan.info.externalPolicyLocal) tx.addRule(chain, `jump ${MARK_MASQ}`);
  else {
    const local = nftIfLocal(cfg.localDetector, ipX, false);
    if (local) tx.addRule(chain, `${local} goto ${clusterChain}`, 'short-circuit pod traffic');
    tx.addRule(chain, `fib saddr type local jump ${MARK_MASQ}`, 'masquerade local traffic');
    tx.addRule(chain, `fib saddr type local goto ${clusterChain}`, 'short-circuit local traffic');
  }
  if (plan.hasExternalEndpoints) tx.addRule(chain, `goto ${policyChain}`);
}

/** Affinity shortcuts, then one `numgen random mod n vmap` over the endpoints (kube-proxy's writeServiceToEndpointRules). */
function writeServiceToEndpoints({ tx, ipX }: Ctx, plan: ServicePortPlan, chain: string, endpoints: readonly PlannedEndpoint[]): void {
  const names = endpoints.map((ep) => endpointNames(plan.info, plan.protocol, ep));
  if (plan.info.sessionAffinity.kind === 'ClientIP') for (const n of names) tx.addRule(chain, `${ipX} saddr @${n.affinitySet} goto ${n.chain}`);
  tx.addRule(chain, `numgen random mod ${names.length} vmap { ${names.map((n, i) => `${i} : goto ${n.chain}`).join(' , ')} }`);
}

/** Hairpin masquerade, the affinity record, the DNAT. */
function writeEndpointChain({ tx, ipX }: Ctx, plan: ServicePortPlan, ep: PlannedEndpoint): void {
  const n = endpointNames(plan.info, plan.protocol, ep);
  const affinity = plan.info.sessionAffinity;
  if (affinity.kind === 'ClientIP') tx.addSet('set', n.affinitySet, `type ${ipX === 'ip' ? 'ipv4_addr' : 'ipv6_addr'} ; flags dynamic,timeout ; timeout ${affinity.timeoutSeconds}s`);
  tx.addRule(n.chain, `${ipX} saddr ${ep.endpoint.ip.text} jump ${MARK_MASQ}`);
  if (affinity.kind === 'ClientIP') tx.addRule(n.chain, `update @${n.affinitySet} { ${ipX} saddr }`);
  tx.addRule(n.chain, `meta l4proto ${plan.protocol} dnat to ${ep.text}`);
}
