import { parseIP, type IP } from '@svcpath/netaddr';
import type { Action, MapVerdict, RsChain, RsRule } from '@svcpath/ruleset';
import { chainIndex, hostKey, nextCandidate } from './chain-index';
import type { TraceCtx } from './context';
import { lookup, matchProbability } from './eval-cond';
import { assume, cloneState, type FlowState } from './state';

/** How a walk through a chain ended for one branch. */
export type Flow =
  | { kind: 'end' } // fell off the end of the chain
  | { kind: 'return' } // RETURN, or a goto'd chain ending
  | { kind: 'accept' } // ACCEPT, or a NAT binding (NF_ACCEPT for this chain)
  | { kind: 'drop' }
  | { kind: 'reject'; rejectWith: string };

export interface Branch {
  readonly st: FlowState;
  readonly flow: Flow;
}

/** What applying one action leaves: carry on with the next rule, or leave the chain. */
type Step = { st: FlowState; next: true } | { st: FlowState; next: false; flow: Flow };

const MAX_DEPTH = 64;

/**
 * Walks `chain` from rule `from` for one branch, as ipt_do_table / nft_do_chain do: rules in order,
 * jumps pushed on a stack, gotos replacing the frame. A probabilistic rule forks the branch.
 */
export function runChain(ctx: TraceCtx, chain: RsChain, from: number, st: FlowState, depth: number): Branch[] {
  const out: Branch[] = [];
  let s = st;
  const idx = chainIndex(chain);
  const n = chain.rules.length;
  for (let i = from; i < n; i++) {
    if (idx) {
      // Skipped rules provably fail (another destination or port), but the kernel still evaluates them.
      const next = nextCandidate(idx, i, hostKey(s.dst.family, s.dst.value), s.dport);
      if (next === Infinity) {
        s.rulesEvaluated += n - i;
        break;
      }
      s.rulesEvaluated += next - i + 1;
      i = next;
    } else s.rulesEvaluated++;
    const rule = chain.rules[i]!;
    const p = matchProbability(ctx, rule, s);
    if (p <= 0) continue;
    if (p >= 1) {
      const steps = applyRule(ctx, chain, rule, s, depth, undefined);
      if (steps.length === 1 && steps[0]!.next) {
        s = steps[0]!.st;
        continue;
      }
      collect(ctx, chain, i, steps, depth, out);
      return out;
    }
    const taken = cloneState(s);
    taken.probability *= p;
    s.probability *= 1 - p;
    collect(ctx, chain, i, applyRule(ctx, chain, rule, taken, depth, p), depth, out);
  }
  out.push({ st: s, flow: { kind: 'end' } });
  return out;
}

function collect(ctx: TraceCtx, chain: RsChain, i: number, steps: Step[], depth: number, out: Branch[]) {
  for (const step of steps) {
    if (step.next) out.push(...runChain(ctx, chain, i + 1, step.st, depth));
    else out.push({ st: step.st, flow: step.flow });
  }
}

function applyRule(ctx: TraceCtx, chain: RsChain, rule: RsRule, s: FlowState, depth: number, p: number | undefined): Step[] {
  const actions = [...(rule.extra ?? []), ...(rule.action ? [rule.action] : [])];
  if (actions.length === 0) {
    record(s, chain, rule, 'count', p);
    return [{ st: s, next: true }];
  }
  let steps: Step[] = [{ st: s, next: true }];
  actions.forEach((action, k) => {
    const last = k === actions.length - 1;
    steps = steps.flatMap((step) => (step.next ? applyAction(ctx, chain, rule, action, step.st, depth, last ? p : undefined) : [step]));
  });
  return steps;
}

function record(s: FlowState, chain: RsChain, rule: RsRule, action: string, p?: number) {
  s.path.push({
    hook: s.hook,
    table: chain.table,
    chain: chain.name,
    rule: rule.index,
    line: rule.span.line,
    file: rule.span.file,
    action,
    ...(p !== undefined ? { branchProbability: p } : {}),
    ...(rule.assumed ? { assumed: true } : {}),
  });
}

function leave(s: FlowState, flow: Flow): Step[] {
  return [{ st: s, next: false, flow }];
}

