import { availabilityNotes, isAvailable } from './availability';
import { foldAddress, hsiphashU32 } from './kernel-hash';
import { label, ORDER_NOTE } from './sched-hash';
import { chosen, noDestination, type NewConnection, type ScheduleOptions, type ScheduleOutcome, type SchedulerInput } from './schedule-types';

/**
 * Maglev hashing as net/netfilter/ipvs/ip_vs_mh.c builds it. The siphash keys are NOT random:
 * generate_hash_secret() sets both words of hash1 to 2654435761 and of hash2 to 2654446892, so
 * the table is reproducible offline (on 64-bit little-endian kernels, where hsiphash is
 * SipHash-1-3 over the u32's bytes).
 */
const HASH1 = 2654435761n;
const HASH2 = 2654446892n;
/** primes[] in ip_vs_mh.c; CONFIG_IP_VS_MH_TAB_INDEX 8..17 picks one, 12 (4093) by default. */
export const MH_TABLE_SIZES = [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071] as const;
export const MH_DEFAULT_TABLE_SIZE = 4093;

const SOURCE = 'net/netfilter/ipvs/ip_vs_mh.c ip_vs_mh_schedule (ip_vs_mh_permutate, ip_vs_mh_populate, ip_vs_mh_get[_fallback])';

/** ip_vs_mh_hashkey: hsiphash of the u32 (offset + ntohs(port) + ntohl(addr_fold)). */
function mhHash(fold: number, port: number, key: bigint, offset: number): number {
  return hsiphashU32((offset + port + fold) >>> 0, key, key);
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
/** fls(): position of the highest set bit, 1-based; 0 for 0. */
const fls = (x: number): number => (x === 0 ? 0 : 32 - Math.clz32(x));

/** The lookup table: entry c holds the index of a real server, or -1 (no server). */
export function mhLookupTable(vs: SchedulerInput, size: number, lastWeights: readonly number[]): number[] {
  const table = new Array<number>(size).fill(-1);
  const g = lastWeights.reduce((acc, w) => (w > 0 ? (acc > 0 ? gcd(w, acc) : w) : acc), 0);
  if (g < 1) return table; // no dests, or all last weights zero: the table stays empty
  const maxW = Math.max(...lastWeights);
  // ip_vs_mh_shift_weight: IP_VS_MH_TAB_BITS = CONFIG_IP_VS_MH_TAB_INDEX / 2 = 6 for the default.
  const tabBits = Math.floor((MH_TABLE_SIZES.indexOf(size as (typeof MH_TABLE_SIZES)[number]) + 8) / 2);
  const rshift = Math.max(0, fls(Math.floor(maxW / g)) - tabBits);
  const setup = vs.realServers.map((rs, i) => {
    const fold = foldAddress(rs.address);
    const offset = mhHash(fold, rs.port, HASH1, 0) % size;
    const skip = (mhHash(fold, rs.port, HASH2, 0) % (size - 1)) + 1;
    const lw = lastWeights[i]!;
    const turns = Math.floor(lw / g) >> rshift || (lw !== 0 ? 1 : 0);
    return { perm: offset, skip, turns };
  });
  const taken = new Uint8Array(size);
  let n = 0;
  for (;;) {
    for (let d = 0; d < setup.length; ) {
      const ds = setup[d]!;
      if (ds.turns < 1) {
        d++;
        continue;
      }
      for (let turn = 0; turn < ds.turns; turn++) {
        while (taken[ds.perm]) {
          ds.perm += ds.skip;
          if (ds.perm >= size) ds.perm -= size;
        }
        taken[ds.perm] = 1;
        table[ds.perm] = d;
        if (++n === size) return table;
      }
      d++;
    }
  }
}

export function scheduleMh(vs: SchedulerInput, conn: NewConnection, opts: ScheduleOptions): ScheduleOutcome {
  const size = opts.mhTableSize ?? MH_DEFAULT_TABLE_SIZE;
  if (!(MH_TABLE_SIZES as readonly number[]).includes(size)) {
    return noDestination(`mh: table size ${size} is not one of ip_vs_mh.c's primes; cannot model.`, SOURCE);
  }
  const assumedLast = vs.realServers.some((rs, i) => rs.weight === 0 && opts.mhLastWeights?.[i] === undefined);
  const lastWeights = vs.realServers.map((rs, i) => opts.mhLastWeights?.[i] ?? (rs.weight > 0 ? rs.weight : 1));
  const table = mhLookupTable(vs, size, lastWeights);
  const notes =
    availabilityNotes(vs.realServers) +
    ORDER_NOTE +
    (assumedLast ? ' Weight-0 servers keep their table slots under their last non-zero weight (dest->last_weight), assumed 1.' : '');
  const usePort = vs.schedFlags.port && conn.clientPort !== undefined;
  const port = usePort ? conn.clientPort! : 0;
  const fold = foldAddress(conn.client);
  const ihash = mhHash(fold, port, HASH1, 0) % size;
  const what = `mh: slot ${ihash} of ${size} from the siphash of ${conn.client.text}${usePort ? ` and source port ${port}` : ''}`;
  const first = table[ihash]!;
  if (first < 0) return noDestination(`${what} is empty (no server with a non-zero last weight).${notes}`, SOURCE);
  if (isAvailable(vs.realServers[first]!)) return chosen(vs, first, `${what} holds this server.${notes}`, SOURCE);
  if (!vs.schedFlags.fallback) {
    return noDestination(`${what} holds ${label(vs, first)}, which is unavailable, and mh-fallback is off.${notes}`, SOURCE);
  }
  for (let offset = 0; offset < size; offset++) {
    const roffset = (offset + ihash) % size;
    const c = table[mhHash(fold, port, HASH1, roffset) % size]!;
    if (c < 0) break;
    if (isAvailable(vs.realServers[c]!)) {
      return chosen(vs, c, `${what} holds unavailable ${label(vs, first)}; mh-fallback probed on to this server (offset ${roffset}).${notes}`, SOURCE);
    }
  }
  return noDestination(`${what}: every probed slot holds an unavailable server.${notes}`, SOURCE);
}
