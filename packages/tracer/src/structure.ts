import type { Action, MapVerdict, RsChain, RsRule, Ruleset } from '@svcpath/ruleset';
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
  readonly to: RsChain;
  readonly rule: RsRule;
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
  const graph = new ChainGraph(rs);
  const bases = [...new Set(Object.values(rs.hooks).flatMap((list) => list.map((b) => b.chainId)))]
    .map((id) => rs.chains.get(id))
    .filter((c): c is RsChain => c !== undefined);
  const loop = graph.findLoop(bases);
  if (loop) return { refusal: loop, notes: [] };
  for (const base of bases) {
    if (graph.height(base) <= NFT_MAX_JUMP_LEVEL) continue;
    const edge = graph.edgeIntoLevel(base, NFT_MAX_JUMP_LEVEL + 1);
    const where = `${edge.rule.span.file}:${edge.rule.span.line}`;
    const what = `jumps nest deeper than ${NFT_MAX_JUMP_LEVEL} chains below ${base.name} (${where} enters ${edge.to.name} at level ${NFT_MAX_JUMP_LEVEL + 1})`;
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

/** The chains as a graph of jump/goto edges (verdict maps and numgen branches included). */
class ChainGraph {
  private readonly edges = new Map<RsChain, readonly Edge[]>();
  private readonly heights = new Map<RsChain, { height: number; via: Edge | null }>();

  constructor(private readonly rs: Ruleset) {}

  out(chain: RsChain): readonly Edge[] {
    let list = this.edges.get(chain);
    if (!list) this.edges.set(chain, (list = edgesOf(this.rs, chain)));
    return list;
  }

  /** The first loop reachable from a base chain, found by an iterative depth-first walk. */
  findLoop(bases: readonly RsChain[]): TraceError | null {
    const state = new Map<RsChain, 'open' | 'closed'>();
    for (const base of bases) {
      if (state.has(base)) continue;
      const stack: { chain: RsChain; next: number }[] = [{ chain: base, next: 0 }];
      state.set(base, 'open');
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        const edge = this.out(top.chain)[top.next++];
        if (!edge) {
          state.set(top.chain, 'closed');
          stack.pop();
          continue;
        }
        const seen = state.get(edge.to);
        if (seen === 'open') return loopError(stack.map((f) => f.chain), edge);
        if (seen === 'closed') continue;
        state.set(edge.to, 'open');
        stack.push({ chain: edge.to, next: 0 });
      }
    }
    return null;
  }

  /** The longest run of jumps below `chain` (the graph is known to be loop-free), iteratively. */
  height(chain: RsChain): number {
    const stack: { chain: RsChain; next: number; best: number; via: Edge | null }[] = [{ chain, next: 0, best: 0, via: null }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (this.heights.has(top.chain)) {
        stack.pop();
        continue;
      }
      const edge = this.out(top.chain)[top.next];
      if (!edge) {
        this.heights.set(top.chain, { height: top.best, via: top.via });
        stack.pop();
        continue;
      }
      const known = this.heights.get(edge.to);
      if (!known) {
        stack.push({ chain: edge.to, next: 0, best: 0, via: null });
        continue;
      }
      top.next++;
      if (known.height + 1 > top.best) {
        top.best = known.height + 1;
        top.via = edge;
      }
    }
    return this.heights.get(chain)!.height;
  }

  /** The edge along the longest run below `base` that enters level `level` (base is level 0). */
  edgeIntoLevel(base: RsChain, level: number): Edge {
    let chain = base;
    for (let i = 1; ; i++) {
      const via = this.heights.get(chain)!.via!;
      if (i === level) return via;
      chain = via.to;
    }
  }
}

function loopError(stack: readonly RsChain[], back: Edge): TraceError {
  const from = stack.indexOf(back.to);
  const cycle = [...stack.slice(from), back.to].map((c) => c.name).join(' → ');
  return {
    code: 'RULESET_JUMP_LOOP',
    message: `jump loop ${cycle} (${back.rule.span.file}:${back.rule.span.line}): the kernel would refuse to load this ruleset (iptables-legacy, iptables-nft and nft all reject loops reachable from a built-in chain)`,
    file: back.rule.span.file,
    line: back.rule.span.line,
    backend: 'iptables-legacy, iptables-nft and nft',
  };
}

function edgesOf(rs: Ruleset, chain: RsChain): Edge[] {
  const out: Edge[] = [];
  for (const rule of chain.rules) {
    for (const a of [...(rule.extra ?? []), ...(rule.action ? [rule.action] : [])]) {
      for (const name of targetsOf(rs, a)) {
        const to = rs.chains.get(`${chain.table}/${name}`);
        if (to) out.push({ to, rule });
      }
    }
  }
  return out;
}

function targetsOf(rs: Ruleset, a: Action): string[] {
  switch (a.kind) {
    case 'jump':
    case 'goto':
      return [a.chain];
    case 'vmap':
      return (a.inline ?? rs.sets.get(a.set)?.elements ?? []).flatMap((el) => verdictTarget(el.verdict));
    case 'numgen':
      return a.branches.flatMap((b) => verdictTarget(b.verdict));
    default:
      return [];
  }
}

function verdictTarget(v: MapVerdict | undefined): string[] {
  return v && (v.kind === 'jump' || v.kind === 'goto') ? [v.chain] : [];
}
