import { cidrContains, parseCidr, type IP } from '@svcpath/netaddr';
import type { RsChain, Ruleset } from '@svcpath/ruleset';
import { ipsetTestFrom } from './ipvs';
import type { TraceEnv } from './types';

const LOOPBACK4 = parseCidr('127.0.0.0/8')!;
const MULTICAST4 = parseCidr('224.0.0.0/4')!;
const MULTICAST6 = parseCidr('ff00::/8')!;

/** What every branch of one trace shares: the ruleset, the node's facts and derived lookups. */
export interface TraceCtx {
  readonly rs: Ruleset;
  readonly env: TraceEnv;
  isLocal(ip: IP): boolean;
  /** The kernel's address type as the addrtype match sees it (inet_addr_type). */
  addrType(ip: IP): 'LOCAL' | 'MULTICAST' | 'BROADCAST' | 'UNICAST';
  pktType(dst: IP): 'unicast' | 'multicast' | 'broadcast';
  maskedKey(ip: IP, mask: IP | null): string;
  /** The affinity timeout of a recent list, looked for first in the chains of `path`. */
  recentSeconds(list: string, path: readonly { table: string; chain: string }[]): number | null;
  chain(table: string, name: string): RsChain | undefined;
}

const recentCache = new WeakMap<Ruleset, Map<string, number | null>>();

/**
 * `--seconds` of the rcheck/update rule that reads a recent list: the affinity timeout. Looks only
 * at rules whose text names the list, so a lazily read dump is not read whole for it.
 */
function recentTimeout(rs: Ruleset, list: string): number | null {
  let m = recentCache.get(rs);
  if (!m) recentCache.set(rs, (m = new Map()));
  if (m.has(list)) return m.get(list)!;
  let seconds: number | null = null;
  search: for (const chain of rs.chains.values())
    for (const r of chain.rules) {
      if (!r.raw.includes(list)) continue;
      for (const c of r.conds)
        if (c.kind === 'recent' && c.name === list && c.op !== 'set' && c.seconds !== null) {
          seconds = c.seconds;
          break search;
        }
    }
  m.set(list, seconds);
  return seconds;
}

/** kube-proxy puts the rcheck rule in the KUBE-SVC chain the path went through: look there first. */
function recentTimeoutOnPath(rs: Ruleset, list: string, path: readonly { table: string; chain: string }[]): number | null {
  for (let i = path.length - 1; i >= 0; i--) {
    const chain = rs.chains.get(`${path[i]!.table}/${path[i]!.chain}`);
    for (const r of chain?.rules ?? [])
      for (const c of r.conds) if (c.kind === 'recent' && c.name === list && c.op !== 'set' && c.seconds !== null) return c.seconds;
  }
  return null;
}

const vipCache = new WeakMap<Ruleset, ReadonlySet<string>>();

/** IPVS mode binds every virtual service address to the kube-ipvs0 dummy device: they are local. */
function ipvsVips(rs: Ruleset): ReadonlySet<string> {
  let v = vipCache.get(rs);
  if (!v) vipCache.set(rs, (v = new Set((rs.ipvs?.services ?? []).flatMap((x) => (x.vip ? [x.vip.text] : [])))));
  return v;
}

export function makeCtx(rs: Ruleset, env: TraceEnv): TraceCtx {
  const local = new Set(env.localAddresses.map((a) => a.text));
  const vips = ipvsVips(rs);
  const ipsets = rs.ipvs?.sets;
  if (ipsets && !env.ipsetTest) env = { ...env, ipsetTest: ipsetTestFrom(ipsets) };
  function isLocal(ip: IP): boolean {
    return local.has(ip.text) || vips.has(ip.text) || cidrContains(LOOPBACK4, ip) || (ip.family === 6 && ip.value === 1n);
  }
  return {
    rs,
    env,
    isLocal,
    addrType(ip) {
      if (isLocal(ip)) return 'LOCAL';
      if (cidrContains(MULTICAST4, ip) || cidrContains(MULTICAST6, ip)) return 'MULTICAST';
      if (ip.family === 4 && ip.value === 0xffffffff) return 'BROADCAST';
      return 'UNICAST';
    },
    pktType(dst) {
      if (cidrContains(MULTICAST4, dst) || cidrContains(MULTICAST6, dst)) return 'multicast';
      if (dst.family === 4 && dst.value === 0xffffffff) return 'broadcast';
      return 'unicast';
    },
    maskedKey(ip, mask) {
      if (!mask || mask.family !== ip.family) return ip.text;
      if (ip.family === 4 && mask.family === 4) return String((ip.value & mask.value) >>> 0);
      return String((ip.value as bigint) & (mask.value as bigint));
    },
    recentSeconds: (list, path) => recentTimeoutOnPath(rs, list, path) ?? recentTimeout(rs, list),
    chain: (table, name) => rs.chains.get(`${table}/${name}`),
  };
}
