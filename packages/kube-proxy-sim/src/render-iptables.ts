import {
  nodeInternalIPs,
  nodeZone,
  proxiedServicePorts,
  type ClusterState,
  type Node,
  type ProxyNote,
} from '@svcpath/k8s-model';
import { TableBuilder, type RenderedTable } from './iptables-rule';
import { resolveProxierConfig, type IptablesProxierOptions, type ProxierConfig } from './proxier-options';
import { formatKubeProxyRestoreInput } from './restore-format';
import { formatIptablesSave } from './save-format';
import { planServicePort } from './service-port-plan';
import { writeServicePort, type SyncContext } from './service-port-rules';
import {
  BUILTIN_CHAINS,
  KUBE_EXTERNAL_SERVICES,
  KUBE_FORWARD,
  KUBE_MARK_MASQ,
  KUBE_NODEPORTS,
  KUBE_POSTROUTING,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
  hookJumpRules,
  writeForwardRules,
  writeLocalnetFirewall,
  writeMasqueradeRules,
  writeNodePortsJump,
} from './static-rules';

export interface ClusterSnapshot extends ClusterState {
  /** Optional; the rendered node's InternalIPs and zone label are used as option defaults. */
  readonly nodes?: readonly Node[];
}

export interface RenderedIptables {
  /** filter then nat, as kube-proxy writes them. */
  readonly tables: readonly RenderedTable[];
  readonly config: ProxierConfig;
  /** Services and EndpointSlices (or parts) that were not proxied, and why. */
  readonly notes: readonly ProxyNote[];
  readonly largeClusterMode: boolean;
}

/**
 * The rules kube-proxy's iptables proxier (v1.28+ layout) would program on one node for the given
 * cluster state, as structured tables. Format them with {@link renderIptablesSave} or
 * {@link formatKubeProxyRestoreInput}.
 */
export function renderIptablesRules(
  state: ClusterSnapshot,
  options: IptablesProxierOptions,
): RenderedIptables {
  const node = state.nodes?.find((n) => n.metadata.name === options.nodeName);
  const cfg = resolveProxierConfig(
    options,
    node ? { ips: nodeInternalIPs(node), zone: nodeZone(node) } : undefined,
  );
  const { servicePorts, notes } = proxiedServicePorts(state, { nodeName: cfg.nodeName, family: cfg.family });

  const filter = new TableBuilder('filter', BUILTIN_CHAINS.filter);
  const nat = new TableBuilder('nat', BUILTIN_CHAINS.nat);
  for (const r of hookJumpRules('filter')) filter.append(r.chain, r.args);
  for (const r of hookJumpRules('nat')) nat.append(r.chain, r.args);
  for (const c of [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL])
    filter.declareChain(c);
  for (const c of [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ]) nat.declareChain(c);
  writeMasqueradeRules(nat, cfg);
  writeLocalnetFirewall(filter, cfg);

  // kube-proxy counts every endpoint of every service port, usable or not.
  let totalEndpoints = 0;
  for (const sp of servicePorts) totalEndpoints += sp.endpoints.length;
  const largeClusterMode = totalEndpoints > cfg.largeClusterEndpointsThreshold;
  const ctx: SyncContext = { cfg, filter, nat, largeClusterMode };
  for (const sp of servicePorts) writeServicePort(ctx, planServicePort(sp, cfg));

  writeNodePortsJump(nat, cfg);
  writeForwardRules(filter, cfg);
  return { tables: [filter.done(), nat.done()], config: cfg, notes, largeClusterMode };
}

/** The text `iptables-save` prints after kube-proxy has synced (minus `#` lines, zero counters). */
export function renderIptablesSave(state: ClusterSnapshot, options: IptablesProxierOptions): string {
  const r = renderIptablesRules(state, options);
  return formatIptablesSave(r.tables, r.config.isIPv6 ? 6 : 4);
}

/** The iptables-restore input kube-proxy itself would write (its own argument order). */
export function renderKubeProxyRestoreInput(state: ClusterSnapshot, options: IptablesProxierOptions): string {
  return formatKubeProxyRestoreInput(renderIptablesRules(state, options).tables);
}
