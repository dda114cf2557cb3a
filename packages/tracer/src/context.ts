import { cidrContains, parseCidr, type Cidr, type IP } from '@svcpath/netaddr';
import type { RsChain, Ruleset } from '@svcpath/ruleset';
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
  recentSeconds(list: string): number | null;
  chain(table: string, name: string): RsChain | undefined;
}

const recentCache = new WeakMap<Ruleset, Map<string, number>>();

/** `--seconds` of the rcheck/update rules reading each recent list: the affinity timeout. */
function recentTimeouts(rs: Ruleset): Map<string, number> {
  let m = recentCache.get(rs);
  if (m) return m;
  m = new Map();
  for (const chain of rs.chains.values())
    for (const r of chain.rules)
      for (const c of r.conds)
        if (c.kind === 'recent' && c.op !== 'set' && c.seconds !== null && !m.has(c.name)) m.set(c.name, c.seconds);
  recentCache.set(rs, m);
  return m;
}

export function makeCtx(rs: Ruleset, env: TraceEnv): TraceCtx {
  const local = new Set(env.localAddresses.map((a) => a.text));
  const localCidrs: Cidr[] = [LOOPBACK4];
  const isLocal = (ip: IP) => local.has(ip.text) || localCidrs.some((c) => cidrContains(c, ip)) || (ip.family === 6 && ip.value === 1n);
  const timeouts = recentTimeouts(rs);
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
    recentSeconds: (list) => timeouts.get(list) ?? null,
    chain: (table, name) => rs.chains.get(`${table}/${name}`),
  };
}
