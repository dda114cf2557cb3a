import { ruleCountOf, ruleOf, type RsChain, type RsRule } from '@svcpath/ruleset';
import type { Budget } from './budget';
import { TraceStopped } from './budget';
import { chainIndex, nextCandidate } from './chain-index';
import type { TraceCtx } from './context';
import { matchProbability } from './eval-cond';
import { cloneState, continueWith, entryOf, mergeStates, stateKey, type FlowState } from './state';
import { applyRule, type Branch, type Flow, type Step } from './walk';

/** Thrown by `Walker.through` when the summary it needs is not made yet; the walk makes it, then retries. */
class NeedSummary {
  constructor(
    readonly chain: RsChain,
    readonly entry: FlowState,
  ) {}
}

/** One chain being summarised for one entry state: the branches waiting at each rule, and the exits. */
interface Frame {
  readonly chain: RsChain;
  readonly key: string;
  /** Branches waiting to be evaluated at rule position (0-based), merged when their turn comes. */
  readonly queue: Map<number, FlowState[]>;
  /** The positions in `queue`, ascending. */
  readonly positions: number[];
  /** The position being evaluated, its merged branches and how far through them the walk is. */
  current: { pos: number; list: FlowState[]; next: number } | null;
  readonly exits: Branch[];
}

/**
 * Walks chains the way ipt_do_table and nft_do_chain do (rules in order; jumps push, gotos replace,
 * RETURN pops; a probabilistic rule forks the branch), but without recursion and without repeating
 * work:
 * - a chain is summarised once per entry state: the exits (how it ended, the state, the relative
 *   probability, the rules it evaluated) are kept and every later entry in that state reuses them;
 * - branches that reach the same rule in the same state are merged (probabilities added);
 * - chains are summarised on an explicit stack, so nesting as deep as iptables-legacy allows
 *   (thousands of chains) runs in constant JavaScript stack.
 * Loops never reach the walker (the structure check refuses them first); if one did, it would be
 * reported rather than followed.
 */
export class Walker {
  private readonly summaries = new Map<string, readonly Branch[]>();
  private readonly active = new Set<RsChain>();

  constructor(
    readonly ctx: TraceCtx,
    private readonly budget: Budget,
  ) {}

  /** Every way `s` leaves `chain` (entered from its first rule), with absolute probabilities. */
  run(chain: RsChain, s: FlowState): Branch[] {
    const key = summaryKey(chain, s);
    let exits = this.summaries.get(key);
    if (!exits) exits = this.summarise(chain, entryOf(s), key);
    return exits.map((e) => ({ st: continueWith(s, e.st), flow: e.flow }));
  }

  /** For a jump or goto inside a rule: the exits of `chain` for `s`, or NeedSummary. */
  through(chain: RsChain, s: FlowState): Branch[] {
    const exits = this.summaries.get(summaryKey(chain, s));
    if (!exits) throw new NeedSummary(chain, entryOf(s));
    return exits.map((e) => ({ st: continueWith(s, e.st), flow: e.flow }));
  }

  private summarise(chain: RsChain, entry: FlowState, key: string): readonly Branch[] {
    const stack: Frame[] = [];
    this.open(stack, chain, entry, key);
    for (;;) {
      const top = stack[stack.length - 1]!;
      const need = this.advance(top);
      if (need) {
        this.open(stack, need.chain, need.entry, summaryKey(need.chain, need.entry));
        continue;
      }
      const exits = mergeExits(top.exits);
      this.summaries.set(top.key, exits);
      this.active.delete(top.chain);
      stack.pop();
      if (stack.length === 0) return exits;
    }
  }

  private open(stack: Frame[], chain: RsChain, entry: FlowState, key: string) {
    if (this.active.has(chain))
      throw new TraceStopped({ code: 'RULESET_JUMP_LOOP', message: `jump loop through ${chain.name}: the kernel would refuse to load this ruleset`, file: chain.span?.file ?? '', line: chain.span?.line ?? 0 });
    this.active.add(chain);
    const frame: Frame = { chain, key, queue: new Map(), positions: [], current: null, exits: [] };
    this.enqueue(frame, 0, entry);
    stack.push(frame);
  }

