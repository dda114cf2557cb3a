import type { Ruleset } from '@svcpath/ruleset';
import type { Outcome, PathStep, TraceResult } from '@svcpath/tracer';

/** The readable form of a trace: one block per outcome, the path indented by jump depth. */
export function formatTree(result: TraceResult, rs: Ruleset): string {
  const p = result.packet;
  const lines: string[] = [];
  const from = result.origin === 'node' ? 'sent by the node itself: OUTPUT hook' : 'arriving from outside the node: PREROUTING hook';
  lines.push(`${p.proto} ${p.src} → ${p.dst}:${p.dport}  (${from})`);
  lines.push(`${result.outcomes.length} outcome${result.outcomes.length === 1 ? '' : 's'}:`);
  for (const o of result.outcomes) {
    lines.push('');
    lines.push(`  ${pct(o.probability)}  ${verdictWords(o)}`);
    const facts = [
      o.service ? `service ${o.service}` : null,
      // Past a part the paste does not show, masquerading is decided by rules nobody has seen.
      o.kind === 'traced' ? `masqueraded: ${o.masquerade ? 'yes' : 'no'}` : 'masqueraded: not known',
      o.affinity ? `session affinity: client remembered in ${o.affinity.list}${o.affinity.seconds !== null ? ` for ${o.affinity.seconds}s` : ''}` : null,
      `rules evaluated: ${o.rulesEvaluated}`,
    ].filter(Boolean);
    lines.push(`         ${facts.join(' · ')}`);
    lines.push(...pathLines(o.path, rs).map((l) => `         ${l}`));
    for (const a of o.assumptions) lines.push(`         assumed: ${a}`);
    if (o.notShown) lines.push(`         NOT IN THE PASTE: ${o.notShown.reason}`, `         to settle it, run on the node: ${o.notShown.command}`);
  }
  for (const a of result.assumptions) lines.push(`\nassumed (not in the dump): ${a}`);
  lines.push(...pasteNext(result));
  return `${lines.join('\n')}\n`;
}

/** The read-only commands that would settle every outcome the paste leaves open, once each. */
function pasteNext(result: TraceResult): string[] {
  const open = result.outcomes.filter((o) => o.notShown);
  if (open.length === 0) return [];
  const share = open.reduce((a, o) => a + o.probability, 0);
  const commands = [...new Set(open.map((o) => o.notShown!.command))];
  return ['', `${pct(share).trim()} of this traffic depends on what the paste does not show. Paste the output of:`, ...commands.map((c) => `  ${c}`)];
}

function pct(p: number): string {
  const s = p === 1 ? '100%' : `${(p * 100).toFixed(p < 0.001 ? 4 : 1)}%`;
  return s.padStart(6);
}

function verdictWords(o: Outcome): string {
  switch (o.verdict) {
    case 'DNAT':
      if (o.kind === 'endpoint-not-shown') return `DNAT → ${o.destination ?? 'an endpoint'}: endpoint not shown in the paste (${o.notShown?.subject ?? 'its chain'} is not in it)`;
      return `DNAT → ${o.destination} (${o.delivery === 'local' ? 'an endpoint on the node itself' : 'forwarded to the endpoint'})`;
    case 'ACCEPT':
      return o.delivery === 'local' ? 'ACCEPT, delivered to the node itself, not translated' : 'ACCEPT, forwarded unchanged (no Service rule translated it)';
    case 'REJECT':
      return `REJECT (${o.rejectWith ?? 'icmp-port-unreachable'}): the client sees "connection refused" or "no route"`;
    case 'DROP':
      return 'DROP: the client sees a timeout';
    case 'UNKNOWN':
      return `UNKNOWN: ${o.notShown?.subject ?? 'a chain'} is not in the paste`;
    default: {
      const never: never = o.verdict;
      return never;
    }
  }
}

/**
 * Steps nest at most this deep on screen (nft's own limit is 16 jumps): a deeper step, which
 * iptables-legacy allows, says its depth instead of indenting further, so the text grows with the
 * path and not with its square (20,000 chains each jumping to the next printed 400 MB before).
 */
const MAX_INDENT = 16;

/** Indents each step under the jump that led to it. */
function pathLines(path: readonly PathStep[], rs: Ruleset): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  let hook = '';
  for (const s of path) {
    if (s.hook !== hook) {
      hook = s.hook;
      stack.length = 0;
      out.push(`[${hook.toUpperCase()}]`);
    }
    const here = `${s.table}/${s.chain}`;
    while (stack.length > 0 && stack[stack.length - 1] !== here) stack.pop();
    if (stack.length === 0) stack.push(here);
    const depth = stack.length;
    const indent = depth > MAX_INDENT ? `${'  '.repeat(MAX_INDENT)}(depth ${depth}) ` : '  '.repeat(depth);
    const where = s.assumed && s.line > 0 ? 'not in the paste' : s.line > 0 ? `line ${s.line}` : 'assumed';
    const prob = s.branchProbability !== undefined ? ` (${(s.branchProbability * 100).toFixed(1)}% here)` : '';
    out.push(`${indent}${s.table} ${s.chain} #${s.rule || 'policy'} [${where}] → ${s.action}${prob}`);
    const m = /^(jump|goto) (\S+)$/.exec(s.action);
    if (m && rs.chains.has(`${s.table}/${m[2]}`)) {
      if (m[1] === 'goto' && stack.length > 1) stack.pop();
      stack.push(`${s.table}/${m[2]}`);
    }
  }
  return out;
}
