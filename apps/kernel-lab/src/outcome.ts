/**
 * Outcome keys: one short string per {@link ProbeResult}, so the kernel's answers can be counted
 * and compared with a tracer's predicted verdicts.
 */
import type { ProbeResult } from './lab-types';

/** Options for {@link outcomeKey} and {@link summarize}. */
export interface OutcomeKeyOptions {
  /** Append ` from <peer>` to deliveries, to tell masqueraded connections apart. */
  withPeer?: boolean;
}

/**
 * The key of one result:
 * - `DNAT <ip:port>`: delivered to that listener in P — the DNAT target, or the destination itself
 *   when the probe addressed an endpoint directly;
 * - `LOCAL <ip:port>`: delivered to a listener in N itself;
 * - `REJECT`: ECONNREFUSED (ICMP port unreachable, REJECT's default, or a TCP reset);
 * - `UNREACHABLE <errno>`: any other ICMP error (e.g. `--reject-with icmp-host-prohibited`);
 * - `FORWARD`: left the node untranslated;
 * - `DROP`: no answer before the timeout.
 */
export function outcomeKey(r: ProbeResult, opts: OutcomeKeyOptions = {}): string {
  switch (r.kind) {
    case 'delivered': {
      const key = `${r.where === 'pod' ? 'DNAT' : 'LOCAL'} ${r.endpoint}`;
      return opts.withPeer ? `${key} from ${r.peer}` : key;
    }
    case 'refused':
      return 'REJECT';
    case 'unreachable':
      return `UNREACHABLE ${r.code}`;
    case 'forwarded':
      return 'FORWARD';
    case 'timeout':
      return 'DROP';
    default: {
      const never: never = r;
      throw new Error(`unknown probe result ${JSON.stringify(never)}`);
    }
  }
}

/** Counts results by {@link outcomeKey}; the most frequent outcome comes first. */
export function summarize(
  results: readonly ProbeResult[],
  opts: OutcomeKeyOptions = {},
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of results) {
    const k = outcomeKey(r, opts);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return new Map([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}
