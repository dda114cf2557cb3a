import {
  BUILTIN_CHAINS,
  type Chain,
  type Counters,
  type Diagnostic,
  type DiagnosticCode,
  type IptablesDump,
  type JumpGraph,
  type ParseResult,
  type Rule,
  type Severity,
  type Table,
  type UnparsedLine,
} from './ast';
import { parseRuleBody, type ParsedRuleBody } from './parse-rule';
import { LazyRule, splitRuleHead, type CleanShape, type RuleSource } from './rule';
import { inferRuleTable, type PendingRule } from './infer-table';
import { tokenize, type Token } from './tokenize';
import { readPaste } from './paste';
import { finishPaste } from './paste-result';

const STATEMENT =
  /(^|\s)(\*(?:filter|nat|mangle|raw|security)\s*$|:[^\s:]+ (?:ACCEPT|DROP|RETURN|-) \[\d+:\d+\]|\[\d+:\d+\] -[AI] |-[AINP] \S|COMMIT\s*$)/;
const CHAIN_LINE = /^:(\S+) (\S+) \[(\d+):(\d+)\]\s*$/;
const SHELL = /(?:^|[\s$#>])(?:sudo\s+(?:-\S+\s+)*)?(ip6?tables(?:-legacy|-nft)?(?:-save|-restore)?)(?=\s|$)/;

export interface ParseOptions {
  /** The name shown in every diagnostic and span (the uploaded file's name). */
  readonly file: string;
  /**
   * Locate rules now, read each rule's body when first asked for (a trace walking its chain).
   * `diagnostics` then holds only line-level findings; `completeDiagnostics(dump)` adds the rest.
   */
  readonly lazy?: boolean;
  /** The text is already dump statements (set when a paste was read; see paste.ts). */
  readonly statements?: boolean;
}

/**
 * Parses `iptables-save` output — and the messy things people paste instead: `iptables -S` (`-P`/`-N`
 * lines, no `*table`), `iptables-save -c` counters, shell prompts and log prefixes, grep fragments.
 * Never throws. Every rule keeps its line; lines not understood are kept in `unparsed` and reported.
 */
export function parseIptablesSave(text: string, options: ParseOptions): ParseResult {
  const paste = options.statements ? null : readPaste(text, options.file);
  if (paste) return finishPaste(parseIptablesSave(paste.text, { ...options, statements: true }), paste, options.file);
  const file = options.file;
  const diagnostics: Diagnostic[] = [];
  const unparsed: UnparsedLine[] = [];
  const tables = new Map<string, Table>();
  const chainsById = new Map<string, Chain>();
  const pending: PendingRule[] = [];
  const pendingDecls: { chain: string; policy: 'ACCEPT' | 'DROP' | null; line: number; counters: Counters | null }[] = [];
  let table: Table | null = null;
  let commandTable: string | null = null;
  let family: 4 | 6 | null = null;
  let ruleCount = 0;
  let lastChain: Chain | null = null;
  let lastTable: Table | null = null;
  // The source the whole dump's rules of the chain last read share (see LazyRule).
  let lastSourceChain: Chain | null = null;
  let lastSource: RuleSource | null = null;
  // The fast path's run of rules for one chain, added to it when the run ends: a chain's rules
  // array then has the size it needs (a 10,000-Service dump has ~120,000 chains of 1 to 3 rules).
  const run: LazyRule[] = [];
  let runChain: Chain | null = null;
  let openTableLine = 0;

  const diag = (code: DiagnosticCode, severity: Severity, line: number, message: string) =>
    diagnostics.push({ code, severity, message, span: { file, line } });

  const getTable = (name: string, line: number | null): Table => {
    let t = tables.get(name);
    if (!t) {
      t = { name, span: line === null ? null : { file, line }, chains: new Map() };
      tables.set(name, t);
    }
    return t;
  };

  let pos = 0;
  let lineNo = 0;
  for (; pos <= text.length; ) {
    let next = text.indexOf('\n', pos);
    if (next < 0) next = text.length;
    let end = next;
    if (end > pos && text.charCodeAt(end - 1) === 13) end--;
    const start = pos;
    pos = next + 1;
    lineNo++;
    // Fast path: the bulk of a dump is "-A CHAIN ..." or "[p:b] -A CHAIN ..." lines of a known table.
    if (table && fastRule(start, end, lineNo)) continue;
    flushRun();
    if (table && text.charCodeAt(start) === 58 /* : */ && fastChain(start, end, lineNo)) continue;
    const original = text.slice(start, end);
    if (original.startsWith('-A ') || (original.startsWith('[') && /^\[\d+:\d+\] -A /.test(original))) {
      readRuleLine(original, lineNo, table?.name ?? commandTable);
      continue;
    }
    if (table && original.startsWith(':')) {
      const m = CHAIN_LINE.exec(original);
      if (m) {
        declare(table, m[1]!, m[2] === 'ACCEPT' || m[2] === 'DROP' ? m[2] : null, { packets: Number(m[3]), bytes: Number(m[4]) }, lineNo);
        continue;
      }
    }
    if (original.trim() === '') continue;
    let stmt = original.trim();
    if (stmt.startsWith('#') && !/^#\s*(sudo\s+)?ip6?tables/.test(stmt)) {
      if (/^# Warning: iptables-legacy tables present/.test(stmt))
        diag('IPT_BACKEND_NOTE', 'info', lineNo, 'iptables-save says iptables-legacy tables also hold rules on this node: both sets of tables run, dump both (iptables-legacy-save)');
      continue;
    }
    const shell = SHELL.exec(stmt);
    let lineTable: string | null = null;
    const located = STATEMENT.exec(stmt);
    if (shell && (!located || shell.index <= located.index)) {
      if (shell[1]!.startsWith('ip6')) family = 6;
      const t = /\s(?:-t|--table)(?:\s+|=)(\w+)/.exec(stmt);
      if (!located) {
        commandTable = t ? t[1]! : shell[1]!.endsWith('-save') ? null : 'filter';
        diag('IPT_SHELL_COMMAND', 'info', lineNo, `shell command "${stmt}" noted${commandTable ? `; following rules are read as table ${commandTable}` : ''}`);
        continue;
      }
      lineTable = t ? t[1]! : 'filter';
    }
    if (located && located.index + located[1]!.length > 0) {
      const start = located.index + located[1]!.length;
      diag('IPT_PREFIX_STRIPPED', 'info', lineNo, `ignored "${stmt.slice(0, start).trim()}" before the rule text`);
      stmt = stmt.slice(start);
    } else if (!located) {
      diag('IPT_UNKNOWN_LINE', 'error', lineNo, `not an iptables-save line (expected *table, :CHAIN POLICY [p:b], -A CHAIN ..., -P, -N or COMMIT): "${original.trim()}"`);
      unparsed.push({ span: { file, line: lineNo }, raw: original });
      continue;
    }

    if (stmt.startsWith('*')) {
      table = getTable(stmt.slice(1).trim(), lineNo);
      openTableLine = lineNo;
      continue;
    }
    if (/^COMMIT\s*$/.test(stmt)) {
      table = null;
      continue;
    }
    const { tokens, unterminated } = tokenize(stmt);
    const head = tokens[0]!.text;

    if (head.startsWith(':')) {
      const m = /^:(\S+) (\S+) \[(\d+):(\d+)\]/.exec(stmt)!;
      const policy = m[2] === 'ACCEPT' || m[2] === 'DROP' ? m[2] : null;
      const counters = { packets: Number(m[3]), bytes: Number(m[4]) };
      const explicit = table ?? (lineTable ?? commandTable ? getTable((lineTable ?? commandTable)!, null) : null);
      if (explicit) declare(explicit, m[1]!, policy, counters, lineNo);
      else pendingDecls.push({ chain: m[1]!, policy, line: lineNo, counters });
      continue;
    }

    const explicitTable = table?.name ?? lineTable ?? commandTable;
    const verb = (/^\[\d+:\d+\]$/.test(head) ? tokens[1] : tokens[0])?.text;
    if (verb === '-A' || verb === '-I') {
      readRuleLine(stmt, lineNo, explicitTable);
      continue;
    }
    if (unterminated) diag('IPT_UNTERMINATED_QUOTE', 'error', lineNo, 'a quote is not closed; the rest of the line was read as one word');
    let counters: Counters | null = null;
    let rest: Token[] = tokens;
    const cm = /^\[(\d+):(\d+)\]$/.exec(head);
    if (cm) {
      counters = { packets: Number(cm[1]), bytes: Number(cm[2]) };
      rest = tokens.slice(1);
    }
    const chainName = rest[1]?.text ?? '';
    if (verb === '-P' || verb === '-N') {
      const policyWord = rest[2]?.text;
      const policy = verb === '-P' && (policyWord === 'ACCEPT' || policyWord === 'DROP') ? policyWord : null;
      const pc = counters ?? (rest[3]?.text === '-c' ? { packets: Number(rest[4]?.text), bytes: Number(rest[5]?.text) } : null);
      if (explicitTable) declare(getTable(explicitTable, null), chainName, policy, pc, lineNo);
      else pendingDecls.push({ chain: chainName, policy, line: lineNo, counters: pc });
      continue;
    }
    diag('IPT_UNKNOWN_LINE', 'error', lineNo, `not an iptables-save line (expected *table, :CHAIN POLICY [p:b], -A CHAIN ..., -P, -N or COMMIT): "${original.trim()}"`);
    unparsed.push({ span: { file, line: lineNo }, raw: original });
  }
  flushRun();
  if (table) diag('IPT_NO_COMMIT', 'info', openTableLine, `table ${table.name} has no COMMIT line (a partial dump?)`);

  if (pending.length > 0 || pendingDecls.length > 0) {
    const counts = new Map<string, number>();
    const assigned = inferRuleTable(pending);
    pending.forEach((pr, k) => {
      const t = assigned[k]!;
      counts.set(t, (counts.get(t) ?? 0) + 1);
      addRule(getTable(t, null), pr, true);
    });
    const only = counts.size === 1 ? [...counts.keys()][0]! : null;
    for (const d of pendingDecls) {
      const home = [...tables.values()].find((t) => t.chains.has(d.chain)) ?? getTable(only ?? inferRuleTable([], d.chain)[0] ?? 'filter', null);
      declare(home, d.chain, d.policy, d.counters, d.line);
    }
    const summary = [...counts].map(([t, n]) => `${t}: ${n}`).join(', ');
    const first = pending[0]?.line ?? pendingDecls[0]?.line ?? 1;
    diag('IPT_TABLE_INFERRED', 'warning', first, `no *table header: the table of ${pending.length} rules was inferred from chain names and targets (${summary || 'declarations only'})`);
  }
  const dump: IptablesDump = { file, family: family ?? 4, tables, chainsById, unparsed, ruleCount };
  if (options.lazy) return { dump, diagnostics };
  const complete = completeDump(dump);
  return { dump: { ...dump, jumpGraph: complete.jumpGraph }, diagnostics: [...diagnostics, ...complete.diagnostics] };

  function declare(t: Table, name: string, policy: 'ACCEPT' | 'DROP' | null, counters: Counters | null, line: number) {
    const existing = t.chains.get(name);
    const builtin = (BUILTIN_CHAINS[t.name] ?? []).includes(name);
    const chain: Chain = { id: `${t.name}/${name}`, table: t.name, name, builtin, policy: builtin ? (policy ?? 'ACCEPT') : null, counters, span: { file, line }, rules: existing?.rules ?? [] };
    t.chains.set(name, chain);
    chainsById.set(chain.id, chain);
  }

  function addRule(t: Table, pr: PendingRule, tableInferred: boolean) {
    // iptables-save groups a chain's rules, so the previous rule's chain is usually this one.
    let chain = lastTable === t && lastChain?.name === pr.chain ? lastChain : t.chains.get(pr.chain);
    if (!chain) {
      const builtin = (BUILTIN_CHAINS[t.name] ?? []).includes(pr.chain);
      chain = { id: `${t.name}/${pr.chain}`, table: t.name, name: pr.chain, builtin, policy: builtin ? 'ACCEPT' : null, counters: null, span: null, rules: [] };
      t.chains.set(pr.chain, chain);
      chainsById.set(chain.id, chain);
      if (t.span !== null && !builtin) diag('IPT_UNDECLARED_CHAIN', 'info', pr.line, `chain ${pr.chain} has rules but no ":${pr.chain}" declaration in table ${t.name}`);
    }
    lastChain = chain;
    lastTable = t;
    const at = pr.insertAt === null ? chain.rules.length : Math.min(Math.max(pr.insertAt - 1, 0), chain.rules.length);
    const known = pr.parsed as ParsedRuleBody | null;
    const source: RuleSource = { table: t.name, chain: pr.chain, file, text: pr.raw, tableInferred };
    const rule = new LazyRule(source, at + 1, pr.line, 0, pr.raw.length, pr.counters, pr.bodyAt, known);
    if (at === chain.rules.length) chain.rules.push(rule);
    else {
      chain.rules.splice(at, 0, rule);
      chain.rules.forEach((r, k) => ((r as { index: number }).index = k + 1));
    }
  }

  /** Adds the fast path's run of rules to its chain (before anything else reads or adds rules). */
  function flushRun() {
    if (runChain === null) return;
    if (runChain.rules.length === 0) (runChain as { rules: Rule[] }).rules = run.slice();
    else for (const r of run) runChain.rules.push(r);
    run.length = 0;
    runChain = null;
  }

  /** `:NAME POLICY [p:b]` at text[start, end), read by offsets; false for anything else. */
  function fastChain(start: number, end: number, lineNo: number): boolean {
    const sp = text.indexOf(' ', start);
    if (sp < 0 || sp > end) return false;
    const sp2 = text.indexOf(' ', sp + 1);
    if (sp2 < 0 || sp2 > end || text.charCodeAt(sp2 + 1) !== 91 || text.charCodeAt(end - 1) !== 93) return false;
    const counters = readCounters(text, sp2 + 1, end);
    if (!counters) return false;
    const policy = text.slice(sp + 1, sp2);
    declare(table!, text.slice(start + 1, sp), policy === 'ACCEPT' || policy === 'DROP' ? policy : null, counters, lineNo);
    return true;
  }

  /**
   * `-A CHAIN body` or `[p:b] -A CHAIN body` at text[start, end) appended to a known table's chain,
   * read by offsets alone. False when the line is anything else (the general path takes it).
   */
  function fastRule(start: number, end: number, lineNo: number): boolean {
    let at = start;
    let counters: Counters | null = null;
    if (text.charCodeAt(at) === 91 /* [ */) {
      const close = text.indexOf('] -A ', at);
      if (close < 0 || close > end) return false;
      counters = readCounters(text, at, close + 1);
      if (!counters) return false;
      at = close + 2;
    }
    if (!text.startsWith('-A ', at)) return false;
    const nameAt = at + 3;
    let sp = text.indexOf(' ', nameAt);
    if (sp < 0 || sp > end) sp = end;
    const t = table!;
    let chain = lastTable === t && lastChain !== null && sp - nameAt === lastChain.name.length && text.startsWith(lastChain.name, nameAt) ? lastChain : undefined;
    if (!chain) {
      chain = t.chains.get(text.slice(nameAt, sp));
      if (!chain) return false;
    }
    if (chain !== lastSourceChain) {
      lastSourceChain = chain;
      lastSource = { table: t.name, chain: chain.name, file, text, tableInferred: false };
    }
    if (chain !== runChain) {
      flushRun();
      runChain = chain;
    }
    lastChain = chain;
    lastTable = t;
    ruleCount++;
    run.push(new LazyRule(lastSource!, chain.rules.length + run.length + 1, lineNo, at, end, counters, Math.min(sp + 1, end), null));
    if (family === null) family = familyOf(text.slice(Math.min(sp + 1, end), end));
    return true;
  }

  /** One `[p:b] -A CHAIN ...` or `-I CHAIN [n] ...` statement, located now and read when needed. */
  function readRuleLine(stmt: string, lineNo: number, explicitTable: string | null) {
    const head = splitRuleHead(stmt);
    ruleCount++;
    // Pastes without a table need each rule's target to place it; the first rule tells the family.
    const parsed = !explicitTable ? parseBody(head.raw.slice(head.bodyAt)) : null;
    if (family === null) family = parsed ? (firstFamily(parsed.matches) ?? null) : familyOf(head.raw.slice(head.bodyAt));
    const pr: PendingRule = { chain: head.chain, line: lineNo, raw: head.raw, bodyAt: head.bodyAt, counters: head.counters, insertAt: head.insertAt, parsed: parsed as ParsedRuleBody };
    if (explicitTable) addRule(tables.get(explicitTable) ?? getTable(explicitTable, null), pr, false);
    else pending.push(pr);
  }
}

const ZERO: Counters = Object.freeze({ packets: 0, bytes: 0 });

/** `[p:b]` at text[from, to): most dumps say `[0:0]`, which shares one object. */
function readCounters(text: string, from: number, to: number): Counters | null {
  if (to - from === 5 && text.startsWith('[0:0]', from)) return ZERO;
  const colon = text.indexOf(':', from);
  if (colon < 0 || colon > to) return null;
  const packets = Number(text.slice(from + 1, colon));
  const bytes = Number(text.slice(colon + 1, to - 1));
  return Number.isInteger(packets) && Number.isInteger(bytes) ? { packets, bytes } : null;
}

const ADDRESS_OPTION = /(?:^|\s)(?:-s|-d|--source|--destination|--src|--dst)\s/;

/** The family a rule body's first address tells (read only when it has one), else null. */
export function familyOf(body: string): 4 | 6 | null {
  return ADDRESS_OPTION.test(body) ? (firstFamily(parseBody(body).matches) ?? null) : null;
}

function firstFamily(matches: readonly { kind: string; cidr?: { family: 4 | 6 } }[]): 4 | 6 | undefined {
  for (const m of matches) if (m.kind === 'addr' && m.cidr) return m.cidr.family;
  return undefined;
}

/**
 * Reads every rule body not yet read and returns what was not understood in them, plus jumps to
 * chains the dump does not have. A lazily parsed dump is complete after this.
 */
export function completeDiagnostics(dump: IptablesDump): Diagnostic[] {
  return completeDump(dump).diagnostics;
}

/**
 * completeDiagnostics, and the dump's jumps by number as it checks them (see JumpGraph): the
 * tracer's structure check then walks numbers instead of every rule, as for a scanned dump.
 */
function completeDump(dump: IptablesDump): { diagnostics: Diagnostic[]; jumpGraph: JumpGraph } {
  const out: Diagnostic[] = [];
  const cleanShapes = new Map<number, CleanShape>();
  for (const t of dump.tables.values())
    for (const chain of t.chains.values())
      for (const r of chain.rules) {
        // A LazyRule checks its body without keeping it, and rules of a shape already read cleanly not at all.
        const problems = r instanceof LazyRule ? r.validate(cleanShapes) : r.problems;
        for (const p of problems) out.push({ code: p.code, severity: p.severity, message: p.message, span: r.span });
      }
  out.sort((a, b) => a.span.line - b.span.line);
  const graph = new ParsedJumpGraph(dump);
  for (const t of dump.tables.values()) {
    const reported = new Set<string>();
    for (const chain of t.chains.values()) {
      const names = graph.open(chain);
      for (const r of chain.rules) {
        const jump = r instanceof LazyRule ? r.jumpTarget() : r.target?.kind === 'jump' || r.target?.kind === 'goto' ? r.target.chain : null;
        if (jump === null) continue;
        const to = names.get(jump);
        if (to !== undefined) graph.edge(to);
        if (to !== undefined || reported.has(jump)) continue;
        reported.add(jump);
        out.push({
          code: 'IPT_MISSING_CHAIN',
          severity: 'warning',
          message: `rule jumps to ${jump}, which is not in table ${t.name} of this dump (a fragment?); a trace that reaches it says so instead of guessing`,
          span: r.span,
        });
      }
    }
  }
  return { diagnostics: out, jumpGraph: graph };
}

/**
 * A parsed dump's chains numbered in chainsById's order, with their jumps as completeDump meets
 * them: each table's chain names map to numbers, so a jump is one lookup.
 */
class ParsedJumpGraph implements JumpGraph {
  readonly size: number;
  readonly edgeStart: Int32Array;
  readonly edgeEnd: Int32Array;
  edgeTo: Int32Array;
  private readonly chains: Chain[];
  private readonly byTable = new Map<string, Map<string, number>>();
  private from = -1;
  private edges = 0;

  constructor(dump: IptablesDump) {
    this.chains = [...dump.chainsById.values()];
    this.chains.forEach((c, k) => {
      let names = this.byTable.get(c.table);
      if (!names) this.byTable.set(c.table, (names = new Map()));
      names.set(c.name, k);
    });
    this.size = this.chains.length;
    this.edgeStart = new Int32Array(this.size);
    this.edgeEnd = new Int32Array(this.size);
    this.edgeTo = new Int32Array(Math.max(16, dump.ruleCount));
  }

  /** The chain whose rules' jumps come next; the numbers of its table's chains by name. */
  open(chain: Chain): ReadonlyMap<string, number> {
    const names = this.byTable.get(chain.table) ?? NO_NAMES;
    this.from = names.get(chain.name) ?? -1;
    if (this.from >= 0) this.edgeStart[this.from] = this.edgeEnd[this.from] = this.edges;
    return names;
  }

  /** A jump of the open chain's rule to chain number `to`. */
  edge(to: number): void {
    if (this.from < 0) return;
    if (this.edges === this.edgeTo.length) {
      const grown = new Int32Array(this.edges * 2);
      grown.set(this.edgeTo);
      this.edgeTo = grown;
    }
    this.edgeTo[this.edges++] = to;
    this.edgeEnd[this.from] = this.edges;
  }

  numberOf(id: string): number {
    const slash = id.indexOf('/');
    return slash < 0 ? -1 : (this.byTable.get(id.slice(0, slash))?.get(id.slice(slash + 1)) ?? -1);
  }

  chain(k: number): Chain {
    return this.chains[k]!;
  }
}

const NO_NAMES: ReadonlyMap<string, number> = new Map();

function parseBody(body: string): ParsedRuleBody {
  const { tokens, unterminated } = tokenize(body);
  const parsed = parseRuleBody(tokens);
  if (unterminated) parsed.problems.unshift({ code: 'IPT_UNTERMINATED_QUOTE', severity: 'error', message: 'a quote is not closed; the rest of the line was read as one word' });
  return parsed;
}
