import type { IptablesRule, RenderedTable } from './iptables-rule';

/** An argument as kube-proxy writes it: comments containing spaces are wrapped in double quotes. */
function kubeProxyArg(arg: string): string {
  return arg === '' || /\s/.test(arg) ? `"${arg}"` : arg;
}

export function formatKubeProxyRule(rule: IptablesRule): string {
  let line = `-A ${rule.chain}`;
  for (const a of rule.args) line += ` ${kubeProxyArg(a)}`;
  return line;
}

/**
 * The iptables-restore input kube-proxy itself writes (its argument order, no `/32`, 10-decimal
 * probabilities, chains in declaration order). Built-in chains and their jump rules are left out,
 * because kube-proxy installs those separately with `iptables -I`.
 */
export function formatKubeProxyRestoreInput(tables: readonly RenderedTable[]): string {
  const lines: string[] = [];
  for (const t of tables) {
    const builtin = new Set(t.builtinChains);
    lines.push(`*${t.name}`);
    for (const c of t.chains) lines.push(`:${c} - [0:0]`);
    for (const r of t.rules) if (!builtin.has(r.chain)) lines.push(formatKubeProxyRule(r));
    lines.push('COMMIT');
  }
  return lines.join('\n') + '\n';
}
