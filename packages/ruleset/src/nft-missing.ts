import { parseRuleBody, tokenize } from '@svcpath/parse-iptables';
import type { BaseChain, Hook, MapVerdict, NamedSet, NotShown, RsChain, RsRule } from './model';
import type { NftChainMap } from './nft-chain-map';

/**
 * What a partial nft paste lacks, filled in the way missing-chains.ts does for iptables:
 * - kube-proxy's table without its base chains (they were cut, or only some chains were pasted)
 *   takes kube-proxy's hook layout (pkg/proxy/nftables: its base chains and their jumps), listed as
 *   assumptions, so a paste showing the Service map and its numgen DNAT still traces to the Service;
 * - a jump, goto or map verdict to a chain not in the paste: kube-proxy's helper chains take their
 *   standard bodies, an `endpoint-…__IP/PORT` chain is a DNAT to that endpoint not shown in the paste,
 *   anything else is unknown.
 */
export interface NftMissing {
  readonly chains: readonly RsChain[];
  readonly hooks: readonly BaseChain[];
  readonly assumptions: readonly string[];
}

/** kube-proxy's nftables base chains (type, hook, priority) and the chain each jumps to. */
const LAYOUT: readonly { name: string; hook: Hook; priority: number; type: 'filter' | 'nat'; rule: string; to: string }[] = [
  { name: 'filter-prerouting-pre-dnat', hook: 'prerouting', priority: -110, type: 'filter', rule: 'ct state new jump firewall-check', to: 'firewall-check' },
  { name: 'filter-output-pre-dnat', hook: 'output', priority: -110, type: 'filter', rule: 'ct state new jump firewall-check', to: 'firewall-check' },
  { name: 'filter-forward', hook: 'forward', priority: 0, type: 'filter', rule: 'ct state new jump service-endpoints-check', to: 'service-endpoints-check' },
  { name: 'filter-forward', hook: 'forward', priority: 0, type: 'filter', rule: 'ct state new jump cluster-ips-check', to: 'cluster-ips-check' },
  { name: 'filter-input', hook: 'input', priority: 0, type: 'filter', rule: 'ct state new jump nodeport-endpoints-check', to: 'nodeport-endpoints-check' },
  { name: 'filter-input', hook: 'input', priority: 0, type: 'filter', rule: 'ct state new jump service-endpoints-check', to: 'service-endpoints-check' },
  { name: 'filter-output', hook: 'output', priority: 0, type: 'filter', rule: 'ct state new jump service-endpoints-check', to: 'service-endpoints-check' },
  { name: 'filter-output', hook: 'output', priority: 0, type: 'filter', rule: 'ct state new jump cluster-ips-check', to: 'cluster-ips-check' },
  { name: 'nat-output', hook: 'output', priority: -100, type: 'nat', rule: 'jump services', to: 'services' },
  { name: 'nat-postrouting', hook: 'postrouting', priority: 100, type: 'nat', rule: 'jump masquerading', to: 'masquerading' },
  { name: 'nat-prerouting', hook: 'prerouting', priority: -100, type: 'nat', rule: 'jump services', to: 'services' },
];

/** kube-proxy's helper chains, in nft text and as the same operation in iptables words. */
const HELPERS: Readonly<Record<string, readonly [nft: string, iptables: string][]>> = {
  'mark-for-masquerade': [['meta mark set meta mark | 0x00004000', '-j MARK --or-mark 0x4000']],
  masquerading: [
    ['meta mark & 0x00004000 == 0x00000000 return', '-m mark ! --mark 0x4000/0x4000 -j RETURN'],
    ['meta mark set meta mark ^ 0x00004000', '-j MARK --xor-mark 0x4000'],
    ['masquerade fully-random', '-j MASQUERADE --random-fully'],
  ],
  'reject-chain': [['reject', '-j REJECT --reject-with icmp-port-unreachable']],
};