  /** Evaluates the frame's branches rule by rule until it is done (null) or needs another summary. */
  private advance(f: Frame): NeedSummary | null {
    for (;;) {
      if (!f.current) {
        const pos = f.positions.shift();
        if (pos === undefined) return null;
        const list = mergeStates(f.queue.get(pos)!);
        f.queue.delete(pos);
        f.current = { pos, list, next: 0 };
      }
      const cur = f.current;
      while (cur.next < cur.list.length) {
        try {
          this.evaluate(f, cur.pos, cur.list[cur.next]!);
        } catch (e) {
          if (e instanceof NeedSummary) return e;
          throw e;
        }
        cur.next++;
      }
      f.current = null;
    }
  }

  /**
   * Evaluates the next rule that can match for one branch waiting at `from`. When a jump needs a
   * summary not made yet, NeedSummary leaves `s` as it was, so the same branch can be evaluated again.
   */
  private evaluate(f: Frame, from: number, s: FlowState) {
    this.budget.step();
    // Rules read one by one where the chain can (see RsChain.rule): the skip index passes most by.
    const count = ruleCountOf(f.chain);
    const idx = chainIndex(f.chain);
    let at = from;
    let evaluated = 1;
    if (idx) {
      // Skipped rules provably fail (another destination or port), but the kernel still evaluates them.
      const next = nextCandidate(idx, from, s.dst, s.dport);
      if (next === Infinity) {
        s.rulesEvaluated += count - from;
        f.exits.push({ st: s, flow: { kind: 'end' } });
        return;
      }
      evaluated = next - from + 1;
      at = next;
    }
    const rule = ruleOf(f.chain, at);
    const p = matchProbability(this.ctx, rule, s);
    if (p <= 0) {
      s.rulesEvaluated += evaluated;
      this.enqueue(f, at + 1, s);
      return;
    }
    const taken = p < 1 || calls(rule) ? cloneState(s) : s;
    taken.rulesEvaluated += evaluated;
    if (p < 1) taken.probability *= p;
    const steps = applyRule(this.ctx, this, f.chain, rule, taken, p < 1 ? p : undefined);
    if (p < 1) {
      s.rulesEvaluated += evaluated;
      s.probability *= 1 - p;
      this.enqueue(f, at + 1, s);
    }
    this.follow(f, at, steps);
  }

  private follow(f: Frame, at: number, steps: readonly Step[]) {
    for (const step of steps) {
      if (step.next) this.enqueue(f, at + 1, step.st);
      else f.exits.push({ st: step.st, flow: step.flow });
    }
    this.budget.branches(f.exits.length);
  }

  private enqueue(f: Frame, pos: number, s: FlowState) {
    if (pos >= ruleCountOf(f.chain)) {
      f.exits.push({ st: s, flow: { kind: 'end' } });
      return;
    }
    const list = f.queue.get(pos);
    if (list) {
      list.push(s);
      this.budget.branches(list.length);
      return;
    }
    f.queue.set(pos, [s]);
    insertSorted(f.positions, pos);
  }
}

const callsCache = new WeakMap<RsRule, boolean>();

/** Whether applying the rule can enter another chain (and so may need a summary first). */
function calls(rule: RsRule): boolean {
  let c = callsCache.get(rule);
  if (c === undefined) {
    c = [...(rule.extra ?? []), ...(rule.action ? [rule.action] : [])].some((a) => a.kind === 'jump' || a.kind === 'goto' || a.kind === 'vmap' || a.kind === 'numgen');
    callsCache.set(rule, c);
  }
  return c;
}

function summaryKey(chain: RsChain, s: FlowState): string {
  return `${chain.id}\u0000${stateKey(s)}`;
}

/** Exits that leave the same way in the same state are one exit. */
function mergeExits(exits: readonly Branch[]): readonly Branch[] {
  if (exits.length < 2) return exits;
  const flows = new Map<FlowState, Flow>(exits.map((e) => [e.st, e.flow]));
  const merged = mergeStates(
    exits.map((e) => e.st),
    (s) => flowKey(flows.get(s)!),
  );
  return merged.map((st) => ({ st, flow: flows.get(st)! }));
}

function flowKey(f: Flow): string {
  return `${JSON.stringify(f)}\u0000`;
}

function insertSorted(list: number[], v: number) {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, v);
}
