import type { Span } from './source-text';

/**
 * Stable diagnostic codes. Codes never change meaning; add new ones rather than reuse.
 * IPVS_* come from ipvsadm dumps, IPSET_* from ipset dumps.
 */
export type DiagnosticCode =
  | 'IPVS_UNKNOWN_LINE'
  | 'IPVS_BAD_ADDRESS'
  | 'IPVS_BAD_NUMBER'
  | 'IPVS_UNKNOWN_OPTION'
  | 'IPVS_MISSING_SERVICE'
  | 'IPVS_ORPHAN_REAL_SERVER'
  | 'IPVS_DUPLICATE_SERVICE'
  | 'IPVS_MIXED_FORMATS'
  | 'IPVS_COLUMNS_MISSING'
  | 'IPSET_UNKNOWN_LINE'
  | 'IPSET_UNKNOWN_SET'
  | 'IPSET_BAD_MEMBER'
  | 'IPSET_UNKNOWN_TYPE'
  | 'IPSET_DUPLICATE_SET';

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
}

/** Input kept verbatim because it was not understood; reaches the tracer as "unknown — may match". */
export interface Unparsed {
  readonly kind: 'unparsed';
  readonly raw: string;
  readonly span: Span;
  readonly reason: DiagnosticCode;
}

export function diagnostic(code: DiagnosticCode, message: string, span: Span, severity: Severity = 'error'): Diagnostic {
  return { code, severity, message, span };
}
