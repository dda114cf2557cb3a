import { parseIP, type IP } from '@svcpath/netaddr';
import type { Action, MapVerdict, NotShown, RsChain, RsRule } from '@svcpath/ruleset';
import type { TraceCtx } from './context';
import { lookup } from './eval-cond';
import { pushStep } from './path-seq';
import { assume, cloneState, type FlowState } from './state';
import type { Walker } from './walker';

/** How a walk through a chain ended for one branch. */
export type Flow =
  | { kind: 'end' } // fell off the end of the chain
  | { kind: 'return' } // RETURN, or a goto'd chain ending
  | { kind: 'accept' } // ACCEPT, or a NAT binding (NF_ACCEPT for this chain)
  | { kind: 'drop' }
  | { kind: 'reject'; rejectWith: string }
  | { kind: 'not-shown'; what: NotShown }; // the paste stops here: no guess past it

export interface Branch {
  readonly st: FlowState;
  readonly flow: Flow;
}

/** What applying one action leaves: carry on with the next rule, or leave the chain. */
export type Step = { st: FlowState; next: true } | { st: FlowState; next: false; flow: Flow };

/**
 * Applies a matching rule's actions in order to one branch. A jump or goto continues the branch
 * through the target chain's summary (see Walker); when that summary is not made yet the Walker
 * throws NeedSummary, so callers pass a branch they can throw away.
 */
export function applyRule(ctx: TraceCtx, w: Walker, chain: RsChain, rule: RsRule, s: FlowState, p: number | undefined): Step[] {
  const actions = [...(rule.extra ?? []), ...(rule.action ? [rule.action] : [])];
  if (actions.length === 0) {
    record(s, chain, rule, 'count', p);
    return [{ st: s, next: true }];
  }
  let steps: Step[] = [{ st: s, next: true }];
  actions.forEach((action, k) => {
    const last = k === actions.length - 1;
    steps = steps.flatMap((step) => (step.next ? applyAction(ctx, w, chain, rule, action, step.st, last ? p : undefined) : [step]));
  });
  return steps;
}

function record(s: FlowState, chain: RsChain, rule: RsRule, action: string, p?: number, note?: string) {
  s.path = pushStep(s.path, {
    hook: s.hook,
    table: chain.table,
    chain: chain.name,
    rule: rule.index,
    line: rule.span.line,
    file: rule.span.file,
    action,
    ...(p !== undefined ? { branchProbability: p } : {}),
    ...(rule.assumed ? { assumed: true } : {}),
    ...(note ? { elementComment: note } : {}),
  });
}

function leave(s: FlowState, flow: Flow): Step[] {
  return [{ st: s, next: false, flow }];
}

