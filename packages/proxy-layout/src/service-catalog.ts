import { numberedEntries, ownerChainObjects, scanGraph, servicePortNameOf, servicePortNameOfNftChain, type ScanGraph } from './service-names';
import type { RuleLines } from '@svcpath/parse-iptables';
import { formatIPv4 } from '@svcpath/netaddr';
import { ruleOf, type KeyPart, type MapVerdict, type NamedSet, type RsChain, type RsRule, type Ruleset } from '@svcpath/ruleset';
import { addressConds, askByShape, portConds, type RuleReading } from './by-shape';
import { chainKindOf, perServiceKindAt, type ChainKind } from './chain-kind';
import { affinityOfLines, affinitySeconds } from './ladder';
import { ownerChains } from './nft-service-chains';
import { ipvsCatalog } from './ipvs-catalog';
import { jumpTarget, natDestinations } from './jump-target';

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
  /** As found, duplicates and all (freezePort sorts them and keeps each once). */
  endpoints: string[];
  noEndpoints: boolean;
  affinitySeconds: number | null;
  /** Its per-Service chains (`table/chain`), or (a scanned dump's) their numbers. */
  chainIds: string[];
  chainNumbers: number[];
}

/** `ns/svc` of a ServicePortName `ns/svc:port`. */
export function serviceOfPortName(portName: string): string {
  const i = portName.indexOf(':');
  return i < 0 ? portName : portName.slice(0, i);
}

function hostDst(rule: RsRule): string | null {
  for (const c of addressConds(rule))
    if (c.dir === 'dst' && !c.negate && (c.cidr.prefix === 32 || c.cidr.prefix === 128))
      return c.cidr.text.replace(/\/\d+$/, '');
  return null;
}
function dportOf(rule: RsRule): number | null {
  for (const c of portConds(rule)) if (c.dir === 'dst' && !c.negate) return c.ranges[0]?.from ?? null;
  return null;
}
// Questions the rule's shape answers (see askByShape): no address, port or comment is read.
function protoOf({ conds }: RuleReading): string | null {
  for (const c of conds) if (c.kind === 'proto' && !c.negate) return c.proto;
  return null;
}
function toLocalOf({ conds }: RuleReading): boolean {
  return conds.some((c) => c.kind === 'addrtype' && c.dir === 'dst' && !c.negate && c.types.includes('LOCAL'));
}
const proto = (rule: RsRule) => askByShape(rule, protoOf);
const toLocal = (rule: RsRule) => askByShape(rule, toLocalOf);

/** What readEntry reads of an entry rule: a rule's own answers, or a scanned dump's line's (see entriesByNumber). */
interface EntryRule {
  readonly comment: string | null;
  /** Its first positive single-host destination, and destination port (hostDst, dport). */
  ip(): string | null;
  port(): number | null;
  proto(): string | null;
  target(): string | null;
  toLocal(): boolean;
}

function entryOf(rule: RsRule): EntryRule {
  return { comment: rule.comment, ip: () => hostDst(rule), port: () => dportOf(rule), proto: () => proto(rule), target: () => jumpTarget(rule), toLocal: () => toLocal(rule) };
}

