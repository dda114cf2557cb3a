/**
 * {@link restorableDump}: the smallest changes that let the kernel take a node's dump in a lab,
 * each one named so `svcpath replay` can report it. The kernel refuses, as measured in
 * shared/kernel-lab.md and the conformance scenarios in ./verify:
 * `-m nfacct` matches whose accounting objects do not exist, and multi-word comments written
 * without quotes (kube-proxy's own test dumps). A partial dump whose built-in chains do not jump
 * into kube-proxy's chains gets the same standard jumps the tracer assumes, so kernel and tracer
 * walk the same rules. kube-proxy's nftables transactions (`add rule …` before `add chain …`) are
 * put in the order nft accepts.
 */
import { parseIptablesSave } from '@svcpath/parse-iptables';
import { detectFormat, fromIptables } from '@svcpath/ruleset';

export interface RestorableDump {
  readonly dataplane: 'iptables' | 'nftables';
  readonly text: string;
  /** One line per kind of change made, with how many lines it touched; empty when none was needed. */
  readonly changes: readonly string[];
}

/** Makes a traceable dump (iptables-save or nft) loadable by iptables-restore or nft -f. */
export function restorableDump(name: string, text: string): RestorableDump {
  const format = detectFormat(text);
  if (format === 'nft-text') return reorderNftTransaction(text);
  if (format === 'iptables') return restorableIptables(name, text);
  throw new Error(`${name}: a ${format} dump cannot be replayed (iptables-save or nft list ruleset text is needed)`);
}

function restorableIptables(name: string, text: string): RestorableDump {
  const changes: string[] = [];
  let nfacct = 0;
  let out = text.replace(/ -m nfacct --nfacct-name \S+/g, () => (nfacct++, ''));
  if (nfacct) changes.push(`removed ${nfacct} \`-m nfacct\` match(es): their accounting objects do not exist in the lab (they only count)`);
  let quoted = 0;
  out = out.replace(/--comment ((?:[^"\s-][^\s]*\s)+?)(?=-[mjgsdp] |! )/g, (whole, words: string) => {
    if (!words.trim().includes(' ')) return whole;
    quoted++;
    return `--comment "${words.trim()}" `;
  });
  if (quoted) changes.push(`quoted ${quoted} multi-word comment(s) written without quotes (iptables-restore reads each word as an option)`);
  const rs = fromIptables(parseIptablesSave(out, { file: name }).dump);
  for (const table of ['raw', 'mangle', 'filter', 'nat']) {
    const jumps = [...rs.chains.values()].filter((c) => c.table === table).flatMap((c) => c.rules.filter((r) => r.assumed).map((r) => r.raw));
    const start = out.indexOf(`*${table}\n`);
    const at = start < 0 ? -1 : out.indexOf('\nCOMMIT', start);
    if (jumps.length === 0 || at < 0) continue;
    out = `${out.slice(0, at + 1)}${jumps.join('\n')}\n${out.slice(at + 1)}`;
    changes.push(`added kube-proxy's ${jumps.length} standard jump(s) into its ${table} chains, which this partial dump lacks (the tracer assumes them too): ${jumps.join('; ')}`);
  }
  return { dataplane: 'iptables', text: out, changes };
}

/** nft creates objects in the order it reads them: tables, then sets and maps, chains (then flushes), rules, elements. */
const NFT_ORDER: readonly RegExp[] = [/^(add|create) table /, /^(add|create) (set|map) /, /^(add|create) chain /, /^(flush|delete) /, /^(add|insert|replace) rule /, /^(add|create) element /];

function reorderNftTransaction(text: string): RestorableDump {
  const lines = text.split('\n');
  if (!lines.some((l) => /^add (rule|chain) /.test(l))) return { dataplane: 'nftables', text, changes: [] };
  const rank = (l: string) => {
    const i = NFT_ORDER.findIndex((re) => re.test(l));
    return i < 0 ? NFT_ORDER.length : i;
  };
  const sorted = lines.map((l, i) => ({ l, i, r: rank(l) })).sort((a, b) => a.r - b.r || a.i - b.i);
  const moved = sorted.filter((x, k) => x.i !== k).length;
  const changes = moved ? [`put the nft transaction's ${lines.length} lines in the order nft creates objects (tables, sets and maps, chains, rules, elements); ${moved} line(s) moved`] : [];
  return { dataplane: 'nftables', text: sorted.map((x) => x.l).join('\n'), changes };
}