function applyAction(ctx: TraceCtx, w: Walker, chain: RsChain, rule: RsRule, a: Action, s: FlowState, p?: number, note?: string): Step[] {
  switch (a.kind) {
    case 'jump':
    case 'goto':
      record(s, chain, rule, `${a.kind} ${a.chain}`, p, note);
      return enter(ctx, w, chain.table, a.chain, a.kind, s, rule);
    case 'ACCEPT':
      record(s, chain, rule, 'ACCEPT', p, note);
      return leave(s, { kind: 'accept' });
    case 'DROP':
      record(s, chain, rule, 'DROP', p, note);
      return leave(s, { kind: 'drop' });
    case 'REJECT':
      record(s, chain, rule, `REJECT ${a.rejectWith}`, p, note);
      return leave(s, { kind: 'reject', rejectWith: a.rejectWith });
    case 'RETURN':
      record(s, chain, rule, 'RETURN', p, note);
      return leave(s, { kind: 'return' });
    case 'continue':
      return [{ st: s, next: true }];
    case 'not-shown':
      record(s, chain, rule, a.outcome === 'endpoint-not-shown' ? `DNAT ${a.endpoint ?? '(endpoint not shown)'}` : 'not in the paste', p, note);
      return leave(s, { kind: 'not-shown', what: a });
    case 'DNAT': {
      const r = a.to[0];
      if (!r) return [{ st: s, next: true }];
      if (r.from && r.to && r.from.value !== r.to.value) assume(s, `DNAT to a range (${r.text}, line ${rule.span.line}): the kernel picks one address by a hash of the connection; the first is shown`);
      dnat(s, r.from ?? s.dst, r.ports ? r.ports.from : s.dport);
      record(s, chain, rule, `DNAT ${hostPort(s.dst, s.dport)}`, p, note);
      return leave(s, { kind: 'accept' });
    }
    case 'REDIRECT': {
      const local = s.hook === 'output' ? parseIP(s.dst.family === 4 ? '127.0.0.1' : '::1')! : ctx.env.localAddresses.find((x) => x.family === s.dst.family) ?? s.dst;
      if (s.hook !== 'output') assume(s, `REDIRECT (line ${rule.span.line}) goes to the incoming interface's first address; shown as ${local.text}`);
      dnat(s, local, a.toPorts ? a.toPorts.from : s.dport);
      record(s, chain, rule, `REDIRECT ${hostPort(s.dst, s.dport)}`, p, note);
      return leave(s, { kind: 'accept' });
    }
    case 'SNAT':
    case 'MASQUERADE': {
      s.srcNatBound = true;
      s.masquerade = true;
      s.snat = a.kind === 'SNAT' ? `SNAT ${a.to.map((t) => t.text).join(',')}` : `MASQUERADE${a.randomFully ? ' --random-fully' : ''}`;
      record(s, chain, rule, s.snat, p, note);
      return leave(s, { kind: 'accept' });
    }
    case 'MARK': {
      if (a.which === 'packet') s.mark = ((s.mark & ~a.mask) ^ a.value) >>> 0;
      else s.ctmark = ((s.ctmark & ~a.mask) ^ a.value) >>> 0;
      record(s, chain, rule, `${a.which === 'packet' ? 'MARK' : 'CONNMARK'} set 0x${(a.which === 'packet' ? s.mark : s.ctmark).toString(16)}`, p, note);
      return [{ st: s, next: true }];
    }
    case 'CONNMARK-save':
      s.ctmark = ((s.ctmark & ~a.ctmask) ^ (s.mark & a.nfmask)) >>> 0;
      record(s, chain, rule, 'CONNMARK save', p, note);
      return [{ st: s, next: true }];
    case 'CONNMARK-restore':
      s.mark = ((s.mark & ~a.nfmask) ^ (s.ctmark & a.ctmask)) >>> 0;
      record(s, chain, rule, 'CONNMARK restore', p, note);
      return [{ st: s, next: true }];
    case 'NOTRACK':
      s.notrack = true;
      record(s, chain, rule, 'NOTRACK', p, note);
      return [{ st: s, next: true }];
    case 'nonterminal':
      record(s, chain, rule, a.name, p, note);
      return [{ st: s, next: true }];
    case 'unknown':
      assume(s, `unknown target ${a.name} (line ${rule.span.line}) kept verbatim; taken as letting the packet continue`);
      record(s, chain, rule, a.name, p, note);
      return [{ st: s, next: true }];
    case 'vmap': {
      const el = lookup(ctx, a.fields, a.set, a.inline, s);
      if (!el?.verdict) return [{ st: s, next: true }];
      // The element's comment goes on the step that takes its verdict (kube-proxy names Services there).
      return applyVerdict(ctx, w, chain, rule, el.verdict, s, p, el.comment ?? undefined);
    }
    case 'numgen':
      return a.branches.flatMap((b) => {
        const share = b.values.length / a.mod;
        const t = cloneState(s);
        t.probability *= share;
        return applyVerdict(ctx, w, chain, rule, b.verdict, t, share);
      });
    case 'dnat-numgen':
      return a.branches.flatMap((b) => {
        const share = b.values.length / a.mod;
        const t = cloneState(s);
        t.probability *= share;
        dnat(t, b.addr, b.port ?? t.dport);
        record(t, chain, rule, `DNAT ${hostPort(t.dst, t.dport)}`, share, note);
        return [{ st: t, next: false, flow: { kind: 'accept' } } as Step];
      });
    default: {
      const never: never = a;
      return never;
    }
  }
}

function applyVerdict(ctx: TraceCtx, w: Walker, chain: RsChain, rule: RsRule, v: MapVerdict, s: FlowState, p?: number, note?: string): Step[] {
  return applyAction(ctx, w, chain, rule, v.kind === 'continue' ? { kind: 'continue' } : v, s, p, note);
}

function enter(ctx: TraceCtx, w: Walker, table: string, name: string, kind: 'jump' | 'goto', s: FlowState, rule: RsRule): Step[] {
  const target = ctx.chain(table, name);
  if (!target) {
    assume(s, `chain ${name} (jumped to at line ${rule.span.line}) is not in the dump; taken as empty`);
    return kind === 'jump' ? [{ st: s, next: true }] : [{ st: s, next: false, flow: { kind: 'return' } }];
  }
  return w.through(target, s).map((b): Step => {
    if (b.flow.kind === 'end' || b.flow.kind === 'return')
      return kind === 'jump' ? { st: b.st, next: true } : { st: b.st, next: false, flow: { kind: 'return' } };
    return { st: b.st, next: false, flow: b.flow };
  });
}

function dnat(s: FlowState, addr: IP, port: number) {
  s.dst = addr;
  s.dport = port;
  s.dnat = { addr, port };
  s.dstNatBound = true;
}

export function hostPort(ip: IP, port: number): string {
  return ip.family === 6 ? `[${ip.text}]:${port}` : `${ip.text}:${port}`;
}
