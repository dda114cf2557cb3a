import { parseIptablesSave, type Chain, type Diagnostic, type IptablesDump, type Table } from '@svcpath/parse-iptables';
import { fromIptables } from './from-iptables';
import type { Ruleset } from './model';

/** What kind of dump a text is, by its first telling lines. */
export type DumpFormat = 'iptables' | 'nft-text' | 'nft-json' | 'ipvsadm' | 'ipset' | 'unknown';

export function detectFormat(text: string): DumpFormat {
  const head = text.slice(0, 64 * 1024);
  if (/^\s*\{\s*"nftables"/.test(head)) return 'nft-json';
  if (/^\s*(table (ip|ip6|inet|arp|bridge|netdev) \S+ \{|add (table|chain|rule|map|set|element) )/m.test(head)) return 'nft-text';
  if (/IP Virtual Server version|^\s*-A -[tuf] \S+/m.test(head)) return 'ipvsadm';
  if (/^(create \S+ (hash|bitmap|list):|Name: \S+\s*\nType: )/m.test(head)) return 'ipset';
  if (/^\s*(\*(filter|nat|mangle|raw|security)\s*$|:\S+ (ACCEPT|DROP|-) \[\d+:\d+\]|(\[\d+:\d+\] )?-[AINP] \S)/m.test(head)) return 'iptables';
  if (/(^|\s)-A [A-Z][A-Z0-9_-]+ /m.test(head)) return 'iptables';
  return 'unknown';
}

export interface DumpFile {
  readonly name: string;
  readonly text: string;
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
export function loadRuleset(files: readonly DumpFile[]): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const formats = files.map((f) => ({ file: f.name, format: detectFormat(f.text) }));
  const iptables: IptablesDump[] = [];
  files.forEach((f, i) => {
    const format = formats[i]!.format;
    if (format === 'iptables') {
      const r = parseIptablesSave(f.text, { file: f.name });
      diagnostics.push(...r.diagnostics);
      iptables.push(r.dump);
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
  if (iptables.length === 0) return { ruleset: null, diagnostics, formats };
  return { ruleset: fromIptables(mergeDumps(iptables)), diagnostics, formats };
}

function mergeDumps(dumps: readonly IptablesDump[]): IptablesDump {
  if (dumps.length === 1) return dumps[0]!;
  const tables = new Map<string, Table>();
  for (const d of dumps) {
    for (const t of d.tables.values()) {
      const into = tables.get(t.name) ?? { name: t.name, span: t.span, chains: new Map<string, Chain>() };
      for (const c of t.chains.values()) {
        const prev = into.chains.get(c.name);
        const rules = [...(prev?.rules ?? []), ...c.rules].map((r, k) => ({ ...r, index: k + 1 }));
        into.chains.set(c.name, { ...(prev ?? c), policy: prev?.policy ?? c.policy, rules });
      }
      tables.set(t.name, into);
    }
  }
  return {
    file: dumps.map((d) => d.file).join(', '),
    family: dumps[0]!.family,
    tables,
    unparsed: dumps.flatMap((d) => d.unparsed),
    ruleCount: dumps.reduce((a, d) => a + d.ruleCount, 0),
  };
}
