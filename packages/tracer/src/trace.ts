import { serviceOfPath } from '@svcpath/proxy-layout';
import type { Hook, NotShown, Ruleset } from '@svcpath/ruleset';
import { makeCtx, type TraceCtx } from './context';
import type { FlowState } from './state';
import type { Outcome, PacketSpec, TraceEnv, TraceLimits, TraceResult } from './types';
import { findVirtualService, ipvsSchedule } from './ipvs';
import { hostPort } from './walk';
import { pathSteps, pushStep } from './path-seq';
import { Budget, TraceStopped } from './budget';
import { checkStructure } from './structure';
import { mergeStates } from './state';
import { Walker } from './walker';

const EPHEMERAL_PORT = 40000;
/** Paths longer than this are cut (nested diamonds of chains make paths of billions of steps). */
const MAX_PATH_STEPS = 50_000;

interface Done {
  readonly st: FlowState;
  readonly verdict: 'DROP' | 'REJECT' | 'DNAT' | 'UNKNOWN';
  readonly rejectWith?: string;
  readonly notShown?: NotShown;
}

/**
 * Traces the first packet of a new connection through the ruleset in the kernel's order and returns
 * every outcome with its probability.
 *
 * From outside the node (the source is not a node address): PREROUTING (raw, mangle, nat) → routing
 * (a node address after DNAT: INPUT, else FORWARD then POSTROUTING). From the node itself: OUTPUT
 * (raw, mangle, nat, filter) → POSTROUTING, and, when the destination is the node, back in through
 * lo: PREROUTING and INPUT without nat (conntrack already bound the connection).
 *
 * A ruleset the kernel would refuse to load (a jump loop, nesting deeper than nf_tables allows)
 * gets no outcomes but an `error` naming the rule; so does a trace that runs over `limits`.
 */
export function trace(rs: Ruleset, packet: PacketSpec, env: TraceEnv, limits: TraceLimits = {}): TraceResult {
  const ctx = makeCtx(rs, env);
  const origin = ctx.isLocal(packet.src) ? 'node' : 'external';
  const head = { packet: { src: packet.src.text, dst: packet.dst.text, dport: packet.dport, proto: packet.proto }, origin } as const;
  const structure = checkStructure(rs, env.iptablesBackend);
  const assumptions = [...rs.assumptions, ...structure.notes];
  if (structure.refusal) return { ...head, outcomes: [], assumptions, error: structure.refusal };
  try {
    return { ...head, outcomes: walk(new Walker(ctx, new Budget(limits)), packet, env, origin), assumptions };
  } catch (e) {
    if (e instanceof TraceStopped) return { ...head, outcomes: [], assumptions, error: e.error };
    throw e;
  }
}

