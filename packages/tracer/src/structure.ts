import type { Action, MapVerdict, RsChain, RsJumpGraph, RsRule, Ruleset } from '@svcpath/ruleset';
import type { TraceEnv, TraceError } from './types';

/**
 * nf_tables' jump stack (NFT_JUMP_STACK_SIZE): a chain reached through 16 jumps or gotos from a base
 * chain is refused with EMLINK ("Too many links") when the ruleset is loaded. Measured on this
 * project's kernel (6.18) with `nft -f` and iptables-nft-restore 1.8.9: 15 nested user chains
 * load, 16 do not, in filter and nat alike; gotos count like jumps.
 */
export const NFT_MAX_JUMP_LEVEL = 15;

/** One edge of the chain graph: the rule that jumps (or goes) from one chain to another. */
interface Edge {
  readonly to: GraphNode;
  readonly rule: RsRule;
}

/**
 * A chain in the graph, with what the walks learn about it (kept here, not in maps keyed by chain).
 * `out` lists the chains its rules jump to, in rule order: the rule of an edge is found again only
 * for a refusal (see ruleInto), so a dump's ~360,000 jumps cost no object each.
 */
interface GraphNode {
  readonly chain: RsChain;
  out: readonly GraphNode[] | null;
  state: 'new' | 'open' | 'closed';
  height: number;
  heightKnown: boolean;
  /** The chain below this one on its longest run of jumps. */
  via: GraphNode | null;
}

/** What the structure check found: refusals end the trace; notes are added to its assumptions. */
export interface StructureReport {
  readonly refusal: TraceError | null;
  readonly notes: readonly string[];
}

const cache = new WeakMap<Ruleset, Map<string, StructureReport>>();

/**
 * Checks what the kernel checks when the ruleset is loaded, before any trace: a jump loop reachable
 * from a base chain (iptables-legacy's mark_source_chains, nf_tables' chain validation: all refuse
 * it) and nesting deeper than nf_tables' jump stack (iptables-nft and nft refuse it; iptables-legacy
 * has no such limit, so the backend decides). Iterative: no ruleset can exhaust the stack here.
 */
export function checkStructure(rs: Ruleset, backend: TraceEnv['iptablesBackend']): StructureReport {
  let byBackend = cache.get(rs);
  if (!byBackend) cache.set(rs, (byBackend = new Map()));
  const key = backend ?? 'unknown';
  let report = byBackend.get(key);
  if (!report) byBackend.set(key, (report = check(rs, backend)));
  return report;
}

function check(rs: Ruleset, backend: TraceEnv['iptablesBackend']): StructureReport {
  // A scanned dump's graph by numbers: when it has no loop and no run deeper than nf_tables allows,
  // that is the answer; else the walk below finds the same and words it (making every chain).
  if (rs.jumpGraph && fitsByNumbers(rs.jumpGraph, baseNumbers(rs, rs.jumpGraph))) return { refusal: null, notes: [] };
  const graph = new ChainGraph(rs);
  const bases = [...new Set(Object.values(rs.hooks).flatMap((list) => list.map((b) => b.chainId)))]
    .map((id) => rs.chains.get(id))
    .filter((c): c is RsChain => c !== undefined)
    .map((c) => graph.node(c));
  const loop = graph.findLoop(bases);
  if (loop) return { refusal: loop, notes: [] };
  for (const base of bases) {
    if (graph.height(base) <= NFT_MAX_JUMP_LEVEL) continue;
    const edge = graph.edgeIntoLevel(base, NFT_MAX_JUMP_LEVEL + 1);
    const where = `${edge.rule.span.file}:${edge.rule.span.line}`;
    const what = `jumps nest deeper than ${NFT_MAX_JUMP_LEVEL} chains below ${base.chain.name} (${where} enters ${edge.to.chain.name} at level ${NFT_MAX_JUMP_LEVEL + 1})`;
    if (rs.dataplane === 'nftables' || backend === 'nft') {
      const loader = rs.dataplane === 'nftables' ? 'nft' : 'iptables-nft';
      return {
        refusal: {
          code: 'RULESET_JUMP_TOO_DEEP',
          message: `${what}: the kernel would refuse to load this ruleset with ${loader} (nf_tables allows ${NFT_MAX_JUMP_LEVEL} levels, EMLINK "Too many links")`,
          file: edge.rule.span.file,
          line: edge.rule.span.line,
          backend: loader,
        },
        notes: [],
      };
    }
    const note = `${what}: iptables-nft would refuse to load this ruleset, iptables-legacy loads it; traced as iptables-legacy${backend === 'legacy' ? '' : ' (the dump does not say which iptables made it)'}`;
    return { refusal: null, notes: [note] };
  }
  return { refusal: null, notes: [] };
}

