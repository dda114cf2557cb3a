import type { Diagnostic, DiagnosticCode, Severity } from './ast';
import { chainHeader, listingHeader, listingRule, type ListingColumns } from './listing';

/**
 * What people paste into tickets instead of a whole `iptables-save`, rewritten line for line into
 * statements the dump parser reads: `iptables -L -n -v` listings, unified diffs (the new side),
 * `grep -n` and `file:` prefixes. Every line keeps its number, so spans still point at the paste.
 * Identical rule lines that several pasted blocks repeat (two greps matching the same rule) are one
 * rule: the later copies are blanked and reported.
 */
export interface PasteReading {
  /** The paste as dump statements, one output line per input line. */
  readonly text: string;
  readonly diagnostics: readonly Diagnostic[];
  /** Why the paste is not a whole dump, in words (empty: nothing seen here says so). */
  readonly partialBecause: readonly string[];
  /** Lines whose rule text held something no reader understood (listing text, unsupported revision). */
  readonly explainedLines: ReadonlySet<number>;
}

const HUNK = /^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@/m;
const DIFF_HEADER = /^(?:diff |index |--- |\+\+\+ |@@ )/;
const RULE_AT = /(?:^|[\s:+|>$#])((?:\[\d+:\d+\] )?-[AI] \S.*)$/;
const NUMBERED = /^\s*(?:[^\s:]+:)?\d+(?::|-|\t|\s+\|?\s*)((?:\[\d+:\d+\] )?-[AINP] \S.*|\*\w+|:\S+ \S+ \[\d+:\d+\]|COMMIT)$/;
const SHELL = /(?:^|[\s$#>])(?:sudo\s+)?(ip6?tables(?:-legacy|-nft)?(?:-save)?|nft|grep|egrep)\s/;
const PROMPT = /^\s*(?:\[[^\]]*\]\s*[#$]|[\w.-]+@[\w.-]+(?::[^#$\s]*)?\s*[#$]|[#$])\s+\S/;
const HEAD = 256 * 1024;
const UNSUPPORTED = '[unsupported revision]';
// CRI log lines (`2024-05-01T10:00:00.1Z stdout F `) and journald/syslog lines (`May  1 10:00:00 host tag[1]: `).
const LOG_PREFIX = /^(?:\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d) (?:stdout|stderr) [FP] |[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ [^\s:]+: )/;
const QUICK = /^(?:\S+ (?:stdout|stderr) [FP] Chain |[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ [^\s:]+: |Chain \S+ \(|@@ |\s*\d+[:\t-]\s*-[AINP] |[^\s:]+:(?:\d+:)?-[AINP] |\+-[AINP] |\s*(?:num\s+)?(?:pkts\s+bytes\s+)?target\s+prot\s)/m;

/** Whether a dump's first 256 KB look like a paste (a listing, a diff, grep -n output, log prefixes). */
export function headLooksPasted(head: string): boolean {
  return QUICK.test(head.length > HEAD ? head.slice(0, HEAD) : head);
}

/** How much of a dump headLooksPasted reads. */
export const PASTE_HEAD_BYTES = HEAD;

/**
 * Reads `text` as a paste when it needs it; null when it is plain dump text the parser reads as it is
 * (so a large clean dump costs only a quick look).
 */
export function readPaste(text: string, file: string): PasteReading | null {
  // Cheap tests first: a 10,000-Service dump is ~40 MB, and pastes show their shape in their first lines.
  const grep = text.includes('grep') && /\bgrep\b/.test(text);
  const revision = text.includes('[unsupported revision]');
  const shaped = grep || QUICK.test(text.length > HEAD ? text.slice(0, HEAD) : text);
  if (!shaped) return revision ? unsupportedOnly(text, file) : null;
  return new PasteReader(text, file, grep).read();
}

/** A plain dump whose only oddity is `[unsupported revision]`: found by substring, the text kept. */
function unsupportedOnly(text: string, file: string): PasteReading {
  const lines: number[] = [];
  let line = 1;
  let from = 0;
  for (let at = text.indexOf(UNSUPPORTED); at >= 0; at = text.indexOf(UNSUPPORTED, at + 1)) {
    for (let nl = text.indexOf('\n', from); nl >= 0 && nl < at; nl = text.indexOf('\n', nl + 1)) line++;
    from = at;
    if (lines[lines.length - 1] !== line) lines.push(line);
  }
  return { text, diagnostics: [unsupportedDiag(file, lines)], partialBecause: [], explainedLines: new Set(lines) };
}

function unsupportedDiag(file: string, lines: readonly number[]): Diagnostic {
  const where = lines.length > 1 ? ` (${lines.length} lines: ${lines.slice(0, 8).join(', ')}${lines.length > 8 ? ', …' : ''})` : '';
  return {
    code: 'IPT_UNSUPPORTED_REVISION',
    severity: 'warning',
    span: { file, line: lines[0] ?? 1 },
    message: `"${UNSUPPORTED}"${where}: the iptables binary that printed this dump is older than the one that wrote the rules (a container image or distribution with an older iptables), so it could not print these targets. Print the dump with the node's own iptables (iptables-save on the node, or in kube-proxy's container); until then their outcome is unknown`,
  };
}

class PasteReader {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly partial = new Set<string>();
  private readonly explained = new Set<number>();
  private readonly seen = new Map<string, { line: number; block: number }>();
  private readonly merged: { line: number; first: number }[] = [];
  private readonly removed: number[] = [];
  private listing: { chain: string; cols: ListingColumns | null } | null = null;
  private block = 0;
  private noIfaces = false;
  private readonly revisions: number[] = [];
  private table = '?';

  constructor(
    private readonly text: string,
    private readonly file: string,
    grep: boolean,
  ) {
    if (grep) this.partial.add('it holds grep output');
  }

  read(): PasteReading {
    const diff = HUNK.test(this.text);
    if (diff) this.partial.add('it is a diff');
    const lines = this.text.split('\n');
    const out = lines.map((raw, k) => this.line(raw.replace(/\r$/, ''), k + 1, diff));
    if (this.merged.length > 0) {
      const list = this.merged.map((m) => `${m.line} (= ${m.first})`).join(', ');
      this.diag('IPT_LINES_MERGED', 'info', this.merged[0]!.line, `identical rule lines in several pasted blocks are one rule in the kernel: merged lines ${list}`);
    }
    if (this.revisions.length > 0) this.diagnostics.push(unsupportedDiag(this.file, this.revisions));
    if (this.removed.length > 0)
      this.diag('IPT_DIFF_REMOVED', 'info', this.removed[0]!, `a diff: the new side is read; ${this.removed.length} removed line(s) (${this.removed.slice(0, 8).join(', ')}${this.removed.length > 8 ? ', …' : ''}) are not on the node`);
    return { text: out.join('\n'), diagnostics: this.diagnostics, partialBecause: [...this.partial], explainedLines: this.explained };
  }

  private diag(code: DiagnosticCode, severity: Severity, line: number, message: string) {
    this.diagnostics.push({ code, severity, message, span: { file: this.file, line } });
  }

  private line(raw: string, n: number, diff: boolean): string {
    let line = raw;
    if (diff) {
      if (DIFF_HEADER.test(line)) return '';
      if (line.startsWith('-')) {
        this.removed.push(n);
        return '';
      }
      if (line.startsWith('+') || line.startsWith(' ')) line = line.slice(1);
    }
    const logged = LOG_PREFIX.exec(line);
    if (logged) {
      // kubectl logs / journald prefixes: what follows is what the command printed.
      this.diag('IPT_PREFIX_STRIPPED', 'info', n, `ignored "${logged[0].trim()}" before the text`);
      line = line.slice(logged[0].length);
    }
    if (line.trim() === '') {
      this.block++;
      if (this.listing) this.listing.cols = null;
      return '';
    }
    const listed = this.listingLine(line, n);
    if (listed !== null) return listed;
    if (line.includes('[unsupported revision]')) this.unsupported(n);
    const shell = SHELL.exec(line);
    if (PROMPT.test(line) && !/ip6?tables/.test(line)) {
      // `$ diff -u a b`, `$ kubectl …`: a command between blocks, not a rule.
      this.block++;
      this.listing = null;
      this.diag('IPT_SHELL_COMMAND', 'info', n, `shell command "${line.trim()}" noted`);
      return '';
    }
    if (shell && !RULE_AT.test(line)) {
      this.block++;
      this.listing = null;
      const t = /\s(?:-t|--table)(?:\s+|=)(\w+)/.exec(line);
      this.table = t ? t[1]! : /-save\b/.test(line) ? '?' : shell[1]!.includes('tables') ? 'filter' : '?';
      return line;
    }
    const numbered = NUMBERED.exec(line);
    if (numbered && !/^\s*-[AINP] /.test(line) && !/^\s*\[\d+:\d+\] -A /.test(line)) line = numbered[1]!;
    if (/^\*\w+\s*$/.test(line.trim())) this.table = line.trim().slice(1);
    const rule = RULE_AT.exec(line);
    if (!rule) {
      if (!line.startsWith(':') && !line.startsWith('-') && !line.startsWith('*') && !/^COMMIT/.test(line) && !line.startsWith('#')) this.block++;
      return line;
    }
    if (this.dedupe(rule[1]!, n)) return '';
    if (shell) return line;
    // `file:-A …`, `+-A …`, log prefixes: the parser wants the statement alone.
    const prefix = line.slice(0, line.length - rule[1]!.length).trim();
    if (prefix) this.diag('IPT_PREFIX_STRIPPED', 'info', n, `ignored "${prefix}" before the rule text`);
    return rule[1]!;
  }

  /** A listing's chain header, column header or rule line, as a statement; null for other lines. */
  private listingLine(line: string, n: number): string | null {
    const head = chainHeader(line);
    if (head) {
      this.partial.add('it is an iptables -L listing, not iptables-save');
      this.listing = { chain: head.chain, cols: null };
      this.block++;
      return head.statement;
    }
    if (!this.listing) return null;
    const cols = listingHeader(line);
    if (cols) {
      this.listing.cols = cols;
      if (!cols.ifaces && !this.noIfaces) {
        this.noIfaces = true;
        this.diag('IPT_LISTING_UNREAD', 'warning', n, 'iptables -L without -v prints no interfaces: rules that match -i/-o read as matching every interface. Paste `iptables -t TABLE -L -n -v` to see them');
      }
      return '';
    }
    if (!this.listing.cols) return null;
    const rule = listingRule(line, this.listing.chain, this.listing.cols);
    if (!rule) {
      this.listing = null;
      return null;
    }
    if (rule.unread !== null) {
      this.explained.add(n);
      this.diag('IPT_LISTING_UNREAD', 'warning', n, `listing text svcpath cannot read back into rule options: "${rule.unread}"; the rule is kept, and its unread part taken as "may match"`);
    }
    if (rule.statement.includes('[unsupported revision]')) this.unsupported(n);
    return this.dedupe(rule.statement, n) ? '' : rule.statement;
  }

  private unsupported(n: number) {
    this.explained.add(n);
    this.revisions.push(n);
  }

  /** True when the same rule already came in another pasted block: this copy is the same kernel rule. */
  private dedupe(statement: string, n: number): boolean {
    const key = `${this.table}|${statement.replace(/^\[\d+:\d+\] /, '')}`;
    const prev = this.seen.get(key);
    if (prev && prev.block !== this.block) {
      this.merged.push({ line: n, first: prev.line });
      this.partial.add('several pasted blocks repeat the same rules');
      return true;
    }
    if (!prev) this.seen.set(key, { line: n, block: this.block });
    return false;
  }
}
