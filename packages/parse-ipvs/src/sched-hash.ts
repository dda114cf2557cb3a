import { foldAddress, hash32, legacyMultiplicativeHash } from './kernel-hash';
import { availabilityNotes, isAvailable } from './availability';
import { chosen, noDestination, type NewConnection, type ScheduleOptions, type ScheduleOutcome, type SchedulerInput } from './schedule-types';

/** IP_VS_SH_TAB_BITS / IP_VS_DH_TAB_BITS default (CONFIG_IP_VS_SH_TAB_BITS = 8). */
const TAB_BITS = 8;
const TAB_SIZE = 1 << TAB_BITS;
const TAB_MASK = TAB_SIZE - 1;

/**
 * ip_vs_sh.c ip_vs_sh_reassign: walk the 256 buckets, giving each real server `weight`
 * consecutive buckets (at least one: `++d_count >= weight` is true at once for weight 0), cycling
 * through the list in order.
 */
export function shBuckets(vs: SchedulerInput): number[] {
  const n = vs.realServers.length;
  if (n === 0) return [];
  const out: number[] = [];
  let p = 0;
  let count = 0;
  for (let i = 0; i < TAB_SIZE; i++) {
    out.push(p);
    if (++count >= vs.realServers[p]!.weight) {
      p = (p + 1) % n;
      count = 0;
    }
  }
  return out;
}

/** ip_vs_dh.c ip_vs_dh_reassign: one bucket per server in turn, weights ignored. */
export function dhBuckets(vs: SchedulerInput): number[] {
  const n = vs.realServers.length;
  return n === 0 ? [] : Array.from({ length: TAB_SIZE }, (_, i) => i % n);
}

/** ip_vs_sh_hashkey: (offset + hash(ntohs(port) + ntohl(addr_fold))) & mask. */
export function shHashKey(fold: number, port: number, offset: number, kernelHash: ScheduleOptions['kernelHash']): number {
  const v = (port + fold) >>> 0;
  const h = kernelHash === 'legacy' ? legacyMultiplicativeHash(v, 0xffffffff) : hash32(v, TAB_BITS);
  return (offset + h) & TAB_MASK;
}

const SH_SOURCE = 'net/netfilter/ipvs/ip_vs_sh.c ip_vs_sh_schedule (ip_vs_sh_reassign, ip_vs_sh_hashkey, ip_vs_sh_get[_fallback])';
const DH_SOURCE = 'net/netfilter/ipvs/ip_vs_dh.c ip_vs_dh_schedule (ip_vs_dh_reassign, ip_vs_dh_hashkey)';

export function scheduleSh(vs: SchedulerInput, conn: NewConnection, opts: ScheduleOptions): ScheduleOutcome {
  const notes = availabilityNotes(vs.realServers) + ORDER_NOTE;
  const buckets = shBuckets(vs);
  if (buckets.length === 0) return noDestination('sh: the service has no real servers.', SH_SOURCE);
  // ip_vs_sh_get_port: the source port is hashed only with sh-port, and only for TCP/UDP/SCTP.
  const usePort = vs.schedFlags.port && conn.clientPort !== undefined;
  const port = usePort ? conn.clientPort! : 0;
  const fold = foldAddress(conn.client);
  const ihash = shHashKey(fold, port, 0, opts.kernelHash);
  const what = `sh: bucket ${ihash} of 256 from the hash of ${conn.client.text}${usePort ? ` and source port ${port}` : ''} (${opts.kernelHash === 'legacy' ? 'pre-4.18 x*2654435761' : 'hash_32'})`;
  const first = buckets[ihash]!;
  if (isAvailable(vs.realServers[first]!)) return chosen(vs, first, `${what} holds this server.${notes}`, SH_SOURCE);
  if (!vs.schedFlags.fallback) {
    return noDestination(`${what} holds ${label(vs, first)}, which is unavailable (weight 0 or overloaded), and sh-fallback is off.${notes}`, SH_SOURCE);
  }
  // ip_vs_sh_get_fallback: probe rehashed buckets starting from the original hash value.
  for (let offset = 0; offset < TAB_SIZE; offset++) {
    const roffset = (offset + ihash) % TAB_SIZE;
    const b = buckets[shHashKey(fold, port, roffset, opts.kernelHash)]!;
    if (isAvailable(vs.realServers[b]!)) {
      return chosen(vs, b, `${what} holds unavailable ${label(vs, first)}; sh-fallback probed on to this server (offset ${roffset}).${notes}`, SH_SOURCE);
    }
  }
  return noDestination(`${what}: every probed bucket holds an unavailable server.${notes}`, SH_SOURCE);
}

export function scheduleDh(vs: SchedulerInput, conn: NewConnection, opts: ScheduleOptions): ScheduleOutcome {
  const notes = availabilityNotes(vs.realServers) + ORDER_NOTE;
  const buckets = dhBuckets(vs);
  if (buckets.length === 0) return noDestination('dh: the service has no real servers.', DH_SOURCE);
  if (!conn.destination) {
    return noDestination('dh hashes the packet destination address, which was not given; cannot choose.', DH_SOURCE);
  }
  const fold = foldAddress(conn.destination);
  const h = opts.kernelHash === 'legacy' ? legacyMultiplicativeHash(fold, TAB_MASK) : hash32(fold, TAB_BITS);
  const b = buckets[h]!;
  const what = `dh: bucket ${h} of 256 from the hash of destination ${conn.destination.text}`;
  if (isAvailable(vs.realServers[b]!)) return chosen(vs, b, `${what} holds this server.${notes}`, DH_SOURCE);
  return noDestination(`${what} holds ${label(vs, b)}, which is unavailable (weight 0 or overloaded).${notes}`, DH_SOURCE);
}

export const ORDER_NOTE =
  ' Assumes the dump lists real servers in the kernel\'s order (newest first, as `ipvsadm -Ln --nosort` shows); plain ipvsadm output is sorted, which can change the table.';

export function label(vs: SchedulerInput, i: number): string {
  const rs = vs.realServers[i]!;
  return rs.address.family === 6 ? `[${rs.address.text}]:${rs.port}` : `${rs.address.text}:${rs.port}`;
}
