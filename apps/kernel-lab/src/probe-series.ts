import { setTimeout as delay } from 'node:timers/promises';
import type { ProbeSeries } from './agent-protocol';
import type { ProbeResult } from './lab-types';
import { probeOnce } from './probe-once';

/**
 * Agent side: `tries` tries in order. Each starts when the previous one has settled or after
 * `staggerMs`, whichever is first — deliveries take well under a millisecond so they run one at a
 * time, while DROPs overlap instead of costing a full timeout each. Results keep the start order.
 */
export async function runProbeSeries(s: ProbeSeries): Promise<ProbeResult[]> {
  const tries: Promise<ProbeResult>[] = [];
  for (let i = 0; i < s.tries; i++) {
    const t = probeOnce(s);
    tries.push(t);
    if (i < s.tries - 1) {
      await Promise.race([t.catch(() => undefined), delay(s.staggerMs)]);
    }
  }
  return Promise.all(tries);
}
