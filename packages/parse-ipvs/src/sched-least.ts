import { availabilityNotes, availableIndexes } from './availability';
import type { RealServer } from './ipvs-types';
import { chosen, noDestination, proportional, type ScheduleOutcome, type SchedulerInput } from './schedule-types';

/** The least-load family: lc, wlc, sed, nq. All pick deterministically from live counters. */
export type LeastScheduler = 'lc' | 'wlc' | 'sed' | 'nq';

const SOURCE: Record<LeastScheduler, string> = {
  lc: 'net/netfilter/ipvs/ip_vs_lc.c ip_vs_lc_schedule',
  wlc: 'net/netfilter/ipvs/ip_vs_wlc.c ip_vs_wlc_schedule',
  sed: 'net/netfilter/ipvs/ip_vs_sed.c ip_vs_sed_schedule',
  nq: 'net/netfilter/ipvs/ip_vs_nq.c ip_vs_nq_schedule',
};

/** include/net/ip_vs.h ip_vs_dest_conn_overhead: activeconns * 256 + inactconns. */
const connOverhead = (rs: RealServer): number => rs.activeConns! * 256 + rs.inactiveConns!;
/** ip_vs_sed_dest_overhead / ip_vs_nq_dest_overhead: activeconns + 1. */
const expectedDelay = (rs: RealServer): number => rs.activeConns! + 1;

export function scheduleLeast(name: LeastScheduler, vs: SchedulerInput): ScheduleOutcome {
  const idx = availableIndexes(vs.realServers);
  const notes = availabilityNotes(vs.realServers);
  if (idx.length === 0) return noDestination(`${name}: no real server with weight > 0 that is not overloaded.${notes}`, SOURCE[name]);
  const needsInactive = name === 'lc' || name === 'wlc';
  const known = idx.every((i) => {
    const rs = vs.realServers[i]!;
    return rs.activeConns !== undefined && (!needsInactive || rs.inactiveConns !== undefined);
  });
  if (!known) return estimate(name, vs, idx, notes);
  const pick = name === 'lc' ? pickLc(vs, idx) : name === 'nq' ? pickNq(vs, idx) : pickWeighted(vs, idx, name === 'wlc' ? connOverhead : expectedDelay);
  return chosen(vs, pick, `${describe(name)} With the counts in the dump the kernel picks this server; ties go to the first in list order.${notes}`, SOURCE[name]);
}

function describe(name: LeastScheduler): string {
  switch (name) {
    case 'lc':
      return 'lc: fewest connections by overhead = active*256 + inactive, weights ignored (except 0).';
    case 'wlc':
      return 'wlc: smallest (active*256 + inactive) / weight.';
    case 'sed':
      return 'sed: smallest (active + 1) / weight (shortest expected delay).';
    case 'nq':
      return 'nq: the first idle server (no active connections) if any, else smallest (active + 1) / weight.';
    default: {
      const never: never = name;
      return never;
    }
  }
}

/** Strictly smaller overhead wins, so ties keep the earlier server. */
function pickLc(vs: SchedulerInput, idx: readonly number[]): number {
  let least = idx[0]!;
  for (const i of idx.slice(1)) if (connOverhead(vs.realServers[i]!) < connOverhead(vs.realServers[least]!)) least = i;
  return least;
}

/** wlc/sed: replace when loh * w(dest) > doh * w(least), i.e. doh/w(dest) < loh/w(least). */
function pickWeighted(vs: SchedulerInput, idx: readonly number[], overhead: (rs: RealServer) => number): number {
  let least = idx[0]!;
  for (const i of idx.slice(1)) {
    const d = vs.realServers[i]!;
    const l = vs.realServers[least]!;
    if (overhead(l) * d.weight > overhead(d) * l.weight) least = i;
  }
  return least;
}

/** nq: the first server with no active connections wins at once; otherwise as sed. */
function pickNq(vs: SchedulerInput, idx: readonly number[]): number {
  const idle = idx.find((i) => vs.realServers[i]!.activeConns === 0);
  return idle ?? pickWeighted(vs, idx, expectedDelay);
}

function estimate(name: LeastScheduler, vs: SchedulerInput, idx: readonly number[], notes: string): ScheduleOutcome {
  // lc ignores weights (beyond 0): over time it evens connection counts, so an equal share is
  // its long-run estimate; the weighted ones even load per unit of weight.
  const shares = proportional(vs, idx, name === 'lc' ? () => 1 : (rs) => rs.weight);
  return {
    kind: 'distribution',
    shares,
    estimate: true,
    basis: `${describe(name)} The dump has no connection counts (use ipvsadm -Ln), so the answer depends on live load; ESTIMATE: ${name === 'lc' ? 'equal' : 'weight-proportional'} long-run share.${notes}`,
    source: SOURCE[name],
  };
}
