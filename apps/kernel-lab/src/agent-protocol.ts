/**
 * The JSON-lines protocol between the lab (parent) and the agent running in each namespace.
 * One request per line on the agent's stdin, one reply per line on its stdout, matched by `id`.
 * The agent prints `{"ready":true}` once it is reading requests.
 */
import type { LabListener, LabProto, ProbeResult } from './lab-types';

/** Which kind of listener answered: an endpoint in P, or a listener in N. */
export type ListenerWhere = 'pod' | 'node';

/** One batch of tries run by the agent (the lab has already checked the request). */
export interface ProbeSeries {
  src: string;
  dst: string;
  dport: number;
  proto: LabProto;
  tries: number;
  timeoutMs: number;
  staggerMs: number;
}

/** Requests, discriminated on `op`. */
export type AgentRequest =
  | { id: number; op: 'listen'; listeners: LabListener[]; where: ListenerWhere }
  | { id: number; op: 'probe'; series: ProbeSeries }
  | { id: number; op: 'clearRecent' }
  | { id: number; op: 'flushConntrack' };

/** Replies: `results` for `probe`, nothing else for the other operations. */
export type AgentReply =
  { id: number; ok: true; results?: ProbeResult[] } | { id: number; ok: false; error: string };

/** The first line an agent prints, once it is reading requests. */
export interface AgentReady {
  ready: true;
}

/** The line a listener answers every TCP connection and UDP datagram with. */
export interface ListenerAnswer {
  /** `ip:port` the connection/datagram arrived on. */
  endpoint: string;
  /** Source address the listener saw. */
  peer: string;
  where: ListenerWhere;
}

/** Parses a listener's answer; null if it is not one (something else answered). */
export function parseListenerAnswer(line: string): ListenerAnswer | null {
  try {
    const v = JSON.parse(line) as Partial<ListenerAnswer>;
    if (typeof v.endpoint !== 'string' || typeof v.peer !== 'string') return null;
    if (v.where !== 'pod' && v.where !== 'node') return null;
    return { endpoint: v.endpoint, peer: v.peer, where: v.where };
  } catch {
    return null;
  }
}
