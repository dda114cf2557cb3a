import { serviceCatalog, type ServicePortInfo as ProgrammedPort } from '@svcpath/proxy-layout';
import {
  categorizeEndpoints,
  nodeZone,
  proxiedServicePorts,
  type EndpointCategories,
  type EndpointSlice,
  type Node,
  type Pod,
  type ProxyNote,
  type Service,
  type ServiceEndpoint,
  type ServicePortInfo,
} from '@svcpath/k8s-model';
import { parseIP, type IP } from '@svcpath/netaddr';
import type { IpSet, VirtualService } from '@svcpath/parse-ipvs';
import type { RsChain, RsRule, Ruleset } from '@svcpath/ruleset';
import { chainLines, chainsInOrder } from './chain-lines';

/** The cluster as the API server has it (`kubectl get -o json`); Pods and Nodes are optional. */
export interface DiagnoseClusterState {
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  readonly pods?: readonly Pod[];
  readonly nodes?: readonly Node[];
}

/** An address on the kube-ipvs0 dummy interface, with where the caller read it. */
export interface DummyAddress {
  readonly address: string;
  readonly file: string;
  readonly line: number;
}

/** An IPVS-mode node's state: `ipvsadm -Sn`/`-Ln`, `ipset save`, `ip addr show kube-ipvs0`. */
export interface IpvsInput {
  readonly virtualServices: readonly VirtualService[];
  readonly ipsets?: readonly IpSet[];
  /** null/absent when the addresses of kube-ipvs0 were not collected. */
  readonly dummyAddresses?: readonly DummyAddress[];
}

export interface DiagnoseInput {
  /** The node's netfilter rules (iptables or nftables mode; in IPVS mode kube-proxy's iptables part). */
  readonly ruleset: Ruleset;
  readonly clusterState?: DiagnoseClusterState;
  /** kube-proxy's node name: decides which endpoints are local. */
  readonly nodeName: string;
  /** The node's own addresses (addrtype LOCAL, NodePorts). */
  readonly nodeIPs: readonly string[];
  /** `sysctl -a` as name → value (`net.ipv4.conf.all.route_localnet` → `1`). */
  readonly sysctls?: Readonly<Record<string, string>>;
  readonly ipvs?: IpvsInput;
  /** The node's conntrack table (`conntrack -L [-o extended]`), for stale-entry checks. */
  readonly conntrack?: { readonly file: string; readonly text: string };
  /** A source: an IP address or a Pod (`ns/name`, looked up in the cluster state). */
  readonly from?: string;
  /** A destination: a Service (`ns/name` or `ns/name:port`) or `IP:PORT`. */
  readonly to?: string;
  readonly proto?: 'tcp' | 'udp' | 'sctp';
}

/** One proxied Service port as Kubernetes intends it on this node. */
export interface IntendedPort {
  readonly info: ServicePortInfo;
  readonly service: Service;
  readonly endpoints: readonly ServiceEndpoint[];
  readonly categories: EndpointCategories;
}

/** What every check reads, computed once. */
export interface DiagnoseContext {
  readonly input: DiagnoseInput;
  readonly rs: Ruleset;
  readonly localAddresses: readonly IP[];
  /** null without cluster state. */
  readonly intended: readonly IntendedPort[] | null;
  readonly proxyNotes: readonly ProxyNote[];
  /** What the node's rules program, by ServicePortName; null unless kube-proxy runs in iptables mode. */
  readonly programmed: ReadonlyMap<string, ProgrammedPort> | null;
}

export function makeContext(input: DiagnoseInput): DiagnoseContext {
  const localAddresses = input.nodeIPs.map((t) => parseIP(t)).filter((ip): ip is IP => ip !== null);
  let intended: IntendedPort[] | null = null;
  let proxyNotes: ProxyNote[] = [];
  if (input.clusterState) {
    const family = localAddresses.some((ip) => ip.family === 4) || localAddresses.length === 0 ? 'IPv4' : 'IPv6';
    ({ intended, notes: proxyNotes } = intendedPorts(input.clusterState, input.nodeName, family));
  }
  // In IPVS mode the iptables rules only accept and masquerade; the translation lives in IPVS.
  const programmed =
    input.ruleset.dataplane === 'iptables' && !input.ipvs
      ? new Map(serviceCatalog(input.ruleset).flatMap((s) => s.ports.map((p) => [p.portName, p] as const)))
      : null;
  return { input, rs: input.ruleset, localAddresses, intended, proxyNotes, programmed };
}

