import { cidrContains } from '@svcpath/netaddr';
import type { TableBuilder } from './iptables-rule';
import { kubeProxyProbability } from './probability';
import { ifLocal, ifNotLocal, type ProxierConfig } from './proxier-options';
import type { PlannedEndpoint, ServicePortPlan } from './service-port-plan';
import {
  KUBE_EXTERNAL_SERVICES,
  KUBE_MARK_MASQ,
  KUBE_NODEPORTS,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
} from './static-rules';

/** Rendering state shared by all service ports of one sync. */
export interface SyncContext {
  readonly cfg: ProxierConfig;
  readonly filter: TableBuilder;
  readonly nat: TableBuilder;
  /** More endpoints than the threshold: kube-proxy leaves out per-endpoint comments. */
  readonly largeClusterMode: boolean;
}

const comment = (text: string): string[] => ['-m', 'comment', '--comment', text];

/** `-m tcp -p tcp -d IP --dport N`, in kube-proxy's order. */
function destination(plan: ServicePortPlan, ip: string): string[] {
  return ['-m', plan.protocol, '-p', plan.protocol, '-d', ip, '--dport', String(plan.info.port)];
}

/** Writes every rule and chain of one ServicePort, in the order syncProxyRules does. */
export function writeServicePort(ctx: SyncContext, plan: ServicePortPlan): void {
  writeClusterIPEntry(ctx, plan);
  writeExternalEntries(ctx, plan);
  writeNodePortEntries(ctx, plan);
  writeInternalMasquerade(ctx, plan);
  writeExternalChain(ctx, plan);
  writeFirewallChain(ctx, plan);
  if (plan.usesClusterPolicyChain) writePolicyChain(ctx, plan, plan.chains.cluster, plan.clusterEndpoints);
  if (plan.usesLocalPolicyChain) writePolicyChain(ctx, plan, plan.chains.local, plan.localEndpoints);
  writeEndpointChains(ctx, plan);
}

function writeClusterIPEntry({ filter, nat }: SyncContext, plan: ServicePortPlan): void {
  const { info } = plan;
  const dest = destination(plan, info.clusterIP.text);
  if (plan.hasInternalEndpoints) {
    nat.append(KUBE_SERVICES, [
      ...comment(`${info.nameString} cluster IP`),
      ...dest,
      '-j',
      plan.internalPolicyChain,
    ]);
  } else if (plan.internalFilter) {
    filter.append(KUBE_SERVICES, [
      ...comment(plan.internalFilter.comment),
      ...dest,
      '-j',
      plan.internalFilter.target,
    ]);
  }
}

/** External IPs and load-balancer VIPs: NAT entry rules plus the filter-table verdicts. */
function writeExternalEntries({ filter, nat }: SyncContext, plan: ServicePortPlan): void {
  const { info, externalFilter } = plan;
  for (const ip of info.externalIPs) {
    const dest = destination(plan, ip.text);
    if (plan.hasEndpoints)
      nat.append(KUBE_SERVICES, [
        ...comment(`${info.nameString} external IP`),
        ...dest,
        '-j',
        plan.chains.external,
      ]);
    if (externalFilter)
      filter.append(KUBE_EXTERNAL_SERVICES, [
        ...comment(externalFilter.comment),
        ...dest,
        '-j',
        externalFilter.target,
      ]);
  }
  for (const ip of info.loadBalancerVIPs) {
    const dest = destination(plan, ip.text);
    if (plan.hasEndpoints) {
      nat.append(KUBE_SERVICES, [
        ...comment(`${info.nameString} loadbalancer IP`),
        ...dest,
        '-j',
        plan.loadBalancerTrafficChain,
      ]);
    }
    if (plan.usesFirewallChain) {
      const text = `${info.nameString} traffic not accepted by ${plan.chains.firewall}`;
      filter.append(KUBE_PROXY_FIREWALL, [...comment(text), ...dest, '-j', 'DROP']);
    }
  }
  if (!externalFilter) return;
  for (const ip of info.loadBalancerVIPs) {
    filter.append(KUBE_EXTERNAL_SERVICES, [
      ...comment(externalFilter.comment),
      ...destination(plan, ip.text),
      '-j',
      externalFilter.target,
    ]);
  }
}

