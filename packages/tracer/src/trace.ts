import { serviceOfPath } from '@svcpath/proxy-layout';
import type { Hook, Ruleset } from '@svcpath/ruleset';
import { makeCtx, type TraceCtx } from './context';
import type { FlowState } from './state';
import type { Outcome, PacketSpec, TraceEnv, TraceResult } from './types';
import { findVirtualService, ipvsSchedule } from './ipvs';
import { hostPort, runChain } from './walk';

const EPHEMERAL_PORT = 40000;

interface Done {
  readonly st: FlowState;
  readonly verdict: 'DROP' | 'REJECT';
  readonly rejectWith?: string;
}

/**
 * Traces the first packet of a new connection through the ruleset in the kernel's order and returns
 * every outcome with its probability.
 *
 * From outside the node (the source is not a node address): PREROUTING (raw, mangle, nat) → routing
 * (a node address after DNAT: INPUT, else FORWARD then POSTROUTING). From the node itself: OUTPUT
 * (raw, mangle, nat, filter) → POSTROUTING, and, when the destination is the node, back in through
 * lo: PREROUTING and INPUT without nat (conntrack already bound the connection).
 */
export function trace(rs: Ruleset, packet: PacketSpec, env: TraceEnv): TraceResult {
  const ctx = makeCtx(rs, env);
  const origin = ctx.isLocal(packet.src) ? 'node' : 'external';
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
    path: [],
    rulesEvaluated: 0,
    assumptions: [],
    recentSet: null,
    hook: origin === 'node' ? 'output' : 'prerouting',
    ipvs: null,
  };
  const done: Done[] = [];
  const delivered: { st: FlowState; delivery: 'local' | 'forward' }[] = [];

  // IPVS hands a connection it took to the node's output path (ip_vs_nat_send_or_cont: LOCAL_OUT
  // again, then POSTROUTING) unless the real server is the node itself.
  const afterIpvs = (s: FlowState) => {
    const out = runHook(ctx, 'output', [withOut(ctx, s)], done, true);
    for (const x of runHook(ctx, 'postrouting', out, done, true)) delivered.push({ st: x, delivery: 'forward' });
  };
  if (origin === 'external') {
    for (const st of runHook(ctx, 'prerouting', [start], done, true)) {
      if (ctx.isLocal(st.dst)) {
        for (const s of runHook(ctx, 'input', [st], done, true)) {
          if (s.ipvs && !ctx.isLocal(s.dst)) afterIpvs(s);
          else delivered.push({ st: s, delivery: 'local' });
        }
      } else {
        const fwd = runHook(ctx, 'forward', [withOut(ctx, st)], done, true);
        for (const s of runHook(ctx, 'postrouting', fwd, done, true)) delivered.push({ st: s, delivery: 'forward' });
      }
    }
  } else {
    if (ctx.isLocal(packet.dst) && start.outIface === null) start.outIface = 'lo';
    const out = runHook(ctx, 'output', [start], done, true);
    const ipvsOut = out.filter((s) => s.ipvs && !ctx.isLocal(s.dst));
    for (const s of ipvsOut) afterIpvs(s);
    for (const st of runHook(ctx, 'postrouting', out.filter((s) => !ipvsOut.includes(s)).map((s) => withOut(ctx, s)), done, true)) {
      if (!ctx.isLocal(st.dst)) {
        delivered.push({ st, delivery: 'forward' });
        continue;
      }
      st.inIface = 'lo';
      const pre = runHook(ctx, 'prerouting', [st], done, false);
      for (const s of runHook(ctx, 'input', pre, done, false)) delivered.push({ st: s, delivery: 'local' });
    }
  }

  const outcomes: Outcome[] = [
    ...done.map((d) => outcome(ctx, d.st, d.verdict, null, d.rejectWith)),
    ...delivered.map((d) => outcome(ctx, d.st, d.st.dnat ? 'DNAT' : 'ACCEPT', d.delivery)),
  ];
  outcomes.sort((a, b) => b.probability - a.probability);
  return {
    packet: { src: packet.src.text, dst: packet.dst.text, dport: packet.dport, proto: packet.proto },
    origin,
    outcomes,
    assumptions: rs.assumptions,
  };
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
function runHook(ctx: TraceCtx, hook: Hook, states: FlowState[], done: Done[], withNat: boolean): FlowState[] {
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
      for (const b of runChain(ctx, chain, 0, st, 0)) {
        const f = b.flow;
        if (f.kind === 'drop') done.push({ st: b.st, verdict: 'DROP' });
        else if (f.kind === 'reject') done.push({ st: b.st, verdict: 'REJECT', rejectWith: f.rejectWith });
        else if ((f.kind === 'end' || f.kind === 'return') && base.policy === 'DROP') {
          b.st.path.push({ hook, table: chain.table, chain: chain.name, rule: 0, line: chain.span?.line ?? 0, file: chain.span?.file ?? '', action: 'policy DROP' });
          done.push({ st: b.st, verdict: 'DROP' });
        } else next.push(b.st);
      }
    }
    live = next;
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
): Outcome {
  const affinity = st.recentSet !== null ? { seconds: ctx.recentSeconds(st.recentSet, st.path), list: st.recentSet } : (st.ipvs?.persistence ?? undefined);
  return {
    probability: st.probability,
    verdict,
    destination: st.dnat ? hostPort(st.dnat.addr, st.dnat.port) : null,
    delivery,
    masquerade: st.masquerade,
    snat: st.snat,
    service: serviceOfPath(ctx.rs, st.path),
    ...(rejectWith !== undefined ? { rejectWith } : {}),
    path: st.path,
    rulesEvaluated: st.rulesEvaluated,
    ...(affinity ? { affinity } : {}),
    assumptions: st.assumptions,
    mark: `0x${st.mark.toString(16)}`,
  };
}
