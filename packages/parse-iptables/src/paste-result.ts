import type { Diagnostic, ParseResult } from './ast';
import type { PasteReading } from './paste';

const EXPLAINED = new Set(['IPT_UNKNOWN_MATCH', 'IPT_UNKNOWN_OPTION', 'IPT_UNKNOWN_TARGET']);

/**
 * The parse of a paste, with the paste's own findings: the parser's "unknown option" errors on lines
 * the paste reader already explained (unread listing text, `[unsupported revision]`) give way to that
 * explanation, and a paste that is not a whole dump says so once, at its first line.
 */
export function finishPaste(result: ParseResult, paste: PasteReading, file: string): ParseResult {
  const kept = result.diagnostics.filter((d) => !(EXPLAINED.has(d.code) && paste.explainedLines.has(d.span.line)));
  const because = [...paste.partialBecause];
  if (kept.some((d) => d.code === 'IPT_MISSING_CHAIN')) because.push('rules jump to chains it does not show');
  const partial: Diagnostic[] = because.length
    ? [
        {
          code: 'IPT_PARTIAL_PASTE',
          severity: 'warning',
          message: `this paste is not a whole iptables-save dump (${because.join('; ')}): what it does not show is reported as not in the paste, never taken as empty`,
          span: { file, line: 1 },
        },
      ]
    : [];
  const diagnostics = [...partial, ...[...kept, ...paste.diagnostics].sort((a, b) => a.span.line - b.span.line)];
  return { dump: result.dump, diagnostics };
}
