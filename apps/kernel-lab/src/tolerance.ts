/**
 * How far an observed share may stray from a predicted probability before we call it a mismatch.
 *
 * The count of n independent tries that land on an outcome of probability p has standard
 * deviation sqrt(p(1−p)/n) as a share. Four of those keep false alarms below 1 in 10,000 per check
 * (normal approximation), and the small constant slack absorbs the approximation's error when p is
 * near 0 or 1. With 150–200 tries this still catches a tracer that reads iptables' `--probability`
 * values as shares (1/3 vs 1/2 for the second of three endpoints needs ~150 tries; 200 is clear).
 */

/** The "plus a little" added to the 4σ band. */
export const TOLERANCE_SLACK = 0.01;

/** Half-width of the accepted band around p, as a share: 4·sqrt(p(1−p)/n) + slack. */
export function tolerance(n: number, p: number, slack = TOLERANCE_SLACK): number {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`tolerance: n must be a positive integer, got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`tolerance: p must be within [0, 1], got ${p}`);
  return 4 * Math.sqrt((p * (1 - p)) / n) + slack;
}

/** True when `observed` hits out of `n` tries are consistent with probability `p`. */
export function withinTolerance(observed: number, n: number, p: number, slack = TOLERANCE_SLACK): boolean {
  if (!(observed >= 0 && observed <= n))
    throw new RangeError(`withinTolerance: observed ${observed} is not within [0, ${n}]`);
  return Math.abs(observed / n - p) <= tolerance(n, p, slack);
}