function writeNodePortEntries({ cfg, filter, nat }: SyncContext, plan: ServicePortPlan): void {
  const { info, protocol, externalFilter } = plan;
  if (info.nodePort !== null) {
    const proto = ['-m', protocol, '-p', protocol];
    const dport = ['--dport', String(info.nodePort)];
    if (plan.hasEndpoints) {
      // kube-proxy writes this rule only when its nfacct counter exists; we leave out the
      // `-m nfacct` match itself, which needs a kernel accounting object.
      if (cfg.localhostNodePorts && cfg.nfacct) {
        nat.append(KUBE_NODEPORTS, [
          ...comment(info.nameString),
          ...proto,
          '-d',
          '127.0.0.0/8',
          ...dport,
          '-j',
          plan.chains.external,
        ]);
      }
      nat.append(KUBE_NODEPORTS, [
        ...comment(info.nameString),
        ...proto,
        ...dport,
        '-j',
        plan.chains.external,
      ]);
    }
    if (externalFilter) {
      filter.append(KUBE_EXTERNAL_SERVICES, [
        ...comment(externalFilter.comment),
        '-m',
        'addrtype',
        '--dst-type',
        'LOCAL',
        ...proto,
        ...dport,
        '-j',
        externalFilter.target,
      ]);
    }
  }
  if (info.healthCheckNodePort !== null) {
    // Accepted whether or not this node has local endpoints: the answer is the health check's.
    filter.append(KUBE_NODEPORTS, [
      ...comment(`${info.nameString} health check node port`),
      '-m',
      'tcp',
      '-p',
      'tcp',
      '--dport',
      String(info.healthCheckNodePort),
      '-j',
      'ACCEPT',
    ]);
  }
}

/** Masquerade off-cluster traffic to the cluster IP: it may be bounced to another node. */
function writeInternalMasquerade({ cfg, nat }: SyncContext, plan: ServicePortPlan): void {
  if (!plan.hasInternalEndpoints) return;
  const args = [
    ...comment(`${plan.info.nameString} cluster IP`),
    ...destination(plan, plan.info.clusterIP.text),
  ];
  if (cfg.masqueradeAll) nat.append(plan.internalPolicyChain, [...args, '-j', KUBE_MARK_MASQ]);
  else if (cfg.localDetector.kind !== 'none')
    nat.append(plan.internalPolicyChain, [...args, ...ifNotLocal(cfg.localDetector), '-j', KUBE_MARK_MASQ]);
}

function writeExternalChain({ cfg, nat }: SyncContext, plan: ServicePortPlan): void {
  if (!plan.usesExternalTrafficChain) return;
  const { info, chains } = plan;
  const ext = chains.external;
  nat.declareChain(ext);
  if (!info.externalPolicyLocal) {
    // Endpoints may be on other nodes, so the source must be rewritten for replies to come back.
    nat.append(ext, [
      ...comment(`masquerade traffic for ${info.nameString} external destinations`),
      '-j',
      KUBE_MARK_MASQ,
    ]);
  } else {
    // Pod and host traffic to an external destination bypasses the Local policy, as if it had
    // gone out to the load balancer and come back; host traffic is masqueraded (its source
    // would be the VIP itself).
    if (cfg.localDetector.kind !== 'none') {
      nat.append(ext, [
        ...comment(`pod traffic for ${info.nameString} external destinations`),
        ...ifLocal(cfg.localDetector),
        '-j',
        chains.cluster,
      ]);
    }
    nat.append(ext, [
      ...comment(`masquerade LOCAL traffic for ${info.nameString} external destinations`),
      '-m',
      'addrtype',
      '--src-type',
      'LOCAL',
      '-j',
      KUBE_MARK_MASQ,
    ]);
    nat.append(ext, [
      ...comment(`route LOCAL traffic for ${info.nameString} external destinations`),
      '-m',
      'addrtype',
      '--src-type',
      'LOCAL',
      '-j',
      chains.cluster,
    ]);
  }
  if (plan.hasExternalEndpoints) nat.append(ext, ['-j', plan.externalPolicyChain]);
}

