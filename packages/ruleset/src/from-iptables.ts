import { BUILTIN_CHAINS, parseRuleBody, tokenize, type IptablesDump, type Table } from '@svcpath/parse-iptables';
import type { BaseChain, Hook, RsChain, RsRule, Ruleset } from './model';
import { missingParts } from './missing-chains';

/** iptables tables' hook priorities (NF_IP_PRI_* in the kernel's netfilter_ipv4.h). */
const TABLE_HOOKS: Readonly<Record<string, readonly [Hook, number][]>> = {
  raw: [['prerouting', -300], ['output', -300]],
  mangle: [['prerouting', -150], ['input', -150], ['forward', -150], ['output', -150], ['postrouting', -150]],
  nat: [['prerouting', -100], ['output', -100], ['input', 100], ['postrouting', 100]],
  filter: [['input', 0], ['forward', 0], ['output', 0]],
  security: [['input', 50], ['forward', 50], ['output', 50]],
};
const HOOK_CHAIN: Readonly<Record<Hook, string>> = {
  prerouting: 'PREROUTING',
  input: 'INPUT',
  forward: 'FORWARD',
  output: 'OUTPUT',
  postrouting: 'POSTROUTING',
};

/**
 * kube-proxy's jumps from the built-in chains (pkg/proxy/iptables: iptablesJumpChains), used when a
 * dump holds kube-proxy's chains but not the jumps into them — kube-proxy's own expected outputs and
 * grep fragments pasted into tickets look like that.
 */
const STANDARD_JUMPS: readonly { table: string; chain: string; to: string; rule: string }[] = [
  { table: 'filter', chain: 'INPUT', to: 'KUBE-PROXY-FIREWALL', rule: '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL' },
  { table: 'filter', chain: 'INPUT', to: 'KUBE-NODEPORTS', rule: '-m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS' },
  { table: 'filter', chain: 'INPUT', to: 'KUBE-EXTERNAL-SERVICES', rule: '-m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES' },
  { table: 'filter', chain: 'INPUT', to: 'KUBE-FIREWALL', rule: '-j KUBE-FIREWALL' },
  { table: 'filter', chain: 'FORWARD', to: 'KUBE-PROXY-FIREWALL', rule: '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL' },
  { table: 'filter', chain: 'FORWARD', to: 'KUBE-FORWARD', rule: '-m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD' },
  { table: 'filter', chain: 'FORWARD', to: 'KUBE-SERVICES', rule: '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES' },
  { table: 'filter', chain: 'FORWARD', to: 'KUBE-EXTERNAL-SERVICES', rule: '-m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES' },
  { table: 'filter', chain: 'OUTPUT', to: 'KUBE-PROXY-FIREWALL', rule: '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL' },
  { table: 'filter', chain: 'OUTPUT', to: 'KUBE-SERVICES', rule: '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES' },
  { table: 'filter', chain: 'OUTPUT', to: 'KUBE-FIREWALL', rule: '-j KUBE-FIREWALL' },
  { table: 'nat', chain: 'PREROUTING', to: 'KUBE-SERVICES', rule: '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES' },
  { table: 'nat', chain: 'OUTPUT', to: 'KUBE-SERVICES', rule: '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES' },
  { table: 'nat', chain: 'POSTROUTING', to: 'KUBE-POSTROUTING', rule: '-m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING' },
];

export interface FromIptablesOptions {
  /** Add kube-proxy's standard hook jumps where a dump lacks them (default true). */
  readonly assumeHookJumps?: boolean;
}

