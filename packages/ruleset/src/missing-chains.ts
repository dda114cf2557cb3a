import { parseRuleBody, tokenize, type IptablesDump, type Rule, type Table } from '@svcpath/parse-iptables';
import type { NotShown, RsChain, RsRule } from './model';
import { chainsNamed } from './named-chains';

/**
 * What a partial paste's jumps lead to when the chain they name is not in it. A jump to a missing
 * chain is not a jump to an empty chain (iptables-restore refuses jumps to chains that do not
 * exist, so the node has that chain and the paste cut it off):
 * - kube-proxy's fixed helper chains take kube-proxy's standard bodies (pkg/proxy/iptables/proxier.go,
 *   and kubelet's KUBE-FIREWALL), listed as assumptions;
 * - a KUBE-SEP-* chain becomes "DNAT to an endpoint not shown in the paste", naming the endpoint when
 *   a comment (`ns/svc:port -> 10.42.2.2:80`) or the chain's own `-s` rule tells it;
 * - anything else becomes "unknown: chain X is not in the paste".
 * A KUBE-SEP-* chain that is in the paste without its DNAT rule (a grep kept only its `-s` line)
 * ends the same way as a missing one. A target printed `[unsupported revision]` is unknown too.
 */
export interface MissingParts {
  /** Chains to add or replace, by id. */
  readonly chains: ReadonlyMap<string, RsChain>;
  readonly assumptions: readonly string[];
}