/** KUBE-FW-*: accept loadBalancerSourceRanges; the rest falls through to KUBE-PROXY-FIREWALL's DROP. */
function writeFirewallChain({ cfg, nat }: SyncContext, plan: ServicePortPlan): void {
  if (!plan.usesFirewallChain) return;
  const { info, chains } = plan;
  nat.declareChain(chains.firewall);
  const head = comment(`${info.nameString} loadbalancer IP`);
  const nodeIP = cfg.nodeIPs[0];
  let allowFromNode = false;
  for (const cidr of info.loadBalancerSourceRanges) {
    nat.append(chains.firewall, [...head, '-s', cidr.text, '-j', chains.external]);
    if (nodeIP && cidrContains(cidr, nodeIP)) allowFromNode = true;
  }
  // A VIP often is a local address too; node-originated requests then arrive with the VIP as source.
  if (allowFromNode)
    for (const ip of info.loadBalancerVIPs)
      nat.append(chains.firewall, [...head, '-s', ip.text, '-j', chains.external]);
  nat.append(
    chains.firewall,
    comment(`other traffic to ${info.nameString} will be dropped by KUBE-PROXY-FIREWALL`),
  );
}

/** KUBE-SVC-* / KUBE-SVL-*: affinity checks, then the probability ladder over the endpoints. */
function writePolicyChain(
  ctx: SyncContext,
  plan: ServicePortPlan,
  chain: string,
  eps: readonly PlannedEndpoint[],
): void {
  const { nat, largeClusterMode } = ctx;
  nat.declareChain(chain);
  const epComment = (ep: PlannedEndpoint): string[] =>
    largeClusterMode ? [] : comment(`${plan.info.nameString} -> ${ep.text}`);
  const affinity = plan.info.sessionAffinity;
  if (affinity.kind === 'ClientIP') {
    for (const ep of eps) {
      nat.append(chain, [
        ...epComment(ep),
        '-m',
        'recent',
        '--name',
        ep.chain,
        '--rcheck',
        '--seconds',
        String(affinity.timeoutSeconds),
        '--reap',
        '-j',
        ep.chain,
      ]);
    }
  }
  const n = eps.length;
  eps.forEach((ep, i) => {
    // Rule i matches 1/(n-i) of what reaches it, so every endpoint gets 1/n overall.
    const ladder =
      i < n - 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', kubeProxyProbability(n - i)] : [];
    nat.append(chain, [...epComment(ep), ...ladder, '-j', ep.chain]);
  });
}

/** KUBE-SEP-*: hairpin masquerade, affinity bookkeeping, DNAT. */
function writeEndpointChains({ nat, largeClusterMode }: SyncContext, plan: ServicePortPlan): void {
  const svcComment = largeClusterMode ? [] : comment(plan.info.nameString);
  const affinity = plan.info.sessionAffinity.kind === 'ClientIP';
  for (const ep of plan.allEndpoints) {
    nat.declareChain(ep.chain);
    // An endpoint reaching its own Service through the VIP must be masqueraded, or it would see
    // its own address as the source of the reply path.
    nat.append(ep.chain, [...svcComment, '-s', ep.endpoint.ip.text, '-j', KUBE_MARK_MASQ]);
    nat.append(ep.chain, [
      ...svcComment,
      ...(affinity ? ['-m', 'recent', '--name', ep.chain, '--set'] : []),
      '-m',
      plan.protocol,
      '-p',
      plan.protocol,
      '-j',
      'DNAT',
      '--to-destination',
      ep.text,
    ]);
  }
}