function walk(w: Walker, packet: PacketSpec, env: TraceEnv, origin: 'node' | 'external'): Outcome[] {
  const ctx = w.ctx;
  const start: FlowState = {
    src: packet.src,
    dst: packet.dst,
    sport: packet.sport ?? EPHEMERAL_PORT,
    dport: packet.dport,
    proto: packet.proto,
    origSrc: packet.src,
    origDst: packet.dst,
    origDport: packet.dport,
    inIface: origin === 'node' ? null : (packet.inIface ?? null),
    outIface: env.outIface ?? null,
    mark: 0,
    ctmark: 0,
    notrack: false,
    dnat: null,
    snat: null,
    masquerade: false,
    dstNatBound: false,
    srcNatBound: false,
    recent: new Map([...(env.recent ?? new Map())].map(([k, v]) => [k, v.slice()])),
    probability: 1,
    path: null,
    rulesEvaluated: 0,
    assumptions: [],
    recentSet: null,
    hook: origin === 'node' ? 'output' : 'prerouting',
    ipvs: null,
    merged: 0,
  };
  const done: Done[] = [];
  const delivered: { st: FlowState; delivery: 'local' | 'forward' }[] = [];

  // IPVS hands a connection it took to the node's output path (ip_vs_nat_send_or_cont: LOCAL_OUT
  // again, then POSTROUTING) unless the real server is the node itself.
  const afterIpvs = (s: FlowState) => {
    const out = runHook(w, 'output', [withOut(ctx, s)], done, true);
    for (const x of runHook(w, 'postrouting', out, done, true)) delivered.push({ st: x, delivery: 'forward' });
  };
  if (origin === 'external') {
    for (const st of runHook(w, 'prerouting', [start], done, true)) {
      if (ctx.isLocal(st.dst)) {
        for (const s of runHook(w, 'input', [st], done, true)) {
          if (s.ipvs && !ctx.isLocal(s.dst)) afterIpvs(s);
          else delivered.push({ st: s, delivery: 'local' });
        }
      } else {
        const fwd = runHook(w, 'forward', [withOut(ctx, st)], done, true);
        for (const s of runHook(w, 'postrouting', fwd, done, true)) delivered.push({ st: s, delivery: 'forward' });
      }
    }
  } else {
    if (ctx.isLocal(packet.dst) && start.outIface === null) start.outIface = 'lo';
    const out = runHook(w, 'output', [start], done, true);
    const ipvsOut = out.filter((s) => s.ipvs && !ctx.isLocal(s.dst));
    for (const s of ipvsOut) afterIpvs(s);
    for (const st of runHook(w, 'postrouting', out.filter((s) => !ipvsOut.includes(s)).map((s) => withOut(ctx, s)), done, true)) {
      if (!ctx.isLocal(st.dst)) {
        delivered.push({ st, delivery: 'forward' });
        continue;
      }
      st.inIface = 'lo';
      const pre = runHook(w, 'prerouting', [st], done, false);
      for (const s of runHook(w, 'input', pre, done, false)) delivered.push({ st: s, delivery: 'local' });
    }
  }

  const outcomes: Outcome[] = [
    ...mergeDone(done).map((d) => outcome(ctx, d.st, d.verdict, null, d.rejectWith, d.notShown)),
    ...mergeDelivered(delivered).map((d) => outcome(ctx, d.st, d.st.dnat ? 'DNAT' : 'ACCEPT', d.delivery)),
  ];
  outcomes.sort((a, b) => b.probability - a.probability);
  return outcomes;
}

/** Endings in the same state with the same verdict are one outcome (see mergeStates). */
function mergeDone(done: readonly Done[]): Done[] {
  const of = new Map(done.map((d) => [d.st, d]));
  return mergeStates([...of.keys()], (s) => `${JSON.stringify([of.get(s)!.verdict, of.get(s)!.rejectWith ?? null, of.get(s)!.notShown ?? null])}\u0000`).map((st) => ({ ...of.get(st)!, st }));
}

function mergeDelivered(delivered: readonly { st: FlowState; delivery: 'local' | 'forward' }[]) {
  const of = new Map(delivered.map((d) => [d.st, d.delivery]));
  return mergeStates([...of.keys()], (s) => `${of.get(s)}\u0000`).map((st) => ({ st, delivery: of.get(st)! }));
}

/** The outgoing interface after routing: lo for the node's own addresses, else unknown. */
function withOut(ctx: TraceCtx, st: FlowState): FlowState {
  if (st.outIface === null && ctx.isLocal(st.dst)) st.outIface = 'lo';
  return st;
}

/**
 * Runs every base chain registered on `hook`, in priority order. ACCEPT ends one chain and the next
 * one runs; DROP and REJECT end the packet; a chain's end applies its policy. nat chains run only
 * until one of them sets up a binding of their kind (nf_nat_inet_fn), and never for untracked
 * packets or on the loopback re-entry (`withNat` false).
 */
