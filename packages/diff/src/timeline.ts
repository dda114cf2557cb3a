import { diffRulesets } from './diff-rulesets';
import type { DiffReport, DiffSide } from './model';

/** One step of a timeline: what changed from one snapshot to the next. */
export interface TimelineStep {
  readonly from: string;
  readonly to: string;
  readonly report: DiffReport;
}

/**
 * The timeline of several snapshots of one node, given in the order they were taken: the diff of
 * each snapshot against the one before it. Steps without changes are kept, so the timeline shows
 * when nothing happened too.
 */
export function diffTimeline(sides: readonly DiffSide[]): TimelineStep[] {
  const out: TimelineStep[] = [];
  for (let i = 1; i < sides.length; i++) {
    const from = sides[i - 1]!;
    const to = sides[i]!;
    out.push({ from: from.label, to: to.label, report: diffRulesets(from, to) });
  }
  return out;
}

/** Whether a report found any change. */
export function hasChanges(r: DiffReport): boolean {
  return r.servicePorts.length > 0 || r.node.length > 0;
}