/** Fills in what the paste's nft tables lack; `tables` are `family name` keys with their chains. */
export function nftMissing(chains: NftChainMap, sets: ReadonlyMap<string, NamedSet>, baseChains: ReadonlySet<string>, file: string): NftMissing {
  const out: RsChain[] = [];
  const hooks: BaseChain[] = [];
  const assumptions: string[] = [];
  for (const table of chains.tableNames()) {
    const has = (name: string) => chains.has(`${table}/${name}`) || out.some((c) => c.id === `${table}/${name}`);
    for (const [name, at] of missingTargets(table, chains, sets)) {
      const helper = HELPERS[name];
      if (helper) {
        out.push(ruleChain(table, name, helper, file));
        assumptions.push(`chain ${table}/${name} is not in the paste (named at line ${at}): assumed kube-proxy's standard body (${helper.map((h) => h[0]).join('; ')})`);
      } else out.push(notShownChain(table, name, notShownFor(table, name), { file, line: at }));
    }
    const kubeProxy = /^ip6? kube-proxy$/.test(table);
    const hasBase = [...baseChains].some((id) => id.startsWith(`${table}/`));
    if (!kubeProxy || hasBase) continue;
    const added: string[] = [];
    if (!has('masquerading') && has('mark-for-masquerade')) {
      out.push(ruleChain(table, 'masquerading', HELPERS['masquerading']!, file));
      added.push(`masquerading with kube-proxy's standard body (${HELPERS['masquerading']!.map((h) => h[0]).join('; ')})`);
    }
    for (const l of LAYOUT) {
      if (!has(l.to) || chains.has(`${table}/${l.name}`)) continue;
      const id = `${table}/${l.name}`;
      const body = parseRuleBody(tokenize(`${l.rule.startsWith('ct state new') ? '-m conntrack --ctstate NEW ' : ''}-j ${l.to}`).tokens);
      const existing = out.find((c) => c.id === id);
      const rule: RsRule = { index: (existing?.rules.length ?? 0) + 1, span: { file, line: 0 }, raw: l.rule, conds: body.matches, action: body.target, comment: null, assumed: true };
      if (existing) (existing.rules as RsRule[]).push(rule);
      else {
        out.push({ id, table, name: l.name, rules: [rule], span: null });
        hooks.push({ chainId: id, hook: l.hook, priority: l.priority, type: l.type, policy: 'ACCEPT', families: [table.startsWith('ip6') ? 6 : 4] });
      }
      added.push(`${l.name} (${l.type} hook ${l.hook} priority ${l.priority}) → ${l.to}`);
    }
    if (added.length)
      assumptions.push(`table ${table} has no base chains in the paste: assumed kube-proxy's hook layout ${added.join(', ')}`);
  }
  return { chains: out, hooks, assumptions };
}

/** Chains named by jumps, gotos and map verdicts that the table does not have, with a line each. */
function missingTargets(table: string, chains: NftChainMap, sets: ReadonlyMap<string, NamedSet>): Map<string, number> {
  const out = new Map<string, number>();
  const note = (v: MapVerdict | undefined, line: number) => {
    if (v && (v.kind === 'jump' || v.kind === 'goto') && !chains.hasIn(table, v.chain) && !out.has(v.chain)) out.set(v.chain, line);
  };
  // A lazily read chain names only chains of its table (parse-nft checked); a verdict map it reads may not.
  for (const c of chains.mayNameOthers(table)) {
    for (const r of c.rules)
      for (const a of [...(r.extra ?? []), ...(r.action ? [r.action] : [])]) {
        if (a.kind === 'jump' || a.kind === 'goto') note(a, r.span.line);
        else if (a.kind === 'numgen') for (const b of a.branches) note(b.verdict, r.span.line);
        else if (a.kind === 'vmap') for (const e of a.inline ?? sets.get(a.set)?.elements ?? []) note(e.verdict, e.span?.line ?? r.span.line);
      }
  }
  return out;
}

/** kube-proxy names endpoint chains `endpoint-HASH-ns/svc/proto/port__IP/PORT`: the endpoint is in the name. */
function notShownFor(table: string, chain: string): NotShown {
  const command = `nft list chain ${table} ${chain}`;
  const ep = /^endpoint-[A-Z0-9]+-.*__([0-9a-f.:]+)\/(\d+)$/i.exec(chain);
  if (ep) {
    const endpoint = ep[1]!.includes(':') ? `[${ep[1]}]:${ep[2]}` : `${ep[1]}:${ep[2]}`;
    return { kind: 'not-shown', outcome: 'endpoint-not-shown', subject: chain, endpoint, reason: `chain ${chain} is not in the paste: a DNAT to endpoint ${endpoint} not shown in the paste`, command };
  }
  return { kind: 'not-shown', outcome: 'unknown', subject: chain, endpoint: null, reason: `chain ${chain} is not in the paste`, command };
}

function ruleChain(table: string, name: string, rules: readonly (readonly [string, string])[], file: string): RsChain {
  return {
    id: `${table}/${name}`,
    table,
    name,
    span: null,
    rules: rules.map(([nft, ipt], k) => {
      const body = parseRuleBody(tokenize(ipt).tokens);
      return { index: k + 1, span: { file, line: 0 }, raw: nft, conds: body.matches, action: body.target, comment: null, assumed: true };
    }),
  };
}

function notShownChain(table: string, name: string, what: NotShown, span: { file: string; line: number }): RsChain {
  return { id: `${table}/${name}`, table, name, span: null, rules: [{ index: 1, span, raw: `(chain ${name} is not in the paste)`, conds: [], action: what, comment: null, assumed: true }] };
}