function runHook(w: Walker, hook: Hook, states: FlowState[], done: Done[], withNat: boolean): FlowState[] {
  const ctx = w.ctx;
  let live = states;
  for (const base of ctx.rs.hooks[hook]) {
    const next: FlowState[] = [];
    const family = live[0]?.dst.family;
    if (family && base.families && !base.families.includes(family)) continue;
    if (base.type === 'ipvs') {
      for (const st of live) next.push(...runIpvs(ctx, hook, st, done));
      live = next;
      continue;
    }
    const chain = ctx.rs.chains.get(base.chainId);
    if (!chain) continue;
    for (const st of live) {
      // A connection IPVS took at this hook has left it (NF_STOLEN).
      if (st.ipvs?.hook === hook) {
        next.push(st);
        continue;
      }
      st.hook = hook;
      const srcNat = hook === 'input' || hook === 'postrouting';
      if (base.type === 'nat' && (!withNat || st.notrack || (srcNat ? st.srcNatBound : st.dstNatBound))) {
        next.push(st);
        continue;
      }
      for (const b of w.run(chain, st)) {
        const f = b.flow;
        if (f.kind === 'drop') done.push({ st: b.st, verdict: 'DROP' });
        else if (f.kind === 'reject') done.push({ st: b.st, verdict: 'REJECT', rejectWith: f.rejectWith });
        else if (f.kind === 'not-shown') done.push({ st: b.st, verdict: f.what.outcome === 'endpoint-not-shown' ? 'DNAT' : 'UNKNOWN', notShown: f.what });
        else if ((f.kind === 'end' || f.kind === 'return') && base.policy === 'DROP') {
          b.st.path = pushStep(b.st.path, { hook, table: chain.table, chain: chain.name, rule: 0, line: chain.span?.line ?? 0, file: chain.span?.file ?? '', action: 'policy DROP' });
          done.push({ st: b.st, verdict: 'DROP' });
        } else next.push(b.st);
      }
    }
    live = mergeStates(next);
  }
  // After every nat chain of the hook ran without a translation the kernel binds a null mapping
  // (nf_nat_alloc_null_binding): later nat hooks of the same kind leave this connection alone.
  if (withNat && ctx.rs.hooks[hook].some((b) => b.type === 'nat')) {
    for (const st of live) {
      if (st.notrack || st.ipvs?.hook === hook) continue; // IPVS took it before the nat chains ran
      if (hook === 'input' || hook === 'postrouting') st.srcNatBound = true;
      else st.dstNatBound = true;
    }
  }
  return live;
}

/** The IPVS hook: packets already handled by IPVS (ipvs_property) or to no virtual service pass. */
function runIpvs(ctx: TraceCtx, hook: Hook, st: FlowState, done: Done[]): FlowState[] {
  if (st.ipvs) return [st];
  st.hook = hook;
  const vs = findVirtualService(ctx.rs, st);
  if (!vs) return [st];
  const r = ipvsSchedule(ctx, vs, st);
  if (r.noDestination) {
    done.push({ st, verdict: 'REJECT', rejectWith: 'icmp-port-unreachable' });
    return [];
  }
  return r.branches;
}

function outcome(
  ctx: TraceCtx,
  st: FlowState,
  verdict: Outcome['verdict'],
  delivery: Outcome['delivery'],
  rejectWith?: string,
  notShown?: NotShown,
): Outcome {
  const path = pathSteps(st.path, MAX_PATH_STEPS);
  const assumptions = path.length < (st.path?.len ?? 0) ? [...st.assumptions, `the path is shown up to its first ${MAX_PATH_STEPS.toLocaleString('en-US')} steps of ${st.path!.len.toLocaleString('en-US')}`] : st.assumptions;
  const affinity = st.recentSet !== null ? { seconds: ctx.recentSeconds(st.recentSet, path), list: st.recentSet } : (st.ipvs?.persistence ?? undefined);
  return {
    kind: notShown ? notShown.outcome : 'traced',
    probability: st.probability,
    verdict,
    destination: st.dnat ? hostPort(st.dnat.addr, st.dnat.port) : (notShown?.endpoint ?? null),
    delivery,
    masquerade: st.masquerade,
    snat: st.snat,
    service: serviceOfPath(ctx.rs, path),
    ...(rejectWith !== undefined ? { rejectWith } : {}),
    path,
    rulesEvaluated: st.rulesEvaluated,
    ...(affinity ? { affinity } : {}),
    assumptions,
    mark: `0x${st.mark.toString(16)}`,
    ...(st.merged > 0 ? { mergedPaths: st.merged } : {}),
    ...(notShown ? { notShown: { subject: notShown.subject, endpoint: notShown.endpoint, reason: notShown.reason, command: notShown.command } } : {}),
  };
}
