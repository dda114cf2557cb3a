import type { IP } from '@svcpath/netaddr';
import type { Hook } from '@svcpath/ruleset';
import type { L4Proto, PathStep, RecentEntry } from './types';

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
  path: PathStep[];
  rulesEvaluated: number;
  assumptions: string[];
  recentSet: string | null;
  hook: Hook;
  /** Set when IPVS took the connection: at which hook, and its persistence as affinity. */
  ipvs: { hook: Hook; persistence: { seconds: number; list: string } | null } | null;
}

export function cloneState(s: FlowState): FlowState {
  return {
    ...s,
    recent: new Map([...s.recent].map(([k, v]) => [k, v.slice()])),
    path: s.path.slice(),
    assumptions: s.assumptions.slice(),
  };
}

/** Records an assumption once per branch. */
export function assume(s: FlowState, text: string): void {
  if (!s.assumptions.includes(text)) s.assumptions.push(text);
}
