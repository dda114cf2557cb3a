import { diagnostic } from './diagnostic';
import { readListServer, readListService, listVariantOfTitle } from './ipvsadm-list';
import { readSaveLine } from './ipvsadm-save';
import type { IpvsadmFormat, IpvsadmParseResult, ListVariant } from './ipvs-types';
import { freezeDraft, ServiceTable, type ServiceDraft } from './service-draft';
import { sourceLines, type Span } from './source-text';

export interface ParseOptions {
  /** Name used in spans, e.g. `node-1/ipvsadm-Sn.txt`. */
  readonly file: string;
}

const VERSION = /^IP Virtual Server version (\S+)(?: \(size=(\d+)\))?/;
const SAVE_CMD = /^(-A|-a|--add-service|--add-server)$/;

/**
 * Parses `ipvsadm -Sn` (save: `-A -t ...` / `-a -t ... -r ...`) or `ipvsadm -Ln` (list, with or
 * without --stats / --rate / --thresholds / --persistent-conn / --exact) into virtual services.
 * The format is recognised per line, so a file holding both is read (with IPVS_MIXED_FORMATS).
 * Never throws: lines it cannot read become `unparsed` with a diagnostic.
 */
export function parseIpvsadm(text: string, options: ParseOptions): IpvsadmParseResult {
  const table = new ServiceTable();
  let variant: ListVariant | null = null;
  let version: IpvsadmParseResult['version'] = null;
  let current: ServiceDraft | null = null;
  const seen = new Set<'save' | 'list'>();
  const lines = sourceLines(text, options.file);
  for (const line of lines) {
    const trimmed = line.text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const tokens = trimmed.split(/\s+/);
    const first = tokens[0]!;
    if (SAVE_CMD.test(first)) {
      seen.add('save');
      readSaveLine(line, tokens, table);
      continue;
    }
    const v = VERSION.exec(trimmed);
    if (v) {
      version = { text: v[1]!, tableSize: v[2] === undefined ? null : Number(v[2]) };
      seen.add('list');
      continue;
    }
    const title = listVariantOfTitle(trimmed);
    if (title) {
      variant = title;
      seen.add('list');
      continue;
    }
    if (/^-> RemoteAddress:Port\b/.test(trimmed)) continue;
    if (first === '->') {
      readListServer(line, tokens, variant ?? 'plain', current, table);
      continue;
    }
    if (/^(TCP|UDP|SCTP|FWM)$/.test(first)) {
      seen.add('list');
      current = readListService(line, tokens, variant ?? 'plain', table);
      continue;
    }
    table.reject(line, 'IPVS_UNKNOWN_LINE', `not an ipvsadm -Sn or -Ln line`);
  }
  const whole = { file: options.file, start: lines[0]!.span.start, end: lines[lines.length - 1]!.span.end };
  return finish(table, seen, variant, version, whole);
}

function finish(
  table: ServiceTable,
  seen: Set<'save' | 'list'>,
  variant: ListVariant | null,
  version: IpvsadmParseResult['version'],
  whole: Span,
): IpvsadmParseResult {
  const diagnostics = [...table.diagnostics];
  if (seen.size > 1) {
    diagnostics.push(diagnostic('IPVS_MIXED_FORMATS', 'input mixes ipvsadm -Sn and -Ln output', whole, 'warning'));
  }
  const virtualServices = table.drafts.map(freezeDraft);
  if (virtualServices.some((vs) => vs.realServers.some((rs) => rs.assumed))) {
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
