import { serviceChains, servicePortNameOf } from '@svcpath/proxy-layout';
import type { RsChain, RsRule, Ruleset } from '@svcpath/ruleset';
import { chainKindOf } from './chain-kind';
import { affinitySeconds } from './ladder';
import { jumpTarget } from './rule-ref';

/** One ServicePort as the node's rules show it. */
export interface ServicePortInfo {
  /** The ServicePortName, `ns/svc:port` (kube-proxy writes the port's name, or its number). */
  readonly portName: string;
  readonly protocol: string | null;
  readonly clusterIP: string | null;
  readonly port: number | null;
  readonly nodePort: number | null;
  readonly externalIPs: readonly string[];
  readonly loadBalancerIPs: readonly string[];
  /** `ip:port` of each ServiceEndpoint a KUBE-SEP chain DNATs to. */
  readonly endpoints: readonly string[];
  /** kube-proxy wrote a "has no endpoints" REJECT for it. */
  readonly noEndpoints: boolean;
  readonly affinitySeconds: number | null;
}

/** A Service (`ns/name`) with the ports and chains the node's rules hold for it. */
export interface ServiceInfo {
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly ports: readonly ServicePortInfo[];
  /** Every per-Service chain (`table/chain`) written for it. */
  readonly chainIds: readonly string[];
}

interface MutablePort {
  portName: string;
  protocol: string | null;
  clusterIP: string | null;
  port: number | null;
  nodePort: number | null;
  externalIPs: Set<string>;
  loadBalancerIPs: Set<string>;
  endpoints: Set<string>;
  noEndpoints: boolean;
  affinitySeconds: number | null;
}

/** `ns/svc` of a ServicePortName `ns/svc:port`. */
export function serviceOfPortName(portName: string): string {
  const i = portName.indexOf(':');
  return i < 0 ? portName : portName.slice(0, i);
}

function hostDst(rule: RsRule): string | null {
  for (const c of rule.conds)
    if (c.kind === 'addr' && c.dir === 'dst' && !c.negate && (c.cidr.prefix === 32 || c.cidr.prefix === 128))
      return c.cidr.text.replace(/\/\d+$/, '');
  return null;
}
function dport(rule: RsRule): number | null {
  for (const c of rule.conds) if (c.kind === 'ports' && c.dir === 'dst' && !c.negate) return c.ranges[0]?.from ?? null;
  return null;
}
function proto(rule: RsRule): string | null {
  for (const c of rule.conds) if (c.kind === 'proto' && !c.negate) return c.proto;
  return null;
}
function toLocal(rule: RsRule): boolean {
  return rule.conds.some((c) => c.kind === 'addrtype' && c.dir === 'dst' && !c.negate && c.types.includes('LOCAL'));
}

/** Reads one entry rule of KUBE-SERVICES, KUBE-NODEPORTS or KUBE-EXTERNAL-SERVICES into `p`. */
function readEntry(p: MutablePort, chain: RsChain, rule: RsRule): void {
  const kind = chainKindOf(chain.name);
  const comment = rule.comment ?? '';
  const ip = hostDst(rule);
  const port = dport(rule);
  p.protocol ??= proto(rule);
  const target = jumpTarget(rule);
  const noEndpoints = /has no endpoints/.test(comment);
  if (noEndpoints) p.noEndpoints = true;
  if (/health check node port/.test(comment)) return;
  if (kind === 'nodeports' || (kind === 'external-services' && toLocal(rule))) {
    if (port !== null && !(kind === 'nodeports' && chain.table === 'filter')) p.nodePort = port;
  } else if (/external IP/.test(comment)) {
    if (ip) p.externalIPs.add(ip);
  } else if (/loadbalancer IP/.test(comment)) {
    if (ip) p.loadBalancerIPs.add(ip);
  } else if (kind === 'services' && (/cluster IP/.test(comment) || noEndpoints || (target && chainKindOf(target) === 'svc'))) {
    if (ip && p.clusterIP === null) {
      p.clusterIP = ip;
      p.port = port;
    }
  } else if (kind === 'external-services' && ip && !p.loadBalancerIPs.has(ip)) {
    p.externalIPs.add(ip);
  }
}

const cache = new WeakMap<Ruleset, readonly ServiceInfo[]>();

/**
 * The Services a node's rules hold, read back from kube-proxy's chains and comments: ClusterIP,
 * NodePort, external and load-balancer IPs, endpoints, affinity. Sorted by `ns/name`.
 */
export function serviceCatalog(rs: Ruleset): readonly ServiceInfo[] {
  const hit = cache.get(rs);
  if (hit) return hit;
  const owners = serviceChains(rs);
  const ports = new Map<string, MutablePort>();
  const chainsOf = new Map<string, Set<string>>();
  const portOf = (portName: string): MutablePort => {
    let p = ports.get(portName);
    if (!p) {
      p = { portName, protocol: null, clusterIP: null, port: null, nodePort: null, externalIPs: new Set(), loadBalancerIPs: new Set(), endpoints: new Set(), noEndpoints: false, affinitySeconds: null };
      ports.set(portName, p);
    }
    return p;
  };
  for (const [chainId, portName] of owners) {
    const svc = serviceOfPortName(portName);
    (chainsOf.get(svc) ?? chainsOf.set(svc, new Set()).get(svc)!).add(chainId);
    const chain = rs.chains.get(chainId);
    if (!chain) continue;
    const kind = chainKindOf(chain.name);
    const p = portOf(portName);
    if (kind === 'sep') for (const r of chain.rules) if (r.action?.kind === 'DNAT') for (const t of r.action.to) p.endpoints.add(t.text);
    if (kind === 'svc') p.affinitySeconds ??= affinitySeconds(chain);
  }
  for (const chain of rs.chains.values()) {
    const kind = chainKindOf(chain.name);
    if (kind !== 'services' && kind !== 'nodeports' && kind !== 'external-services') continue;
    for (const rule of chain.rules) {
      const target = jumpTarget(rule);
      const portName = servicePortNameOf(rule.comment) ?? (target ? owners.get(`${chain.table}/${target}`) : undefined);
      if (portName) readEntry(portOf(portName), chain, rule);
    }
  }
  const services = new Map<string, MutablePort[]>();
  for (const p of ports.values()) {
    const svc = serviceOfPortName(p.portName);
    (services.get(svc) ?? services.set(svc, []).get(svc)!).push(p);
  }
  const out = [...services].map(([id, list]): ServiceInfo => {
    const [namespace = '', name = id] = id.split('/');
    return {
      id,
      namespace,
      name,
      ports: list.sort((a, b) => a.portName.localeCompare(b.portName)).map(freezePort),
      chainIds: [...(chainsOf.get(id) ?? [])].sort(),
    };
  });
  out.sort((a, b) => a.id.localeCompare(b.id));
  cache.set(rs, out);
  return out;
}

function freezePort(p: MutablePort): ServicePortInfo {
  return {
    ...p,
    // kube-proxy's "has no local endpoints" DROPs do not say whether an address is external or a
    // load balancer's; the nat table's comments do, so those win.
    externalIPs: [...p.externalIPs].filter((ip) => !p.loadBalancerIPs.has(ip)),
    loadBalancerIPs: [...p.loadBalancerIPs],
    endpoints: [...p.endpoints].sort(),
  };
}