/** Lowers one or more parsed iptables dumps (say iptables-save and a legacy one) into a Ruleset. */
export function fromIptables(dump: IptablesDump, options: FromIptablesOptions = {}): Ruleset {
  const hooks: Record<Hook, BaseChain[]> = { prerouting: [], input: [], forward: [], output: [], postrouting: [] };
  const assumptions: string[] = [];
  const synthByTable = new Map<string, Map<string, RsRule[]>>();
  const missing = missingParts(dump);
  for (const table of dump.tables.values())
    synthByTable.set(table.name, options.assumeHookJumps === false ? new Map() : missingJumps(table, dump.file, assumptions, (c) => table.chains.has(c) || missing.chains.has(`${table.name}/${c}`)));
  assumptions.push(...missing.assumptions);
  // A whole dump's chains are ruleset chains as they are: share the parser's map instead of copying.
  const whole = [...synthByTable.values()].every((m) => m.size === 0) && missing.chains.size === 0;
  const chains: Map<string, RsChain> = whole ? (dump.chainsById as Map<string, RsChain>) : new Map();
  for (const table of dump.tables.values()) {
    const synth = synthByTable.get(table.name)!;
    if (whole) {
      registerHooks(table, hooks, chains);
      continue;
    }
    const names = synth.size ? new Set([...table.chains.keys(), ...synth.keys()]) : table.chains.keys();
    for (const name of names) {
      const chain = missing.chains.get(`${table.name}/${name}`) ?? table.chains.get(name);
      // Parsed rules are ruleset rules as they are (their bodies may still be unread: see LazyRule).
      const extra = synth.get(name);
      let rules: readonly RsRule[] = chain?.rules ?? [];
      if (extra) rules = [...rules, ...extra.map((r, k) => ({ ...r, index: rules.length + k + 1 }))];
      if (chain && !extra) {
        chains.set(chain.id, chain); // a parsed chain is a ruleset chain as it is
        continue;
      }
      const id = `${table.name}/${name}`;
      chains.set(id, { id, table: table.name, name, rules, span: chain?.span ?? null });
    }
    // Chains the paste jumps to but does not show (see missing-chains.ts).
    for (const [id, c] of missing.chains) if (c.table === table.name && !table.chains.has(c.name)) chains.set(id, c);
    registerHooks(table, hooks, chains);
  }
  for (const h of Object.values(hooks)) h.sort((a, b) => a.priority - b.priority);
  const scanned = whole && dump.jumpGraph ? { jumpGraph: dump.jumpGraph, ...(dump.kubeIpsetRules !== undefined ? { kubeIpsetRules: dump.kubeIpsetRules } : {}) } : {};
  return { dataplane: 'iptables', family: dump.family, chains, hooks, sets: new Map(), assumptions, files: [dump.file], ...scanned };
}

function registerHooks(table: Table, hooks: Record<Hook, BaseChain[]>, chains: ReadonlyMap<string, RsChain>) {
  for (const [hook, priority] of TABLE_HOOKS[table.name] ?? []) {
    const name = HOOK_CHAIN[hook];
    if (!chains.has(`${table.name}/${name}`)) continue;
    const policy = table.chains.get(name)?.policy ?? 'ACCEPT';
    hooks[hook].push({ chainId: `${table.name}/${name}`, hook, priority, type: table.name === 'nat' ? 'nat' : 'filter', policy });
  }
}

function missingJumps(table: Table, file: string, assumptions: string[], has: (chain: string) => boolean): Map<string, RsRule[]> {
  const out = new Map<string, RsRule[]>();
  const jumpedTo = new Set<string>();
  // The built-in chains by name: a scanned dump's other chains are then never made (see scan.ts).
  for (const name of BUILTIN_CHAINS[table.name] ?? []) {
    const c = table.chains.get(name);
    if (!c?.builtin) continue;
    for (const r of c.rules) if (r.target?.kind === 'jump' || r.target?.kind === 'goto') jumpedTo.add(r.target.chain);
  }
  // A table whose built-in chains already jump into kube-proxy's chains is a whole dump: trust it.
  if ([...jumpedTo].some((c) => c.startsWith('KUBE-'))) return out;
  for (const j of STANDARD_JUMPS) {
    if (j.table !== table.name || !has(j.to) || jumpedTo.has(j.to)) continue;
    const body = parseRuleBody(tokenize(j.rule).tokens);
    const raw = `-A ${j.chain} ${j.rule}`;
    const list = out.get(j.chain) ?? [];
    list.push({ index: 0, span: { file, line: 0 }, raw, conds: body.matches, action: body.target, comment: body.comment, assumed: true });
    out.set(j.chain, list);
  }
  const added = [...out].flatMap(([chain, rules]) => rules.map((r) => `${chain} → ${r.action && 'chain' in r.action ? r.action.chain : '?'}`));
  if (added.length > 0)
    assumptions.push(`the ${table.name} table's built-in chains do not jump into kube-proxy's chains (a partial dump?): assumed kube-proxy's standard jumps ${added.join(', ')}`);
  return out;
}