/**
 * The chains as a graph of jump/goto edges (verdict maps and numgen branches included). A 10,000-
 * Service dump has ~120,000 chains and ~360,000 rules: chains are found by name in one map per
 * table (built from names already hashed), and each walk keeps its state on the chain's node.
 */
class ChainGraph {
  private readonly byTable = new Map<string, Map<string, GraphNode>>();
  /** Chains whose id is not `table/name` (none in today's lowerings), found by id. */
  private readonly others = new Map<RsChain, GraphNode>();
  private readonly scratch: GraphNode[] = [];

  constructor(private readonly rs: Ruleset) {
    for (const [id, chain] of rs.chains) {
      const t = chain.table;
      if (id.length !== t.length + 1 + chain.name.length || !id.startsWith(t) || id.charCodeAt(t.length) !== 47 || !id.endsWith(chain.name)) continue;
      let names = this.byTable.get(t);
      if (!names) this.byTable.set(t, (names = new Map()));
      names.set(chain.name, newNode(chain));
    }
  }

  /** The node of a chain of the ruleset. */
  node(chain: RsChain): GraphNode {
    const known = this.byTable.get(chain.table)?.get(chain.name);
    if (known?.chain === chain) return known;
    let other = this.others.get(chain);
    if (!other) this.others.set(chain, (other = newNode(chain)));
    return other;
  }

  /** The chain `name` of `table`, as `rs.chains.get("table/name")` finds it. */
  private lookup(table: string, name: string): GraphNode | undefined {
    const found = this.byTable.get(table)?.get(name);
    if (found) return found;
    const chain = this.rs.chains.get(`${table}/${name}`);
    return chain ? this.node(chain) : undefined;
  }

  out(node: GraphNode): readonly GraphNode[] {
    return (node.out ??= this.targetsOf(node.chain));
  }

  /** The edge from `from` to `to`: the first rule of `from` that jumps there (as the walks met it). */
  edge(from: GraphNode, to: GraphNode): Edge {
    const found: GraphNode[] = [];
    for (const rule of from.chain.rules) {
      found.length = 0;
      this.ruleTargets(rule, from.chain.table, found);
      if (found.includes(to)) return { to, rule };
    }
    throw new Error(`no rule of ${from.chain.name} jumps to ${to.chain.name}`);
  }

  /** The first loop reachable from a base chain, found by an iterative depth-first walk. */
  findLoop(bases: readonly GraphNode[]): TraceError | null {
    for (const base of bases) {
      if (base.state !== 'new') continue;
      const stack: { node: GraphNode; next: number }[] = [{ node: base, next: 0 }];
      base.state = 'open';
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        const to = this.out(top.node)[top.next++];
        if (!to) {
          top.node.state = 'closed';
          stack.pop();
          continue;
        }
        const seen = to.state;
        if (seen === 'open') return loopError(stack.map((f) => f.node.chain), this.edge(top.node, to));
        if (seen === 'closed') continue;
        to.state = 'open';
        stack.push({ node: to, next: 0 });
      }
    }
    return null;
  }

  /** The longest run of jumps below `base` (the graph is known to be loop-free), iteratively. */
  height(base: GraphNode): number {
    const stack: { node: GraphNode; next: number; best: number; via: GraphNode | null }[] = [{ node: base, next: 0, best: 0, via: null }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.node.heightKnown) {
        stack.pop();
        continue;
      }
      const to = this.out(top.node)[top.next];
      if (!to) {
        top.node.height = top.best;
        top.node.via = top.via;
        top.node.heightKnown = true;
        stack.pop();
        continue;
      }
      if (!to.heightKnown) {
        stack.push({ node: to, next: 0, best: 0, via: null });
        continue;
      }
      top.next++;
      if (to.height + 1 > top.best) {
        top.best = to.height + 1;
        top.via = to;
      }
    }
    return base.height;
  }

  /** The edge along the longest run below `base` that enters level `level` (base is level 0). */
  edgeIntoLevel(base: GraphNode, level: number): Edge {
    let node = base;
    for (let i = 1; ; i++) {
      const via = node.via!;
      if (i === level) return this.edge(node, via);
      node = via;
    }
  }

  /** Called once for each chain reached (every rule of a 10,000-Service dump): no array per rule. */
  private targetsOf(chain: RsChain): readonly GraphNode[] {
    // Gathered in one scratch list and copied at their size: most chains jump to one or two others.
    const out = this.scratch;
    out.length = 0;
    for (const rule of chain.rules) this.ruleTargets(rule, chain.table, out);
    return out.length === 0 ? NO_TARGETS : out.slice();
  }

  /** Appends the chains one rule jumps or goes to. */
  private ruleTargets(rule: RsRule, table: string, out: GraphNode[]): void {
    if (rule.jumpTarget && !rule.extra) {
      const name = rule.jumpTarget();
      if (name !== null) this.addTarget(name, table, out);
      return;
    }
    if (rule.extra) for (const a of rule.extra) this.addTargets(a, table, out);
    const action = rule.action;
    if (action) this.addTargets(action, table, out);
  }

  private addTargets(a: Action, table: string, out: GraphNode[]): void {
    switch (a.kind) {
      case 'jump':
      case 'goto':
        return this.addTarget(a.chain, table, out);
      case 'vmap':
        for (const el of a.inline ?? this.rs.sets.get(a.set)?.elements ?? []) this.addVerdict(el.verdict, table, out);
        return;
      case 'numgen':
        for (const b of a.branches) this.addVerdict(b.verdict, table, out);
        return;
      default:
        return;
    }
  }

  private addVerdict(v: MapVerdict | undefined, table: string, out: GraphNode[]): void {
    if (v && (v.kind === 'jump' || v.kind === 'goto')) this.addTarget(v.chain, table, out);
  }

  private addTarget(name: string, table: string, out: GraphNode[]): void {
    const to = this.lookup(table, name);
    if (to) out.push(to);
  }
}

