import { exactMemberKey, exactMemberTest, ipsetMatch, persistenceKey, scheduleNewConnection, scheduleWithPersistence, type IpSet, type VirtualService } from '@svcpath/parse-ipvs';
import type { Ruleset } from '@svcpath/ruleset';
import type { TraceCtx } from './context';
import { pushStep } from './path-seq';
import { assume, cloneState, type FlowState } from './state';
import type { PacketView } from './types';
import { hostPort } from './walk';

/** The virtual service a packet hits: by protocol, VIP and port, or by the packet's fwmark. */
export function findVirtualService(rs: Ruleset, s: FlowState): VirtualService | null {
  const services = rs.ipvs?.services ?? [];
  const idx = vsIndex(rs);
  if (!idx.byKey) return scanServices(services, s, s.dport) ?? scanServices(services, s, 0) ?? fwmarkService(services, s);
  return idx.byKey.get(`${s.proto} ${s.dst.text} ${s.dport}`) ?? idx.byKey.get(`${s.proto} ${s.dst.text} 0`) ?? fwmarkService(idx.fwmark, s);
}

/**
 * Lookups answered by reading the services in order before hashing them all: a one-off trace
 * looks a packet up a few times, a server answering many traces gets the index after that.
 */
const SCANS_BEFORE_INDEXING = 32;

interface VsIndex {
  scans: number;
  byKey: Map<string, VirtualService> | null;
  fwmark: VirtualService[];
}

const vsCache = new WeakMap<Ruleset, VsIndex>();

/** ip_vs_service_find hashes protocol, address and port; so does this index (first listed wins). */
function vsIndex(rs: Ruleset): VsIndex {
  let idx = vsCache.get(rs);
  if (!idx) vsCache.set(rs, (idx = { scans: 0, byKey: null, fwmark: [] }));
  if (idx.byKey || idx.scans++ < SCANS_BEFORE_INDEXING) return idx;
  idx.byKey = new Map();
  for (const vs of rs.ipvs?.services ?? []) {
    if (vs.fwmark !== null) idx.fwmark.push(vs);
    else if (vs.vip && vs.protocol) {
      const k = `${vs.protocol} ${vs.vip.text} ${vs.port ?? 0}`;
      if (!idx.byKey.has(k)) idx.byKey.set(k, vs);
    }
  }
  return idx;
}

/** The first service listed for the packet's protocol, VIP and `port` (what the index finds). */
function scanServices(services: readonly VirtualService[], s: FlowState, port: number): VirtualService | undefined {
  return services.find((vs) => vs.fwmark === null && vs.protocol === s.proto && (vs.port ?? 0) === port && vs.vip?.text === s.dst.text);
}

function fwmarkService(services: readonly VirtualService[], s: FlowState): VirtualService | null {
  return services.find((vs) => vs.fwmark !== null && vs.fwmark === s.mark && vs.family === s.dst.family) ?? null;
}

/**
 * IPVS (net/netfilter/ipvs/ip_vs_core.c): a new connection to a virtual service is scheduled to a
 * real server and rewritten to it (masquerading forward method). Returns the branches, each already
 * translated and recorded on its path, or a no-destination outcome the caller rejects (ip_vs_leave:
 * ICMP port unreachable). Real servers on the node itself are delivered locally, not sent out.
 */
export function ipvsSchedule(ctx: TraceCtx, vs: VirtualService, s: FlowState): { branches: FlowState[]; noDestination: boolean } {
  const conn = { client: s.src, clientPort: s.sport, destination: s.dst, protocol: s.proto };
  const outcome = vs.persistence && ctx.env.returningTo
    ? scheduleWithPersistence(vs, conn, returningTemplate(vs, s, ctx.env.returningTo))
    : scheduleNewConnection(vs, conn);
  const where = `${vs.protocol ? vs.protocol.toUpperCase() : 'FWM'} ${vs.vip ? hostPort(vs.vip, vs.port ?? 0) : vs.fwmark}`;
  if (outcome.kind === 'no-destination') {
    assume(s, `IPVS ${where}: ${outcome.basis}`);
    s.path = pushStep(s.path, { hook: s.hook, table: 'ipvs', chain: where, rule: 0, line: vs.span.start.line, file: vs.span.file, action: 'IPVS: no real server can take the connection' });
    return { branches: [s], noDestination: true };
  }
  const branches: FlowState[] = [];
  for (const share of outcome.shares) {
    if (share.probability <= 0) continue;
    const rs = vs.realServers[share.index]!;
    const t = outcome.shares.length === 1 ? s : cloneState(s);
    t.probability *= share.probability;
    if (outcome.estimate || outcome.kind !== 'chosen' || vs.scheduler !== 'rr') assume(t, `IPVS ${where} (${vs.scheduler}): ${outcome.basis}`);
    t.dst = rs.address;
    t.dport = rs.port;
    t.dnat = { addr: rs.address, port: rs.port };
    t.dstNatBound = true;
    t.ipvs = { hook: s.hook, persistence: vs.persistence ? { seconds: vs.persistence.timeout, list: `ipvs ${where}` } : null };
    t.path = pushStep(t.path, {
      hook: s.hook,
      table: 'ipvs',
      chain: where,
      rule: share.index + 1,
      line: rs.span.start.line,
      file: rs.span.file,
      action: `IPVS ${vs.scheduler} → ${hostPort(rs.address, rs.port)} (${rs.forward}, weight ${rs.weight})`,
      ...(outcome.shares.length > 1 ? { branchProbability: share.probability } : {}),
    });
    branches.push(t);
  }
  return { branches, noDestination: false };
}

function returningTemplate(vs: VirtualService, s: FlowState, endpoint: string) {
  const key = persistenceKey(vs, s.src);
  const rs = vs.realServers.find((r) => hostPort(r.address, r.port) === endpoint);
  return key !== null && rs ? [{ key, address: rs.address, port: rs.port }] : [];
}

/** ipset membership for `-m set --match-set NAME dir[,dir…]`, from the snapshot's `ipset save`. */
export function ipsetTestFrom(sets: ReadonlyMap<string, IpSet>) {
  return (name: string, flags: readonly ('src' | 'dst')[], p: PacketView): boolean | null => {
    const set = sets.get(name);
    if (!set?.dimensions) return null;
    const tuple: { ip?: typeof p.src; ip2?: typeof p.src; proto?: string; port?: number } = {};
    set.dimensions.forEach((dim, i) => {
      const side = flags[i] ?? flags[flags.length - 1] ?? 'dst';
      if (dim === 'ip' || dim === 'net') {
        if (tuple.ip === undefined) tuple.ip = side === 'src' ? p.src : p.dst;
        else tuple.ip2 = side === 'src' ? p.src : p.dst;
      } else if (dim === 'port') {
        tuple.port = side === 'src' ? p.sport : p.dport;
        tuple.proto = p.proto;
      }
    });
    const exact = exactMemberTest(set);
    if (exact) return exact(exactMemberKey(tuple.ip, tuple.proto, tuple.port, tuple.ip2));
    const m = ipsetMatch(set, tuple);
    return m.kind === 'unknown' ? null : m.kind === 'match';
  };
}
