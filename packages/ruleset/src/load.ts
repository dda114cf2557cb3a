import { parseIptablesSave, type Chain, type Diagnostic, type IptablesDump, type Table } from '@svcpath/parse-iptables';
import { parseNftJson, parseNftText } from '@svcpath/parse-nft';
import { parseIpset, parseIpvsadm, type IpSet, type VirtualService } from '@svcpath/parse-ipvs';
import { fromIptables } from './from-iptables';
import { fromNft } from './from-nft';
import { HOOKS, type BaseChain, type Hook, type NamedSet, type RsChain, type Ruleset } from './model';

/** What kind of dump a text is, by its first telling lines. */
export type DumpFormat = 'iptables' | 'nft-text' | 'nft-json' | 'ipvsadm' | 'ipset' | 'unknown';

export function detectFormat(text: string): DumpFormat {
  const head = text.slice(0, 64 * 1024);
  if (/^\s*\{\s*"nftables"/.test(head)) return 'nft-json';
  if (/^\s*(table (ip|ip6|inet|arp|bridge|netdev) \S+ \{|add (table|chain|rule|map|set|element) )/m.test(head)) return 'nft-text';
  // nft chains or maps pasted without their table line.
  if (/^\s*(chain|map|set) [^\s{]+ \{\s*$/m.test(head) && /^\s*(type \w+ hook |jump |goto |.*\bvmap |.*\b(ip6?|meta|ct|th) \w+ |.*\bdnat to |elements = )/m.test(head)) return 'nft-text';
  if (/IP Virtual Server version|^\s*-A -[tuf] \S+/m.test(head)) return 'ipvsadm';
  if (/^(create \S+ (hash|bitmap|list):|Name: \S+\s*\nType: )/m.test(head)) return 'ipset';
  if (/^\s*(\*(filter|nat|mangle|raw|security)\s*$|:\S+ (ACCEPT|DROP|-) \[\d+:\d+\]|(\[\d+:\d+\] )?-[AINP] \S)/m.test(head)) return 'iptables';
  if (/(^|\s)-A [A-Z][A-Z0-9_-]+ /m.test(head)) return 'iptables';
  // `iptables -L -n [-v]` listings (read back into rules by parse-iptables' paste reader).
  if (/^Chain \S+ \((policy (ACCEPT|DROP)|\d+ references?)/m.test(head)) return 'iptables';
  return 'unknown';
}

export interface DumpFile {
  readonly name: string;
  /** The file's text; with `scanned`, at least its first 64 KB (what format detection reads). */
  readonly text: string;
  /** An iptables dump already read by scanIptablesSave (the CLI's large-dump path), used as it is. */
  readonly scanned?: { readonly dump: IptablesDump; readonly diagnostics: readonly Diagnostic[] };
}

export interface LoadResult {
  /** null when no file held rules svcpath can trace. */
  readonly ruleset: Ruleset | null;
  readonly diagnostics: readonly Diagnostic[];
  readonly formats: readonly { file: string; format: DumpFormat }[];
}

/**
 * Reads a node's dumps (one or several files), detecting each one's format, and lowers what it can
 * trace into one Ruleset. Several iptables files (say `iptables -t nat -S` and `iptables -S` saved
 * apart) are merged table by table; each rule keeps its own file and line.
 */
export interface LoadOptions {
  /** Read iptables rule bodies when a trace first walks them (see parse-iptables' LazyRule). */
  readonly lazy?: boolean;
}

export function loadRuleset(files: readonly DumpFile[], options: LoadOptions = {}): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const formats = files.map((f) => ({ file: f.name, format: detectFormat(f.text) }));
  const iptables: IptablesDump[] = [];
  const nft: Ruleset[] = [];
  const virtualServices: VirtualService[] = [];
  const ipsets = new Map<string, IpSet>();
  files.forEach((f, i) => {
    const format = formats[i]!.format;
    if (format === 'iptables') {
      const r = f.scanned ?? parseIptablesSave(f.text, { file: f.name, ...(options.lazy ? { lazy: true } : {}) });
      for (const d of r.diagnostics) diagnostics.push(d); // a spread of ~100,000+ arguments overflows the stack
      iptables.push(r.dump);
    } else if (format === 'ipvsadm') {
      const r = parseIpvsadm(f.text, { file: f.name });
      for (const d of r.diagnostics) diagnostics.push({ code: d.code as Diagnostic['code'], severity: d.severity, message: d.message, span: { file: d.span.file, line: d.span.start.line } });
      for (const v of r.virtualServices) virtualServices.push(v);
    } else if (format === 'ipset') {
      const r = parseIpset(f.text, { file: f.name });
      for (const d of r.diagnostics) diagnostics.push({ code: d.code as Diagnostic['code'], severity: d.severity, message: d.message, span: { file: d.span.file, line: d.span.start.line } });
      for (const set of r.sets) ipsets.set(set.name, set);
    } else if (format === 'nft-text' || format === 'nft-json') {
      const r = format === 'nft-text' ? parseNftText(f.text, { file: f.name }) : parseNftJson(f.text, { file: f.name });
      for (const d of r.diagnostics) diagnostics.push({ code: d.code as Diagnostic['code'], severity: d.severity, message: d.message, span: { file: d.span.file, line: d.span.line } });
      nft.push(fromNft(r.ruleset, f.name));
    } else {
      diagnostics.push({
        code: 'IPT_UNKNOWN_LINE',
        severity: 'error',
        message:
          format === 'unknown'
            ? 'not a dump svcpath knows: expected iptables-save, nft list ruleset, ipvsadm or ipset output'
            : `${format} dumps are not traced yet by this version of svcpath`,
        span: { file: f.name, line: 1 },
      });
    }
  });
  const parts = [...(iptables.length ? [fromIptables(mergeDumps(iptables))] : []), ...nft];
  if (parts.length === 0 && virtualServices.length === 0) return { ruleset: null, diagnostics, formats };
  const rs = parts.length === 1 ? parts[0]! : combine(parts.length ? parts : [EMPTY]);
  return { ruleset: virtualServices.length || ipsets.size ? withIpvs(rs, virtualServices, ipsets) : rs, diagnostics, formats };
}

function mergeDumps(dumps: readonly IptablesDump[]): IptablesDump {
  if (dumps.length === 1) return dumps[0]!;
  const tables = new Map<string, Table>();
  const chainsById = new Map<string, Chain>();
  for (const d of dumps) {
    for (const t of d.tables.values()) {
      const into = tables.get(t.name) ?? { name: t.name, span: t.span, chains: new Map<string, Chain>() };
      for (const c of t.chains.values()) {
        const prev = into.chains.get(c.name);
        const rules = [...(prev?.rules ?? []), ...c.rules];
        // Renumber in place: parsed rules are LazyRule instances, which a spread would strip of their getters.
        rules.forEach((r, k) => ((r as { index: number }).index = k + 1));
        const merged = { ...(prev ?? c), policy: prev?.policy ?? c.policy, rules };
        into.chains.set(c.name, merged);
        chainsById.set(merged.id, merged);
      }
      tables.set(t.name, into);
    }
  }
  return {
    file: dumps.map((d) => d.file).join(', '),
    family: dumps[0]!.family,
    tables,
    chainsById,
    unparsed: dumps.flatMap((d) => d.unparsed),
    ruleCount: dumps.reduce((a, d) => a + d.ruleCount, 0),
  };
}

/**
 * One node's iptables tables and nft tables together: the kernel runs every base chain on a hook in
 * priority order, whichever tool made it (iptables-nft tables are nft tables; legacy ones share the
 * same hooks at the same priorities).
 */
function combine(parts: readonly Ruleset[]): Ruleset {
  const chains = new Map<string, RsChain>();
  const sets = new Map<string, NamedSet>();
  const hooks: Record<Hook, BaseChain[]> = { prerouting: [], input: [], forward: [], output: [], postrouting: [] };
  for (const p of parts) {
    for (const [k, v] of p.chains) chains.set(k, v);
    for (const [k, v] of p.sets) sets.set(k, v);
    for (const h of HOOKS) hooks[h].push(...p.hooks[h]);
  }
  for (const h of HOOKS) hooks[h].sort((a, b) => a.priority - b.priority);
  return {
    dataplane: parts.some((p) => p.dataplane === 'nftables') ? 'nftables' : parts[0]!.dataplane,
    family: parts[0]!.family,
    chains,
    hooks,
    sets,
    assumptions: parts.flatMap((p) => p.assumptions),
    files: parts.flatMap((p) => p.files),
  };
}

const EMPTY: Ruleset = {
  dataplane: 'iptables',
  family: 4,
  chains: new Map(),
  hooks: { prerouting: [], input: [], forward: [], output: [], postrouting: [] },
  sets: new Map(),
  assumptions: [],
  files: [],
};

/**
 * IPVS mode: the virtual-service table joins the node's netfilter hooks where the kernel registers
 * IPVS (LOCAL_IN at NF_IP_PRI_NAT_SRC - 2 = 98 for packets from outside; LOCAL_OUT at
 * NF_IP_PRI_NAT_DST + 2 = -98 for the node's own), next to kube-proxy's iptables rules.
 */
function withIpvs(rs: Ruleset, services: readonly VirtualService[], sets: ReadonlyMap<string, IpSet>): Ruleset {
  const hooks = { ...rs.hooks };
  if (services.length > 0) {
    hooks.input = [...rs.hooks.input, { chainId: 'ipvs', hook: 'input' as const, priority: 98, type: 'ipvs' as const, policy: 'ACCEPT' as const }].sort((a, b) => a.priority - b.priority);
    hooks.output = [...rs.hooks.output, { chainId: 'ipvs', hook: 'output' as const, priority: -98, type: 'ipvs' as const, policy: 'ACCEPT' as const }].sort((a, b) => a.priority - b.priority);
  }
  return { ...rs, dataplane: services.length > 0 ? 'ipvs' : rs.dataplane, hooks, ipvs: { services, sets } };
}
