import { parseIP } from '@svcpath/netaddr';
import type { Ruleset } from '@svcpath/ruleset';
import { recentForReturningClient, trace, type Outcome, type TraceResult } from '@svcpath/tracer';
import type { Lab } from '../lab-types';
import { summarize } from '../outcome';
import { tolerance, withinTolerance } from '../tolerance';

/** A packet flow to check: what the tracer predicts against what the kernel does. */
export interface Flow {
  name: string;
  src: string;
  dst: string;
  dport: number;
  proto: 'tcp' | 'udp';
  /** Opened from inside the node namespace (OUTPUT hook). */
  fromNode?: boolean;
  /** Check a returning client: one connection first, then `tries` more that keep the recent lists. */
  returning?: boolean;
  tries?: number;
}

export interface FlowCheck {
  readonly flow: Flow;
  readonly predicted: ReadonlyMap<string, number>;
  readonly observed: ReadonlyMap<string, number>;
  readonly tries: number;
  /** Empty when kernel and tracer agree. */
  readonly mismatches: readonly string[];
  readonly trace: TraceResult;
}

/** The kernel lab's key for what a traced outcome predicts (see outcomeKey in ../outcome.ts). */
export function predictedKey(o: Outcome, flow: Flow, masqueradeSource: string): string {
  const peer = o.masquerade ? masqueradeSource : flow.src;
  switch (o.verdict) {
    case 'DNAT':
      return `${o.delivery === 'local' ? 'LOCAL' : 'DNAT'} ${o.destination} from ${peer}`;
    case 'ACCEPT':
      return o.delivery === 'local' ? `LOCAL ${flow.dst}:${flow.dport} from ${peer}` : 'FORWARD';
    case 'REJECT':
      return rejectKey(o.rejectWith ?? 'icmp-port-unreachable');
    case 'DROP':
      return 'DROP';
    case 'UNKNOWN':
      return 'UNKNOWN'; // a partial dump: nothing for the kernel to confirm
    default: {
      const never: never = o.verdict;
      return never;
    }
  }
}

/** How a client socket sees each `--reject-with` (Linux maps ICMP errors to errno). */
function rejectKey(rejectWith: string): string {
  if (rejectWith === 'icmp-port-unreachable' || rejectWith === 'tcp-reset' || rejectWith === 'icmp-proto-unreachable') return 'REJECT';
  if (/net-(unreachable|prohibited)/.test(rejectWith)) return 'UNREACHABLE ENETUNREACH';
  return 'UNREACHABLE EHOSTUNREACH';
}

/**
 * Traces `flow`, opens real connections in the lab, and compares: every observed outcome must be
 * predicted, and every predicted share must match the observed one within 4σ + 1%.
 */
export async function checkFlow(
  lab: Lab,
  rs: Ruleset,
  flow: Flow,
  env: { nodeIPs: string[]; masqueradeSource: string },
): Promise<FlowCheck> {
  const localAddresses = env.nodeIPs.map((a) => parseIP(a)!);
  const packet = { src: parseIP(flow.src)!, dst: parseIP(flow.dst)!, dport: flow.dport, proto: flow.proto };
  let tries = flow.tries ?? 150;
  await lab.clearRecent();
  await lab.flushConntrack();
  let result: TraceResult;
  let observed: Map<string, number>;
  const base = { src: flow.src, dst: flow.dst, dport: flow.dport, proto: flow.proto, fromNode: flow.fromNode ?? false };
  if (flow.returning) {
    const [first] = await lab.probe({ ...base, tries: 1 });
    const endpoint = first?.kind === 'delivered' ? first.endpoint : '';
    result = trace(rs, packet, { localAddresses, recent: recentForReturningClient(rs, packet.src, endpoint) });
    observed = summarize(await lab.probe({ ...base, tries }), { withPeer: true });
  } else {
    result = trace(rs, packet, { localAddresses });
    const deterministic = result.outcomes.length === 1;
    if (deterministic && result.outcomes[0]!.verdict === 'DROP') tries = Math.min(tries, 20);
    // Clearing the recent lists makes every try a first connection; it also serialises the tries,
    // so it is only done where a path records affinity.
    const affinity = result.outcomes.some((o) => o.affinity);
    observed = summarize(await lab.probe({ ...base, tries, clearRecentEachTry: affinity }), { withPeer: true });
  }
  const predicted = new Map<string, number>();
  for (const o of result.outcomes) {
    const k = predictedKey(o, flow, env.masqueradeSource);
    predicted.set(k, (predicted.get(k) ?? 0) + o.probability);
  }
  const mismatches: string[] = [];
  for (const [k, n] of observed) if (!predicted.has(k)) mismatches.push(`kernel gave "${k}" ${n}/${tries} times; svcpath did not predict it`);
  for (const [k, p] of predicted) {
    const n = observed.get(k) ?? 0;
    if (!withinTolerance(n, tries, p))
      mismatches.push(`"${k}": svcpath predicts ${(p * 100).toFixed(1)}%, kernel gave ${n}/${tries} (${((n / tries) * 100).toFixed(1)}%, tolerance ±${(tolerance(tries, p) * 100).toFixed(1)}%)`);
  }
  return { flow, predicted, observed, tries, mismatches, trace: result };
}

/** The prediction beside the kernel's answer, for an assertion message (printed with SVCPATH_SHOW_KERNEL=1). */
export function describeCheck(check: FlowCheck): string {
  const shown = `predicted ${JSON.stringify([...check.predicted])}\nkernel ${JSON.stringify([...check.observed])} of ${check.tries}`;
  if (process.env.SVCPATH_SHOW_KERNEL) console.log(`${check.flow.name}\n${shown}`);
  return shown;
}
