import { diagnostic } from './diagnostic';
import { parseIP } from '@svcpath/netaddr';
import { parseHostPort } from './ipvs-fields';
import { readListServer, readListService, listVariantOfTitle } from './ipvsadm-list';
import { readSaveLine, readServerAgain } from './ipvsadm-save';
import type { IpvsadmFormat, IpvsadmParseResult, ListVariant, VirtualService } from './ipvs-types';
import { flagOf, isPlainServerLine, plainServiceLine, type PlainService } from './plain-save-line';
import { PendingServers, ServiceDraft, ServiceTable } from './service-draft';
import { lineAt, lineEnd, nextLineStart, type SourceLine, type Span, type TextSource } from './source-text';

export interface ParseOptions {
  /** Name used in spans, e.g. `node-1/ipvsadm-Sn.txt`. */
  readonly file: string;
}

const VERSION = /^IP Virtual Server version (\S+)(?: \(size=(\d+)\))?/;
const SAVE_CMD = /^(-A|-a|--add-service|--add-server)$/;

/** What the reader knows between lines. */
interface ReadState {
  readonly table: ServiceTable;
  readonly seen: Set<'save' | 'list'>;
  variant: ListVariant | null;
  version: IpvsadmParseResult['version'];
  /** The -Ln service the following `->` lines belong to. */
  current: ServiceDraft | null;
  /** The last -Sn service whose `-a` lines may be checked in place. */
  plain: PlainService | null;
}

/**
 * Parses `ipvsadm -Sn` (save: `-A -t ...` / `-a -t ... -r ...`) or `ipvsadm -Ln` (list, with or
 * without --stats / --rate / --thresholds / --persistent-conn / --exact) into virtual services.
 * The format is recognised per line, so a file holding both is read (with IPVS_MIXED_FORMATS).
 * Never throws: lines it cannot read become `unparsed` with a diagnostic.
 *
 * Every line is checked here, so every diagnostic is reported at once. `-Sn` real servers are read
 * into objects when their virtual service's `realServers` is first asked for (the same reading).
 */
export function parseIpvsadm(text: string, options: ParseOptions): IpvsadmParseResult {
  return readIpvsadm(text, options, true);
}

/**
 * {@link parseIpvsadm} with every line through the full reader, none recognised in place: the
 * reading the in-place checks must agree with (tests compare the two).
 */
export function parseIpvsadmLineByLine(text: string, options: ParseOptions): IpvsadmParseResult {
  return readIpvsadm(text, options, false);
}

function readIpvsadm(text: string, options: ParseOptions, inPlace: boolean): IpvsadmParseResult {
  const source: TextSource = { text, file: options.file };
  const st: ReadState = { table: new ServiceTable(source, new PendingServers(source, readServerAgain)), seen: new Set(), variant: null, version: null, current: null, plain: null };
  // Lines as sourceLines cuts them (LF or CRLF; no empty last line after a final newline).
  let pos = 0;
  let lineNo = 1;
  let lastStart = 0;
  let lastEnd = 0;
  let lastLine = 1;
  for (;;) {
    const end = lineEnd(text, pos);
    const next = nextLineStart(text, end);
    if (!(next > text.length && pos === text.length && lineNo > 1)) {
      lastStart = pos;
      lastEnd = end;
      lastLine = lineNo;
      if (!(inPlace && readPlainLine(st, source, pos, end, next, lineNo))) readLine(st, lineAt(source, pos, end, lineNo), next);
    }
    if (next > text.length) break;
    pos = next;
    lineNo++;
  }
  const whole: Span = { file: options.file, start: { offset: 0, line: 1, column: 1 }, end: { offset: lastEnd, line: lastLine, column: lastEnd - lastStart + 1 } };
  return finish(st, whole);
}

/** Reads an everyday -Sn line in place; false when the line needs the full reader. */
function readPlainLine(st: ReadState, source: TextSource, start: number, end: number, next: number, lineNo: number): boolean {
  const text = source.text;
  if (st.plain && isPlainServerLine(text, start, st.plain)) {
    st.seen.add('save');
    st.plain.draft.defer(st.table.pending, start, next, lineNo);
    return true;
  }
  const svc = plainServiceLine(text, start);
  const vip = svc ? parseIP(svc.host) : null;
  if (!svc || !vip) return false;
  st.seen.add('save');
  const d = new ServiceDraft(source, start, end, lineNo, { protocol: svc.protocol, family: vip.family, vip, port: svc.port, fwmark: null });
  d.scheduler = svc.scheduler;
  st.plain = st.table.add(d) ? { draft: d, flag: flagOf(svc.protocol), token: svc.token } : st.plain;
  return true;
}

/** Reads one line with the full readers (`next`: where the line after it starts). */
function readLine(st: ReadState, line: SourceLine, next: number): void {
  const trimmed = line.text.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return;
  const tokens = trimmed.split(/\s+/);
  const first = tokens[0]!;
  if (SAVE_CMD.test(first)) {
    st.seen.add('save');
    const added = readSaveLine(line, next, tokens, st.table);
    if (added) st.plain = plainServiceOf(added, tokens) ?? st.plain;
    return;
  }
  const v = VERSION.exec(trimmed);
  if (v) {
    st.version = { text: v[1]!, tableSize: v[2] === undefined ? null : Number(v[2]) };
    st.seen.add('list');
    return;
  }
  const title = listVariantOfTitle(trimmed);
  if (title) {
    st.variant = title;
    st.seen.add('list');
    return;
  }
  if (/^-> RemoteAddress:Port\b/.test(trimmed)) return;
  if (first === '->') {
    readListServer(line, tokens, st.variant ?? 'plain', st.current, st.table);
    return;
  }
  if (/^(TCP|UDP|SCTP|FWM)$/.test(first)) {
    st.seen.add('list');
    st.current = readListService(line, tokens, st.variant ?? 'plain', st.table);
    return;
  }
  st.table.reject(line, 'IPVS_UNKNOWN_LINE', `not an ipvsadm -Sn or -Ln line`);
}

/** `-A -t|-u <token> ...` whose token names exactly the service the line made, for in-place `-a` checks. */
function plainServiceOf(d: ServiceDraft, tokens: readonly string[]): PlainService | null {
  const flag = flagOf(d.protocol);
  const token = tokens[2];
  if (flag === 0 || token === undefined || tokens[1] !== (flag === 116 ? '-t' : '-u')) return null;
  const hp = parseHostPort(token);
  return hp && hp.ip.text === d.vip?.text && hp.port === d.port ? { draft: d, flag, token } : null;
}

function finish(st: ReadState, whole: Span): IpvsadmParseResult {
  const { table, seen, variant, version } = st;
  const diagnostics = [...table.diagnostics];
  if (seen.size > 1) {
    diagnostics.push(diagnostic('IPVS_MIXED_FORMATS', 'input mixes ipvsadm -Sn and -Ln output', whole, 'warning'));
  }
  const virtualServices: readonly VirtualService[] = table.drafts;
  if (table.assumed) {
    diagnostics.push(
      diagnostic(
        'IPVS_COLUMNS_MISSING',
        `ipvsadm -Ln --${variant ?? 'plain'} does not print weight/forwarding; weight 1 and route were assumed (see RealServer.assumed)`,
        whole,
        'info',
      ),
    );
  }
  const format: IpvsadmFormat = seen.has('save') ? 'save' : seen.has('list') ? 'list' : 'empty';
  return { format, listVariant: seen.has('list') ? (variant ?? 'plain') : null, version, virtualServices, unparsed: table.unparsed, diagnostics };
}
