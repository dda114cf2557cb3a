import { availabilityNotes, availableIndexes } from './availability';
import { scheduleLeast } from './sched-least';
import { scheduleDh, scheduleSh } from './sched-hash';
import { scheduleMh } from './sched-mh';
import { noDestination, proportional, type NewConnection, type ScheduleOptions, type ScheduleOutcome, type SchedulerInput } from './schedule-types';

/**
 * Where a NEW connection to this virtual service goes, as the kernel's scheduler decides it:
 * a deterministic choice when the dump holds everything the scheduler looks at, otherwise a
 * probability distribution with `estimate` saying whether it is exact over time or a guess.
 * Persistence (returning clients) is layered on top by {@link scheduleWithPersistence}.
 */
export function scheduleNewConnection(vs: SchedulerInput, conn: NewConnection, opts: ScheduleOptions = {}): ScheduleOutcome {
  switch (vs.scheduler) {
    case 'rr':
      return scheduleRoundRobin(vs, false);
    case 'wrr':
      return scheduleRoundRobin(vs, true);
    case 'lc':
    case 'wlc':
    case 'sed':
    case 'nq':
      return scheduleLeast(vs.scheduler, vs);
    case 'sh':
      return scheduleSh(vs, conn, opts);
    case 'dh':
      return scheduleDh(vs, conn, opts);
    case 'mh':
      return scheduleMh(vs, conn, opts);
    default:
      return scheduleUnmodelled(vs);
  }
}

function scheduleRoundRobin(vs: SchedulerInput, weighted: boolean): ScheduleOutcome {
  const source = weighted ? 'net/netfilter/ipvs/ip_vs_wrr.c ip_vs_wrr_schedule' : 'net/netfilter/ipvs/ip_vs_rr.c ip_vs_rr_schedule';
  const name = weighted ? 'wrr' : 'rr';
  const idx = availableIndexes(vs.realServers);
  const notes = availabilityNotes(vs.realServers);
  if (idx.length === 0) return noDestination(`${name}: no real server with weight > 0 that is not overloaded.${notes}`, source);
  const shares = proportional(vs, idx, weighted ? (rs) => rs.weight : () => 1);
  const how = weighted
    ? 'wrr: over each cycle every server gets connections in proportion to its weight'
    : 'rr: servers take turns, so each gets an equal share';
  return {
    kind: 'distribution',
    shares,
    estimate: false,
    basis: `${how}; which one is next depends on the kernel's position in the list, which the dump does not show.${notes}`,
    source,
  };
}

function scheduleUnmodelled(vs: SchedulerInput): ScheduleOutcome {
  const idx = availableIndexes(vs.realServers);
  const notes = availabilityNotes(vs.realServers);
  const source = `net/netfilter/ipvs/ip_vs_${vs.scheduler}.c (not modelled)`;
  if (idx.length === 0) return noDestination(`${vs.scheduler}: no real server with weight > 0 that is not overloaded.${notes}`, source);
  return {
    kind: 'distribution',
    shares: proportional(vs, idx, (rs) => rs.weight),
    estimate: true,
    basis: `Scheduler "${vs.scheduler}" is not modelled; ESTIMATE: weight-proportional share over servers that can take new connections.${notes}`,
    source,
  };
}
