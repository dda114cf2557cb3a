/**
 * An nftables transaction for one table, kept by object kind so that it prints in an order
 * `nft -f` accepts (kube-proxy's own transactions name chains in map elements and rules before
 * creating some of them; nft needs every object to exist first): table, sets and maps, chains,
 * rules chain by chain, elements.
 */
export class NftTransaction {
  private readonly sets = new Map<string, string>();
  private readonly chains = new Map<string, string>();
  private readonly rules = new Map<string, string[]>();
  private readonly elements = new Map<string, string>();

  constructor(
    readonly family: 'ip' | 'ip6',
    readonly table: string,
    private readonly tableComment: string,
  ) {}

  private get prefix(): string {
    return `${this.family} ${this.table}`;
  }

  /** `add set|map … { spec }`; adding one name twice keeps the first. */
  addSet(kind: 'set' | 'map', name: string, spec: string): void {
    if (!this.sets.has(name)) this.sets.set(name, `add ${kind} ${this.prefix} ${name} { ${spec} ; }`);
  }

  /** `add chain …`, with `{ type … hook … priority … ; }` or a comment for some. */
  addChain(name: string, spec?: string): void {
    if (!this.chains.has(name)) this.chains.set(name, `add chain ${this.prefix} ${name}${spec ? ` { ${spec} ; }` : ''}`);
    if (!this.rules.has(name)) this.rules.set(name, []);
  }

  addRule(chain: string, rule: string, comment?: string): void {
    this.addChain(chain);
    this.rules.get(chain)!.push(`add rule ${this.prefix} ${chain} ${rule}${comment ? ` comment "${comment}"` : ''}`);
  }

  /** `add element … { key [comment "…"] [: value] }`; an element is added once per key. */
  addElement(set: string, key: string, value?: string, comment?: string): void {
    const id = `${set} ${key}`;
    if (!this.elements.has(id))
      this.elements.set(id, `add element ${this.prefix} ${set} { ${key}${comment ? ` comment "${comment}"` : ''}${value ? ` : ${value}` : ''} }`);
  }

  /** The lines by kind, for tests that compare with kube-proxy's expectations. */
  parts(): { table: string; sets: string[]; chains: string[]; rules: Map<string, string[]>; elements: string[] } {
    return {
      table: `add table ${this.prefix} { comment "${this.tableComment}" ; }`,
      sets: [...this.sets.values()],
      chains: [...this.chains.values()],
      rules: new Map([...this.rules].map(([c, r]) => [c, [...r]])),
      elements: [...this.elements.values()],
    };
  }

  /** The transaction as `nft -f` input. */
  text(): string {
    const p = this.parts();
    return `${[p.table, ...p.sets, ...p.chains, ...[...p.rules.values()].flat(), ...p.elements].join('\n')}\n`;
  }
}