function applyAction(ctx: TraceCtx, chain: RsChain, rule: RsRule, a: Action, s: FlowState, depth: number, p?: number): Step[] {
  switch (a.kind) {
    case 'jump':
    case 'goto':
      record(s, chain, rule, `${a.kind} ${a.chain}`, p);
      return enter(ctx, chain.table, a.chain, a.kind, s, depth, rule);
    case 'ACCEPT':
      record(s, chain, rule, 'ACCEPT', p);
      return leave(s, { kind: 'accept' });
    case 'DROP':
      record(s, chain, rule, 'DROP', p);
      return leave(s, { kind: 'drop' });
    case 'REJECT':
      record(s, chain, rule, `REJECT ${a.rejectWith}`, p);
      return leave(s, { kind: 'reject', rejectWith: a.rejectWith });
    case 'RETURN':
      record(s, chain, rule, 'RETURN', p);
      return leave(s, { kind: 'return' });
    case 'continue':
      return [{ st: s, next: true }];
    case 'DNAT': {
      const r = a.to[0];
      if (!r) return [{ st: s, next: true }];
      if (r.from && r.to && r.from.value !== r.to.value) assume(s, `DNAT to a range (${r.text}, line ${rule.span.line}): the kernel picks one address by a hash of the connection; the first is shown`);
      dnat(s, r.from ?? s.dst, r.ports ? r.ports.from : s.dport);
      record(s, chain, rule, `DNAT ${hostPort(s.dst, s.dport)}`, p);
      return leave(s, { kind: 'accept' });
    }
    case 'REDIRECT': {
      const local = s.hook === 'output' ? parseIP(s.dst.family === 4 ? '127.0.0.1' : '::1')! : ctx.env.localAddresses.find((x) => x.family === s.dst.family) ?? s.dst;
      if (s.hook !== 'output') assume(s, `REDIRECT (line ${rule.span.line}) goes to the incoming interface's first address; shown as ${local.text}`);
      dnat(s, local, a.toPorts ? a.toPorts.from : s.dport);
      record(s, chain, rule, `REDIRECT ${hostPort(s.dst, s.dport)}`, p);
      return leave(s, { kind: 'accept' });
    }
    case 'SNAT':
    case 'MASQUERADE': {
      s.srcNatBound = true;
      s.masquerade = true;
      s.snat = a.kind === 'SNAT' ? `SNAT ${a.to.map((t) => t.text).join(',')}` : `MASQUERADE${a.randomFully ? ' --random-fully' : ''}`;
      record(s, chain, rule, s.snat, p);
      return leave(s, { kind: 'accept' });
    }
    case 'MARK': {
      if (a.which === 'packet') s.mark = ((s.mark & ~a.mask) ^ a.value) >>> 0;
      else s.ctmark = ((s.ctmark & ~a.mask) ^ a.value) >>> 0;
      record(s, chain, rule, `${a.which === 'packet' ? 'MARK' : 'CONNMARK'} set 0x${(a.which === 'packet' ? s.mark : s.ctmark).toString(16)}`, p);
      return [{ st: s, next: true }];
    }
    case 'CONNMARK-save':
      s.ctmark = ((s.ctmark & ~a.ctmask) ^ (s.mark & a.nfmask)) >>> 0;
      record(s, chain, rule, 'CONNMARK save', p);
      return [{ st: s, next: true }];
    case 'CONNMARK-restore':
      s.mark = ((s.mark & ~a.nfmask) ^ (s.ctmark & a.ctmask)) >>> 0;
      record(s, chain, rule, 'CONNMARK restore', p);
      return [{ st: s, next: true }];
    case 'NOTRACK':
      s.notrack = true;
      record(s, chain, rule, 'NOTRACK', p);
      return [{ st: s, next: true }];
    case 'nonterminal':
      record(s, chain, rule, a.name, p);
      return [{ st: s, next: true }];
    case 'unknown':
      assume(s, `unknown target ${a.name} (line ${rule.span.line}) kept verbatim; taken as letting the packet continue`);
      record(s, chain, rule, a.name, p);
      return [{ st: s, next: true }];
    case 'vmap': {
      const el = lookup(ctx, a.fields, a.set, a.inline, s);
      if (!el?.verdict) return [{ st: s, next: true }];
      const steps = applyVerdict(ctx, chain, rule, el.verdict, s, depth, p);
      if (el.comment) noteElement(s, chain, rule, el.comment);
      return steps;
    }
    case 'numgen':
      return a.branches.flatMap((b) => {
        const share = b.values.length / a.mod;
        const t = cloneState(s);
        t.probability *= share;
        return applyVerdict(ctx, chain, rule, b.verdict, t, depth, share);
      });
    case 'dnat-numgen':
      return a.branches.flatMap((b) => {
        const share = b.values.length / a.mod;
        const t = cloneState(s);
        t.probability *= share;
        dnat(t, b.addr, b.port ?? t.dport);
        record(t, chain, rule, `DNAT ${hostPort(t.dst, t.dport)}`, share);
        return [{ st: t, next: false, flow: { kind: 'accept' } } as Step];
      });
    default: {
      const never: never = a;
      return never;
    }
  }
}

/** Puts a vmap element's comment on the step that took its verdict (kube-proxy names Services there). */
function noteElement(s: FlowState, chain: RsChain, rule: RsRule, comment: string) {
  const i = s.path.findIndex((x) => x.chain === chain.name && x.rule === rule.index && x.table === chain.table);
  if (i >= 0) s.path[i] = { ...s.path[i]!, elementComment: comment };
}

function applyVerdict(ctx: TraceCtx, chain: RsChain, rule: RsRule, v: MapVerdict, s: FlowState, depth: number, p?: number): Step[] {
  return applyAction(ctx, chain, rule, v.kind === 'continue' ? { kind: 'continue' } : v, s, depth, p);
}

function enter(ctx: TraceCtx, table: string, name: string, kind: 'jump' | 'goto', s: FlowState, depth: number, rule: RsRule): Step[] {
  const target = ctx.chain(table, name);
  if (!target) {
    assume(s, `chain ${name} (jumped to at line ${rule.span.line}) is not in the dump; taken as empty`);
    return kind === 'jump' ? [{ st: s, next: true }] : [{ st: s, next: false, flow: { kind: 'return' } }];
  }
  if (depth >= MAX_DEPTH) {
    assume(s, `jumps nest deeper than ${MAX_DEPTH} at ${name}; the walk stops here (the kernel refuses loops)`);
    return [{ st: s, next: false, flow: { kind: 'drop' } }];
  }
  return runChain(ctx, target, 0, s, depth + 1).map((b): Step => {
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
