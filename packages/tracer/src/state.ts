import type { IP } from '@svcpath/netaddr';
import type { Hook } from '@svcpath/ruleset';
import { joinPaths, type PathSeq } from './path-seq';
import type { L4Proto, RecentEntry } from './types';

/** Mutable per-branch state of one packet's walk. Cloned only where the walk forks. */
export interface FlowState {
  src: IP;
  dst: IP;
  sport: number;
  dport: number;
  proto: L4Proto;
  readonly origSrc: IP;
  readonly origDst: IP;
  readonly origDport: number;
  inIface: string | null;
  outIface: string | null;
  mark: number;
  ctmark: number;
  notrack: boolean;
  dnat: { addr: IP; port: number } | null;
  snat: string | null;
  masquerade: boolean;
  /** NAT bindings already set up for this connection (kernel: nf_nat_initialized). */
  dstNatBound: boolean;
  srcNatBound: boolean;
  recent: Map<string, RecentEntry[]>;
  probability: number;
  path: PathSeq;
  rulesEvaluated: number;
  assumptions: string[];
  recentSet: string | null;
  hook: Hook;
  /** Set when IPVS took the connection: at which hook, and its persistence as affinity. */
  ipvs: { hook: Hook; persistence: { seconds: number; list: string } | null } | null;
  /** Other paths folded into this branch because they reached the same state (see mergeStates). */
  merged: number;
}

export function cloneState(s: FlowState): FlowState {
  return {
    ...s,
    recent: new Map([...s.recent].map(([k, v]) => [k, v.slice()])),
    assumptions: s.assumptions.slice(),
  };
}

/** Records an assumption once per branch. */
export function assume(s: FlowState, text: string): void {
  if (!s.assumptions.includes(text)) s.assumptions.push(text);
}

/**
 * Everything about a branch that later rules or the outcome can tell apart; two branches with the
 * same key at the same place behave alike from there on. The path, the probability, the count of
 * evaluated rules and the assumptions are history, not state.
 */
export function stateKey(s: FlowState): string {
  const recent = [...s.recent].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([
    s.src.text,
    s.dst.text,
    s.sport,
    s.dport,
    s.proto,
    s.inIface,
    s.outIface,
    s.mark,
    s.ctmark,
    s.notrack,
    s.dnat ? `${s.dnat.addr.text}:${s.dnat.port}` : null,
    s.snat,
    s.masquerade,
    s.dstNatBound,
    s.srcNatBound,
    s.recentSet,
    s.hook,
    s.ipvs,
    recent.map(([name, list]) => [name, list.map((e) => [e.addr.text, e.ageSeconds, e.hits ?? null])]),
  ]);
}

/**
 * Folds branches in the same state into one, adding their probabilities, so the work of a trace
 * grows with the rules and not with the number of paths. The likeliest path stands for the others
 * (ties: the first); its assumptions take in theirs.
 */
export function mergeStates(list: readonly FlowState[], extraKey: (s: FlowState) => string = () => ''): FlowState[] {
  if (list.length < 2) return list.slice();
  const byKey = new Map<string, FlowState>();
  for (const s of list) {
    const k = extraKey(s) + stateKey(s);
    const seen = byKey.get(k);
    if (!seen) byKey.set(k, s);
    else byKey.set(k, fold(seen, s));
  }
  return [...byKey.values()];
}

function fold(a: FlowState, b: FlowState): FlowState {
  const [keep, other] = b.probability > a.probability ? [b, a] : [a, b];
  keep.probability = a.probability + b.probability;
  keep.merged += other.merged + 1;
  for (const x of other.assumptions) assume(keep, x);
  return keep;
}

/** The state a chain is entered with, stripped of history: the start of a reusable chain summary. */
export function entryOf(s: FlowState): FlowState {
  return { ...cloneState(s), probability: 1, path: null, rulesEvaluated: 0, assumptions: [], merged: 0 };
}

/** A caller's branch continued by one exit of a chain summary (made from `entryOf(caller)`). */
export function continueWith(caller: FlowState, exit: FlowState): FlowState {
  const s = cloneState(exit);
  s.probability = caller.probability * exit.probability;
  s.path = joinPaths(caller.path, exit.path);
  s.rulesEvaluated = caller.rulesEvaluated + exit.rulesEvaluated;
  s.assumptions = caller.assumptions.slice();
  for (const x of exit.assumptions) assume(s, x);
  s.merged = caller.merged + exit.merged;
  return s;
}