/** kube-proxy's fixed chains whose bodies do not depend on Services (default masquerade bit 0x4000). */
const HELPER_BODIES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  nat: {
    'KUBE-MARK-MASQ': ['-j MARK --or-mark {MASQ}'],
    'KUBE-POSTROUTING': [
      '-m mark ! --mark {MASQ}/{MASQ} -j RETURN',
      '-j MARK --xor-mark {MASQ}',
      '-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    ],
    // Older kube-proxy and kubelet (before 1.26) kept a drop mark too.
    'KUBE-MARK-DROP': ['-j MARK --or-mark 0x8000'],
  },
  filter: {
    'KUBE-FORWARD': [
      '-m conntrack --ctstate INVALID -j DROP',
      '-m comment --comment "kubernetes forwarding rules" -m mark --mark {MASQ}/{MASQ} -j ACCEPT',
      '-m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    ],
    'KUBE-FIREWALL': [
      '! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    ],
  },
};

const UNSUPPORTED = '[unsupported revision]';
const SOURCE = /(?:^|\s)-s (\d[\d.]*|[0-9a-f:]+)\/(?:32|128)\b/;

/** The chains a partial iptables paste needs added or completed before a trace can walk it. */
export function missingParts(dump: IptablesDump): MissingParts {
  const chains = new Map<string, RsChain>();
  const assumptions: string[] = [];
  const tool = dump.family === 6 ? 'ip6tables' : 'iptables';
  for (const table of dump.tables.values()) {
    if (!mayBePartial(table)) {
      // A large whole dump printed by an iptables older than its rules: its KUBE-SEP DNATs (their last rule).
      // One binary printed the whole dump: when the first KUBE-SEP's DNAT is readable, all are.
      const lastRaw = (c: { rules: readonly Rule[] }) => c.rules[c.rules.length - 1]?.raw ?? '';
      const first: { rules: readonly Rule[] } | undefined = chainsNamed(table.chains, (n) => n.startsWith('KUBE-SEP-'), 'KUBE-SEP-')[Symbol.iterator]().next().value;
      const old = first && lastRaw(first).includes(UNSUPPORTED) ? [...table.chains.values()].filter((c) => c.name.startsWith('KUBE-SEP-') && lastRaw(c).includes(UNSUPPORTED)) : [];
      // Each chain's own `-s` rule names its endpoint; a scan of every rule's comment would cost seconds here.
      const endpoints = new Map<string, string>();
      for (const c of old) {
        const s = SOURCE.exec(c.rules[0]?.raw ?? '');
        if (s) endpoints.set(c.name, s[1]!);
      }
      for (const c of old) {
        const completed = completeChain(table.name, c.name, c.rules, endpoints, tool, false);
        if (completed) chains.set(completed.id, completed);
      }
      continue;
    }
    // Read only when a chain is missing or cut: a whole table's rules are then never all made.
    let hints: Map<string, string> | null = null;
    const endpoints: EndpointHints = { get: (chain) => (hints ??= endpointHints(table)).get(chain) };
    const mark = masqueradeMark(table);
    const targets = missingTargets(table);
    // A Service's chains without the KUBE-SERVICES rules that lead to them: the way in is not shown.
    if (table.name === 'nat' && !table.chains.has('KUBE-SERVICES') && !table.chains.has('PREROUTING') && [...table.chains.keys()].some((c) => c.startsWith('KUBE-SVC-') || c.startsWith('KUBE-SEP-')))
      targets.set('KUBE-SERVICES', table.chains.values().next().value?.span?.line ?? 1);
    for (const [name, at] of targets) {
      const id = `${table.name}/${name}`;
      const helper = HELPER_BODIES[table.name]?.[name];
      if (helper) {
        chains.set(id, helperChain(table.name, name, helper.map((r) => r.replace(/{MASQ}/g, mark)), dump.file));
        assumptions.push(`chain ${name} is not in the paste (jumped to at line ${at}): assumed kube-proxy's standard body (${helper.map((r) => `-A ${name} ${r.replace(/{MASQ}/g, mark)}`).join('; ')})`);
        continue;
      }
      chains.set(id, notShownChain(table.name, name, notShownFor(table.name, name, endpoints, tool), { file: dump.file, line: at }));
    }
    if (table.name === 'nat' && needsPostrouting(table)) {
      const body = HELPER_BODIES.nat!['KUBE-POSTROUTING']!.map((r) => r.replace(/{MASQ}/g, mark));
      chains.set('nat/KUBE-POSTROUTING', helperChain('nat', 'KUBE-POSTROUTING', body, dump.file));
      assumptions.push(`the paste shows neither POSTROUTING nor KUBE-POSTROUTING: assumed kube-proxy's standard masquerade (${body.map((r) => `-A KUBE-POSTROUTING ${r}`).join('; ')})`);
    }
    for (const chain of table.chains.values()) {
      const completed = completeChain(table.name, chain.name, chain.rules, endpoints, tool, true);
      if (completed) chains.set(completed.id, completed);
    }
  }
  if (chains.size > 0 && dump.tables.has('nat') && !dump.tables.has('filter'))
    assumptions.push(`the paste shows no filter table: its chains are taken as accepting (\`${tool} -S\` on the node shows them)`);
  return { chains, assumptions };
}

/**
 * A table read from a whole iptables-save (header and declarations) cannot jump to a missing chain;
 * pastes lose the header, and a cut-off dump keeps it. Only a table with few rules or no header is
 * searched, so a large whole dump's rules stay unread until a trace walks them.
 */
function mayBePartial(table: Table): boolean {
  if (table.span === null) return true;
  if (table.ruleCount !== undefined) return table.ruleCount <= 20000;
  let n = 0;
  for (const c of table.chains.values()) n += c.rules.length;
  return n <= 20000;
}

/** kube-proxy's chains without the nat POSTROUTING hook that masquerades what they mark. */
function needsPostrouting(table: Table): boolean {
  if (table.chains.has('POSTROUTING') || table.chains.has('KUBE-POSTROUTING')) return false;
  for (const name of table.chains.keys()) if (name === 'KUBE-SERVICES' || name.startsWith('KUBE-SVC-') || name === 'KUBE-MARK-MASQ') return true;
  return false;
}

/** Chains that rules jump or go to but the table does not have, with the first line that names each. */
function missingTargets(table: Table): Map<string, number> {
  const out = new Map<string, number>();
  for (const chain of table.chains.values())
    for (const r of chain.rules) {
      const to = jumpToMissing(table, r);
      if (to && !out.has(to)) out.set(to, r.span.line);
    }
  return out;
}

const TARGETS = new Set(['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'MARK', 'CONNMARK', 'LOG', 'NFLOG', 'NOTRACK', 'CT', 'TRACE', 'TCPMSS', 'CHECKSUM', 'NFQUEUE', 'QUEUE', 'TPROXY', 'DSCP', 'TOS', 'TTL', 'SET', 'AUDIT', 'CLASSIFY']);
const JUMP = /\s-[jg]\s+([^\s"]+)/g;

/** The chain a rule jumps or goes to when the table lacks it; null otherwise. */
function jumpToMissing(table: Table, r: Rule): string | null {
  // The raw text first: parsing every rule of a lazily read dump would defeat its laziness.
  let name: string | null = null;
  for (const m of r.raw.matchAll(JUMP)) name = m[1]!;
  if (name === null || table.chains.has(name) || TARGETS.has(name)) return null;
  const t = r.target;
  return t && (t.kind === 'jump' || t.kind === 'goto') && !table.chains.has(t.chain) ? t.chain : null;
}

/** The masquerade bit the paste's KUBE-POSTROUTING or KUBE-FORWARD tests, else kube-proxy's default. */
function masqueradeMark(table: Table): string {
  for (const name of ['KUBE-POSTROUTING', 'KUBE-FORWARD', 'KUBE-MARK-MASQ'])
    for (const r of table.chains.get(name)?.rules ?? []) {
      const m = /--(?:mark|or-mark) (0x[0-9a-f]+)/i.exec(r.raw);
      if (m) return m[1]!;
    }
  return '0x4000';
}

/** The endpoint each KUBE-SEP chain DNATs to, as far as the dump tells (see endpointHints). */
type EndpointHints = Pick<ReadonlyMap<string, string>, 'get'>;

/** Endpoints named by the paste, by KUBE-SEP chain: jump comments first, then the chain's `-s` rule. */
function endpointHints(table: Table): Map<string, string> {
  const out = new Map<string, string>();
  for (const chain of table.chains.values())
    for (const r of chain.rules) {
      const raw = r.raw;
      if (chain.name.startsWith('KUBE-SEP-') && !out.has(chain.name)) {
        const s = SOURCE.exec(raw);
        if (s) out.set(chain.name, s[1]!);
      }
      if (!raw.includes(' -> ')) continue;
      const to = /-[jg] (KUBE-SEP-\S+)/.exec(raw)?.[1];
      const named = / -> ([^\s"]+)/.exec(raw)?.[1];
      if (to && named) out.set(to, named);
    }
  return out;
}

function notShownFor(table: string, chain: string, endpoints: EndpointHints, tool: string): NotShown {
  const command = `${tool} -t ${table} -S ${chain}`;
  if (chain.startsWith('KUBE-SEP-')) {
    const endpoint = endpoints.get(chain) ?? null;
    return {
      kind: 'not-shown',
      outcome: 'endpoint-not-shown',
      subject: chain,
      endpoint,
      reason: `chain ${chain} is not in the paste: a DNAT to ${endpoint ? `endpoint ${endpoint}` : 'an endpoint'} not shown in the paste`,
      command,
    };
  }
  return { kind: 'not-shown', outcome: 'unknown', subject: chain, endpoint: null, reason: `chain ${chain} is not in the paste`, command };
}

/**
 * A KUBE-SEP-* chain whose DNAT rule the paste lost, or any chain with an `[unsupported revision]`
 * target, rewritten so the walk ends there with a not-shown outcome. Null when the chain is fine.
 */
function completeChain(table: string, name: string, rules: readonly Rule[], endpoints: EndpointHints, tool: string, mayBeCut: boolean): RsChain | null {
  const isSep = name.startsWith('KUBE-SEP-');
  const unsupported = rules.some((r) => r.raw.includes(UNSUPPORTED));
  const cut = mayBeCut && isSep && rules.length > 0 && !unsupported && !rules.some((r) => / -j DNAT\b/.test(r.raw) && r.target?.kind === 'DNAT');
  if (!unsupported && !cut) return null;
  const out: RsRule[] = rules.map((r) => {
    if (!r.raw.includes(UNSUPPORTED)) return r;
    const what: NotShown = isSep
      ? { ...notShownFor(table, name, endpoints, tool), reason: `the DNAT of ${name} was printed "${UNSUPPORTED}" (the iptables that printed the dump is older than the rules): a DNAT to ${endpoints.get(name) ? `endpoint ${endpoints.get(name)}` : 'an endpoint'} the dump could not show`, command: `${tool}-save -t ${table} (with the node's own iptables)` }
      : { kind: 'not-shown', outcome: 'unknown', subject: `${name} rule ${r.index}`, endpoint: null, reason: `the target of ${name} rule ${r.index} was printed "${UNSUPPORTED}" (the iptables that printed the dump is older than the rules)`, command: `${tool}-save -t ${table} (with the node's own iptables)` };
    return { index: r.index, span: r.span, raw: r.raw, conds: r.matches, action: what, comment: r.comment };
  });
  if (cut) {
    const last = rules[rules.length - 1]!;
    out.push({ index: rules.length + 1, span: last.span, raw: `(the rest of ${name} is not in the paste)`, conds: [], action: notShownFor(table, name, endpoints, tool), comment: null, assumed: true });
  }
  return { id: `${table}/${name}`, table, name, rules: out, span: rules[0]?.span ?? null };
}

function helperChain(table: string, name: string, rules: readonly string[], file: string): RsChain {
  return {
    id: `${table}/${name}`,
    table,
    name,
    span: null,
    rules: rules.map((text, k) => {
      const body = parseRuleBody(tokenize(text).tokens);
      return { index: k + 1, span: { file, line: 0 }, raw: `-A ${name} ${text}`, conds: body.matches, action: body.target, comment: body.comment, assumed: true };
    }),
  };
}

function notShownChain(table: string, name: string, what: NotShown, span: { file: string; line: number }): RsChain {
  return {
    id: `${table}/${name}`,
    table,
    name,
    span: null,
    rules: [{ index: 1, span, raw: `(chain ${name} is not in the paste)`, conds: [], action: what, comment: null, assumed: true }],
  };
}