/**
 * What Kubernetes intends on one node: every proxied Service port with its endpoints, categorised
 * for that node (traffic policies, topology, terminating fallback) by @svcpath/k8s-model.
 */
export function intendedPorts(state: DiagnoseClusterState, nodeName: string, family: 'IPv4' | 'IPv6' = 'IPv4'): { intended: IntendedPort[]; notes: ProxyNote[] } {
  const node = state.nodes?.find((n) => n.metadata.name === nodeName);
  const zone = node ? nodeZone(node) : null;
  const proxied = proxiedServicePorts(state, { nodeName, family });
  const byName = new Map(state.services.map((s) => [`${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`, s] as const));
  const intended = proxied.servicePorts.map((sp) => ({
    info: sp.info,
    service: byName.get(`${sp.info.name.namespace}/${sp.info.name.name}`)!,
    endpoints: sp.endpoints,
    categories: categorizeEndpoints(sp.endpoints, sp.info, { nodeName, zone }),
  }));
  return { intended, notes: proxied.notes };
}

/** A rule with the chain it sits in. */
export interface RuleAt {
  readonly chain: RsChain;
  readonly rule: RsRule;
}

const noEndpointIndex = new WeakMap<Ruleset, Map<string, RuleAt[]>>();

/** The comments kube-proxy writes on its REJECT / DROP for a Service port without (local) endpoints. */
const NO_ENDPOINTS_COMMENT = / has no (?:local )?endpoints$/;

/**
 * Every rule whose comment is exactly `<portName> has no endpoints` (`kind` 'none': kube-proxy's
 * REJECT) or `<portName> has no local endpoints` ('local': its DROP under a Local traffic policy),
 * in any chain, from an index built once per ruleset: the checks ask this for each Service port,
 * and a 10,000-Service node has hundreds of thousands of rules. Only those comments are indexed.
 */
export function noEndpointRules(rs: Ruleset, portName: string, kind: 'none' | 'local'): readonly RuleAt[] {
  let idx = noEndpointIndex.get(rs);
  if (!idx) noEndpointIndex.set(rs, (idx = indexNoEndpointRules(rs)));
  return idx.get(`${portName} has no ${kind === 'local' ? 'local ' : ''}endpoints`) ?? [];
}

function indexNoEndpointRules(rs: Ruleset): Map<string, RuleAt[]> {
  const idx = new Map<string, RuleAt[]>();
  const add = (comment: string, chain: RsChain, rule: RsRule) => {
    const list = idx.get(comment);
    if (list) list.push({ chain, rule });
    else idx.set(comment, [{ chain, rule }]);
  };
  const linesOf = chainLines(rs);
  const chains = chainsInOrder(rs);
  for (let k = 0; k < chains.length; k++) {
    const chain = chains[k]!;
    if (!linesOf) {
      for (const rule of chain.rules) if (rule.comment !== null && NO_ENDPOINTS_COMMENT.test(rule.comment)) add(rule.comment, chain, rule);
      continue;
    }
    // Comments read from the lines; a rule object only for the few rules that carry one of these.
    const lines = linesOf(k);
    let found: { i: number; comment: string }[] | null = null;
    for (let i = 0; i < lines.count; i++) {
      const comment = lines.comment(i);
      if (comment !== null && NO_ENDPOINTS_COMMENT.test(comment)) (found ??= []).push({ i, comment });
    }
    if (found) for (const { i, comment } of found) add(comment, chain, chain.rules[i]!);
  }
  return idx;
}

/** `namespace/Kind/name`, the `ref` of object evidence. */
export function objectRef(kind: string, meta: { readonly namespace?: string; readonly name?: string }): string {
  return meta.namespace ? `${meta.namespace}/${kind}/${meta.name ?? ''}` : `${kind}/${meta.name ?? ''}`;
}

/** `ns/name` of a Service. */
export function serviceId(svc: Service): string {
  return `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`;
}
