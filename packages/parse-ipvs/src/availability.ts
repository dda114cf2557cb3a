import type { RealServer } from './ipvs-types';

/**
 * Whether the kernel would consider a real server for a NEW connection: weight > 0 and not
 * flagged IP_VS_DEST_F_OVERLOAD. The flag is set when active+inactive ≥ the upper threshold
 * (ip_vs_conn.c ip_vs_bind_dest) and cleared below the lower one (ip_vs_unbind_dest), so between
 * the two it depends on history: we then call it not overloaded and say so.
 */
export function overloadOf(rs: RealServer): 'yes' | 'no' | 'unknown' {
  const u = rs.upperThreshold ?? 0;
  if (u === 0) return 'no';
  if (rs.activeConns === undefined || rs.inactiveConns === undefined) return 'unknown';
  const total = rs.activeConns + rs.inactiveConns;
  if (total >= u) return 'yes';
  const l = rs.lowerThreshold ?? 0;
  const clearedBelow = l !== 0 ? total < l : total * 4 < u * 3;
  return clearedBelow ? 'no' : 'unknown';
}

export function isAvailable(rs: RealServer): boolean {
  return rs.weight > 0 && overloadOf(rs) !== 'yes';
}

/** Indexes of servers available for new connections, in list order. */
export function availableIndexes(servers: readonly RealServer[]): number[] {
  const out: number[] = [];
  servers.forEach((rs, i) => {
    if (isAvailable(rs)) out.push(i);
  });
  return out;
}

/** A sentence on what availability assumed, or '' when nothing needed assuming. */
export function availabilityNotes(servers: readonly RealServer[]): string {
  const notes: string[] = [];
  const zero = servers.filter((rs) => rs.weight === 0).length;
  if (zero > 0) notes.push(`${zero} weight-0 server(s) get no new connections`);
  const over = servers.filter((rs) => rs.weight > 0 && overloadOf(rs) === 'yes').length;
  if (over > 0) notes.push(`${over} server(s) over their -x upper threshold are skipped`);
  const unk = servers.filter((rs) => rs.weight > 0 && overloadOf(rs) === 'unknown').length;
  if (unk > 0) notes.push(`${unk} server(s) near their thresholds were assumed not overloaded`);
  const assumed = servers.filter((rs) => rs.assumed?.includes('weight')).length;
  if (assumed > 0) notes.push(`weights of ${assumed} server(s) were not in the dump and assumed 1`);
  return notes.length ? ` (${notes.join('; ')}.)` : '';
}
