/** The netfilter tables kube-proxy's iptables proxier programs. */
export type TableName = 'filter' | 'nat';

/**
 * One rule as kube-proxy builds it: the chain it is appended to and its arguments in kube-proxy's
 * own order (`-m comment --comment … -m tcp -p tcp -d 10.0.0.1 --dport 80 -j …`), values unquoted.
 * The save printer turns it into iptables-save's canonical order.
 */
export interface IptablesRule {
  readonly chain: string;
  readonly args: readonly string[];
}

export interface RenderedTable {
  readonly name: TableName;
  /** Built-in chains of this table in hook order (all have policy ACCEPT here). */
  readonly builtinChains: readonly string[];
  /** kube-proxy's chains in the order kube-proxy declares them in its restore input. */
  readonly chains: readonly string[];
  /** Every rule, built-in chains' jump rules first, then kube-proxy's in the order it writes them. */
  readonly rules: readonly IptablesRule[];
}

/** Collects one table's chains and rules while rendering. */
export class TableBuilder {
  readonly chains: string[] = [];
  readonly rules: IptablesRule[] = [];
  constructor(
    readonly name: TableName,
    readonly builtinChains: readonly string[],
  ) {}

  declareChain(chain: string): void {
    this.chains.push(chain);
  }

  append(chain: string, args: readonly string[]): void {
    this.rules.push({ chain, args });
  }

  done(): RenderedTable {
    return { name: this.name, builtinChains: this.builtinChains, chains: this.chains, rules: this.rules };
  }
}

/**
 * Splits a rule line into arguments the way a shell-like iptables-restore reader does: spaces
 * separate, double quotes group, and a backslash inside quotes escapes the next character.
 */
export function tokenizeRuleLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ' || line[i] === '\t') {
      i++;
      continue;
    }
    let tok = '';
    if (line[i] === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length) i++;
        tok += line[i];
        i++;
      }
      i++;
    } else {
      while (i < line.length && line[i] !== ' ' && line[i] !== '\t') tok += line[i++];
    }
    out.push(tok);
  }
  return out;
}