/** Reads one entry rule of KUBE-SERVICES, KUBE-NODEPORTS or KUBE-EXTERNAL-SERVICES (a chain of `kind` in `table`) into `p`. */
function readEntry(p: MutablePort, kind: ChainKind, table: string, rule: EntryRule): void {
  const comment = rule.comment ?? '';
  const ip = rule.ip();
  const port = rule.port();
  p.protocol ??= rule.proto();
  const target = rule.target();
  const noEndpoints = /has no endpoints/.test(comment);
  if (noEndpoints) p.noEndpoints = true;
  if (/health check node port/.test(comment)) return;
  if (kind === 'nodeports' || (kind === 'external-services' && rule.toLocal())) {
    if (port !== null && !(kind === 'nodeports' && table === 'filter')) p.nodePort = port;
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
 * The Services a node's rules hold, read back from kube-proxy's chains and comments (iptables) or
 * chain names and verdict maps (nftables): ClusterIP, NodePort, external and load-balancer IPs,
 * endpoints, affinity. Sorted by `ns/name`.
 */
export function serviceCatalog(rs: Ruleset): readonly ServiceInfo[] {
  const hit = cache.get(rs);
  if (hit) return hit;
  const owners = ownerChains(rs);
  const ports = new Map<string, MutablePort>();
  const portOf = (portName: string): MutablePort => {
    let p = ports.get(portName);
    if (!p) {
      p = { portName, protocol: null, clusterIP: null, port: null, nodePort: null, externalIPs: new Set(), loadBalancerIPs: new Set(), endpoints: [], noEndpoints: false, affinitySeconds: null, chainIds: [], chainNumbers: [] };
      ports.set(portName, p);
    }
    return p;
  };
  // Chains the rules jump to but the dump does not hold: listed with their Service, if it has a port.
  const unheld = new Map<string, string[]>();
  const addUnheld = (portName: string, chainId: string) => (unheld.get(portName) ?? unheld.set(portName, []).get(portName)!).push(chainId);
  // A scanned dump's owners by chain number: kinds from the names' bytes, no chain object or id made.
  const g = scanGraph(rs);
  const byNumber = g !== null ? numberedEntries(owners) : null;
  if (g !== null && byNumber !== null) {
    const { bytes, at, length } = g.names;
    byNumber((k, lackedId, portName) => {
      if (k < 0) return addUnheld(portName, lackedId!);
      const kind = perServiceKindAt(bytes, at[k]!, length[k]!);
      const p = portOf(portName);
      p.chainNumbers.push(k);
      if (kind === 'sep') readEndpointLines(g.lines(k), p);
      if (kind === 'svc') p.affinitySeconds ??= affinityOfLines(g.lines(k));
    });
  }
  // Each owner's chain as serviceChains met it, when it kept them: no lookup by id per chain.
  const objects = byNumber !== null ? null : ownerChainObjects(owners);
  // A scanned dump's rules are read from their lines (see JumpGraph.lines), by the chain's number.
  const lines = rs.dataplane === 'iptables' ? rs.jumpGraph?.lines?.bind(rs.jumpGraph) : undefined;
  let n = 0;
  for (const [chainId, portName] of byNumber !== null ? [] : owners) {
    const number = objects ? objects.numbers[n]! : -1;
    const chain = objects ? objects.chains[n++] : rs.chains.get(chainId);
    if (!chain) {
      addUnheld(portName, chainId);
      continue;
    }
    const kind = chainKindOf(chain.name);
    const p = portOf(portName);
    p.chainIds.push(chainId);
    const read = lines && number >= 0 && (kind === 'sep' || kind === 'svc') ? lines(number) : null;
    if (kind === 'sep') {
      if (read) readEndpointLines(read, p);
      else readEndpoints(chain, p);
    }
    if (kind === 'svc') p.affinitySeconds ??= read ? affinityOfLines(read) : affinitySeconds(chain);
    if (rs.dataplane === 'nftables') {
      p.protocol ??= /\/(tcp|udp|sctp)\//.exec(chain.name)?.[1] ?? null;
      // The newer one-rule layout DNATs from the service chain itself: `dnat to numgen … map`.
      if (kind === 'svc')
        for (const r of chain.rules) {
          if (r.action?.kind === 'DNAT') for (const t of r.action.to) p.endpoints.push(t.text);
          if (r.action?.kind === 'dnat-numgen') for (const br of r.action.branches) p.endpoints.push(br.port === null ? br.addr.text : `${br.addr.text}:${br.port}`);
        }
    }
  }
  if (rs.dataplane === 'nftables') readNftMaps(rs, portOf);
  else readIptablesEntries(rs, g, owners, portOf);
  const services = new Map<string, MutablePort[]>();
  for (const p of ports.values()) {
    const svc = serviceOfPortName(p.portName);
    (services.get(svc) ?? services.set(svc, []).get(svc)!).push(p);
  }
  const unheldOf = new Map<string, string[]>();
  for (const [portName, ids] of unheld) {
    const svc = serviceOfPortName(portName);
    const into = unheldOf.get(svc) ?? unheldOf.set(svc, []).get(svc)!;
    for (const id of ids) into.push(id); // a spread of a hostile dump's many ids would overflow the stack
  }
  const out = [...services].map(([id, list]): ServiceInfo => {
    const [namespace = '', name = id] = id.split('/');
    const ports = list.sort((a, b) => a.portName.localeCompare(b.portName)).map(freezePort);
    if (g === null || byNumber === null) return { id, namespace, name, ports, chainIds: sortedOnce(list, unheldOf.get(id)) };
    // By number: the chains' ids are made when first asked for (a catalog's reader seldom wants all).
    const info = { id, namespace, name, ports } as Omit<ServiceInfo, 'chainIds'> as ServiceInfo;
    let ids: string[] | null = null;
    Object.defineProperty(info, 'chainIds', { enumerable: true, configurable: true, get: () => (ids ??= sortedOnce(withIds(list, g), unheldOf.get(id))) });
    return info;
  });
  out.push(...ipvsCatalog(rs));
  out.sort((a, b) => a.id.localeCompare(b.id));
  cache.set(rs, out);
  return out;
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The ports' chains and the unheld ones, sorted, each once (a chain the dump lacks may be jumped to twice). */
function sortedOnce(ports: readonly MutablePort[], unheld: readonly string[] | undefined): string[] {
  const ids: string[] = [];
  for (const p of ports) for (const id of p.chainIds) ids.push(id);
  if (unheld) for (const id of unheld) ids.push(id);
  // The order of sort() without a comparator (UTF-16 code units), without its string conversions.
  ids.sort(byCodeUnits);
  let n = 0;
  for (const id of ids) if (n === 0 || id !== ids[n - 1]) ids[n++] = id;
  ids.length = n;
  return ids;
}

/** The ports with their chains' ids made from their numbers (a scanned dump's: see serviceCatalog). */
function withIds(ports: readonly MutablePort[], g: ScanGraph): MutablePort[] {
  return ports.map((p) => ({ ...p, chainIds: [...p.chainIds, ...p.chainNumbers.map((k) => g.id(k))] }));
}

/** The DNATs of a KUBE-SEP chain, as written (a rule's shape tells whether it DNATs, and to what). */
function readEndpoints(chain: RsChain, p: MutablePort): void {
  for (const r of chain.rules) {
    const to = natDestinations(r);
    if (to !== null) for (const t of to) p.endpoints.push(t);
  }
}

/** readEndpoints from a scanned chain's lines. */
function readEndpointLines(lines: RuleLines, p: MutablePort): void {
  for (let i = 0; i < lines.count; i++) {
    const to = lines.natDestinations(i);
    if (to !== null) for (const t of to) p.endpoints.push(t);
  }
}

/** KUBE-SERVICES, KUBE-NODEPORTS and KUBE-EXTERNAL-SERVICES rules, named by comment or by target. */
function readIptablesEntries(rs: Ruleset, g: ScanGraph | null, owners: ReadonlyMap<string, string>, portOf: (portName: string) => MutablePort): void {
  if (g !== null) return entriesByNumber(rs, g, owners, portOf);
  for (const chain of rs.chains.values()) {
    const kind = chainKindOf(chain.name);
    if (kind !== 'services' && kind !== 'nodeports' && kind !== 'external-services') continue;
    for (const rule of chain.rules) {
      const target = jumpTarget(rule);
      const portName = servicePortNameOf(rule.comment) ?? (target ? owners.get(`${chain.table}/${target}`) : undefined);
      if (portName) readEntry(portOf(portName), kind, chain.table, entryOf(rule));
    }
  }
}

/** How many positive destination address and port conditions a rule has (its shape tells). */
const DST_COUNTS = ({ conds }: RuleReading): number => {
  let addrs = 0;
  let ports = 0;
  for (const c of conds) {
    if (c.kind === 'addr' && c.dir === 'dst' && !c.negate) addrs++;
    else if (c.kind === 'ports' && c.dir === 'dst' && !c.negate) ports++;
  }
  return addrs * 1024 + ports;
};

/**
 * readIptablesEntries over a scanned dump's lines: no rule object made for the ~12,000 rules of a
 * 10k node's KUBE-SERVICES. A rule's destination and port are the keys the scan read for the
 * tracer's skip index (its one single-host IPv4 `-d`, its one single `--dport`) when its shape
 * says it has only that one; any other rule is read as a rule.
 */
function entriesByNumber(rs: Ruleset, g: ScanGraph, owners: ReadonlyMap<string, string>, portOf: (portName: string) => MutablePort): void {
  for (const chain of entryChains(rs, g)) {
    const kind = chainKindOf(chain.name);
    const lines = g.lines(g.numberOf(chain.id));
    const keys = chain.ruleKeys?.() ?? null;
    for (let i = 0; i < lines.count; i++) {
      const comment = lines.comment(i);
      const target = lines.jumpTarget(i);
      const portName = servicePortNameOf(comment) ?? (target ? owners.get(`${chain.table}/${target}`) : undefined);
      if (!portName) continue;
      const rule = () => ruleOf(chain, i);
      const counts = lines.byShape(i, DST_COUNTS);
      const dst = keys?.dst[i] ?? -1;
      const dport = keys?.dport[i] ?? -1;
      const proto = lines.byShape(i, protoOf);
      const local = kind === 'external-services' ? lines.byShape(i, toLocalOf) : false;
      readEntry(portOf(portName), kind, chain.table, {
        comment,
        ip: () => (dst >= 0 && counts >> 10 === 1 ? formatIPv4(dst) : hostDst(rule())),
        port: () => (dport >= 0 && (counts & 1023) === 1 ? dport : dportOf(rule())),
        proto: () => proto,
        target: () => target,
        toLocal: () => local,
      });
    }
  }
}

const ENTRY_CHAINS = ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-EXTERNAL-SERVICES'];
const TABLES = ['filter', 'nat', 'mangle', 'raw', 'security'];

/** A scanned dump's KUBE-SERVICES, KUBE-NODEPORTS and KUBE-EXTERNAL-SERVICES chains, found by id, in the dump's order. */
function entryChains(rs: Ruleset, g: ScanGraph): RsChain[] {
  const numbers: number[] = [];
  for (const table of TABLES)
    for (const name of ENTRY_CHAINS) {
      const k = g.numberOf(`${table}/${name}`);
      if (k >= 0) numbers.push(k);
    }
  return numbers.sort((a, b) => a - b).map((k) => rs.chains.get(g.id(k))!);
}

function hostOf(k: KeyPart | undefined): string | null {
  return k?.kind === 'cidr' && (k.cidr.prefix === 32 || k.cidr.prefix === 128) ? k.cidr.text.replace(/\/\d+$/, '') : null;
}
function portOfKey(k: KeyPart | undefined): number | null {
  return k?.kind === 'ports' ? k.from : null;
}
function protoOfKey(k: KeyPart | undefined): string | null {
  return k?.kind === 'proto' ? k.proto : null;
}

/**
 * kube-proxy's nftables verdict maps: `service-ips` (ip . proto . port → goto the service- chain for
 * a ClusterIP, the external- chain for external and load-balancer IPs), `service-nodeports`
 * (proto . port), `firewall-ips` (load-balancer IPs with source ranges), and the no-endpoint maps,
 * whose elements name the ServicePortName in a comment. The maps do not say whether an address on
 * an external- chain is an external IP or a load-balancer IP; only those in `firewall-ips` are known
 * to be load balancers, the rest are listed as external IPs.
 */
function readNftMaps(rs: Ruleset, portOf: (portName: string) => MutablePort): void {
  const byName = new Map<string, NamedSet[]>();
  for (const set of rs.sets.values()) (byName.get(set.name) ?? byName.set(set.name, []).get(set.name)!).push(set);
  const elements = (name: string) => (byName.get(name) ?? []).flatMap((s) => s.elements);
  const clusterIPs = new Set(elements('cluster-ips').map((e) => hostOf(e.key[0])));
  const lbIPs = new Set(elements('firewall-ips').map((e) => hostOf(e.key[0])));
  const addAddress = (p: MutablePort, ip: string | null, port: number | null, clusterIP: boolean) => {
    if (!ip) return;
    if (clusterIP) {
      if (p.clusterIP === null) {
        p.clusterIP = ip;
        p.port = port;
      }
    } else if (lbIPs.has(ip)) p.loadBalancerIPs.add(ip);
    else p.externalIPs.add(ip);
  };
  for (const e of elements('service-ips')) {
    const v = e.verdict;
    const spn = v && (v.kind === 'goto' || v.kind === 'jump') ? servicePortNameOfNftChain(v.chain) : null;
    if (!v || !spn || (v.kind !== 'goto' && v.kind !== 'jump')) continue;
    const p = portOf(spn);
    p.protocol ??= protoOfKey(e.key[1]);
    addAddress(p, hostOf(e.key[0]), portOfKey(e.key[2]), chainKindOf(v.chain) === 'svc');
  }
  for (const e of elements('service-nodeports')) {
    const v = e.verdict;
    const spn = v && (v.kind === 'goto' || v.kind === 'jump') ? servicePortNameOfNftChain(v.chain) : null;
    if (!spn) continue;
    const p = portOf(spn);
    p.protocol ??= protoOfKey(e.key[0]);
    p.nodePort ??= portOfKey(e.key[1]);
  }
  // "No endpoints" maps: reject (no endpoints at all) or drop (no local endpoints, traffic policy Local).
  const rejects = (v: MapVerdict | undefined): boolean => v?.kind === 'REJECT' || ((v?.kind === 'goto' || v?.kind === 'jump') && v.chain === 'reject-chain');
  for (const e of elements('no-endpoint-services')) {
    const spn = servicePortNameOf(e.comment ?? null);
    if (!spn) continue;
    const p = portOf(spn);
    const ip = hostOf(e.key[0]);
    p.protocol ??= protoOfKey(e.key[1]);
    addAddress(p, ip, portOfKey(e.key[2]), ip !== null && clusterIPs.has(ip));
    if (rejects(e.verdict)) p.noEndpoints = true;
  }
  for (const e of elements('no-endpoint-nodeports')) {
    const spn = servicePortNameOf(e.comment ?? null);
    if (!spn) continue;
    const p = portOf(spn);
    p.protocol ??= protoOfKey(e.key[0]);
    p.nodePort ??= portOfKey(e.key[1]);
    if (rejects(e.verdict)) p.noEndpoints = true;
  }
}

function freezePort({ chainIds: _chains, chainNumbers: _numbers, ...p }: MutablePort): ServicePortInfo {
  return {
    ...p,
    // kube-proxy's "has no local endpoints" DROPs do not say whether an address is external or a
    // load balancer's; the nat table's comments do, so those win.
    externalIPs: [...p.externalIPs].filter((ip) => !p.loadBalancerIPs.has(ip)),
    loadBalancerIPs: [...p.loadBalancerIPs],
    endpoints: p.endpoints.sort(byCodeUnits).filter((e, i, all) => i === 0 || e !== all[i - 1]),
  };
}