const NO_TARGETS: readonly GraphNode[] = Object.freeze([]);

/** The numbers of the chains the hooks call, as the check above finds them (by id). */
function baseNumbers(rs: Ruleset, g: RsJumpGraph): number[] {
  const out: number[] = [];
  for (const id of new Set(Object.values(rs.hooks).flatMap((list) => list.map((b) => b.chainId)))) {
    const k = g.numberOf(id);
    if (k >= 0) out.push(k);
  }
  return out;
}

/**
 * Whether no loop is reachable from `bases` and no run of jumps below one is longer than
 * NFT_MAX_JUMP_LEVEL, walking the graph's numbers iteratively (one depth-first walk: a chain's
 * height is known when it closes, and an edge to an open chain is a loop).
 */
function fitsByNumbers(g: RsJumpGraph, bases: readonly number[]): boolean {
  const { edgeStart, edgeEnd, edgeTo } = g;
  const state = new Uint8Array(g.size); // 0 new, 1 open, 2 closed
  const height = new Int32Array(g.size);
  const stack = new Int32Array(g.size + 1);
  const next = new Int32Array(g.size + 1);
  for (const base of bases) {
    if (state[base] !== 0) continue;
    let top = 0;
    stack[0] = base;
    next[0] = edgeStart[base]!;
    state[base] = 1;
    while (top >= 0) {
      const k = stack[top]!;
      if (next[top]! === edgeEnd[k]!) {
        state[k] = 2;
        top--;
        if (top >= 0) {
          const parent = stack[top]!;
          if (height[k]! + 1 > height[parent]!) height[parent] = height[k]! + 1;
        }
        continue;
      }
      const to = edgeTo[next[top]!++]!;
      if (state[to] === 1) return false;
      if (state[to] === 2) {
        if (height[to]! + 1 > height[k]!) height[k] = height[to]! + 1;
        continue;
      }
      state[to] = 1;
      top++;
      stack[top] = to;
      next[top] = edgeStart[to]!;
    }
    if (height[base]! > NFT_MAX_JUMP_LEVEL) return false;
  }
  return true;
}

function newNode(chain: RsChain): GraphNode {
  return { chain, out: null, state: 'new', height: 0, heightKnown: false, via: null };
}

function loopError(stack: readonly RsChain[], back: Edge): TraceError {
  const from = stack.indexOf(back.to.chain);
  const cycle = [...stack.slice(from), back.to.chain].map((c) => c.name).join(' → ');
  return {
    code: 'RULESET_JUMP_LOOP',
    message: `jump loop ${cycle} (${back.rule.span.file}:${back.rule.span.line}): the kernel would refuse to load this ruleset (iptables-legacy, iptables-nft and nft all reject loops reachable from a built-in chain)`,
    file: back.rule.span.file,
    line: back.rule.span.line,
    backend: 'iptables-legacy, iptables-nft and nft',
  };
}
