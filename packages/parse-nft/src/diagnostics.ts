import type { Diagnostic, Severity, Span } from './ast';

/**
 * The catalogue of diagnostic codes. Codes are stable: the UI and docs link to them, so rename
 * nothing; add new ones instead.
 */
export const NFT_CODES = {
  /** A rule statement or expression was not understood; it is kept as `unparsed`. */
  NFT_UNKNOWN_STATEMENT: 'error',
  /** A top-level line or `add …` command was not understood; kept in `ruleset.unparsed`. */
  NFT_UNKNOWN_COMMAND: 'error',
  /** A table item (flowtable, named counter, quota, …) that svcpath does not model; kept. */
  NFT_UNSUPPORTED_TABLE_ITEM: 'warning',
  /** A set/map property or element that was not understood. */
  NFT_BAD_SET: 'error',
  /** A chain header (`type … hook … priority …`) that could not be read. */
  NFT_BAD_CHAIN_HEADER: 'error',
  /** An iptables-nft extension (`xt match recent`, `# xt_…`): nft itself cannot show it. */
  NFT_XT_EXPRESSION: 'warning',
  /** A `{` with no matching `}` (truncated or damaged dump). */
  NFT_UNCLOSED_BLOCK: 'error',
  /** A token where none was expected (stray `}`, missing name). */
  NFT_UNEXPECTED_TOKEN: 'error',
  NFT_UNTERMINATED_STRING: 'error',
  /** A value that should be an address, prefix or number but is not. */
  NFT_BAD_VALUE: 'error',
  /** A jump, goto or verdict-map element names a chain that does not exist in the table. */
  NFT_UNDEFINED_CHAIN: 'warning',
  /** A rule refers to `@name` but no such set or map exists in the table. */
  NFT_UNDEFINED_SET: 'warning',
  /** A transaction adds to a chain or set that was never created. */
  NFT_UNDECLARED_OBJECT: 'warning',
  /** A transaction command svcpath does not replay (`list`, `reset`, `rename`, …). */
  NFT_UNSUPPORTED_COMMAND: 'warning',
  /** The parser itself failed; the input up to that point is kept. Always a bug in svcpath. */
  NFT_INTERNAL: 'error',
  NFT_JSON_SYNTAX: 'error',
  /** Text after the JSON document, such as iptables-nft's `# Warning: …` lines. */
  NFT_JSON_TRAILING_TEXT: 'warning',
  /** A JSON object whose shape is not the one `nft -j` prints. */
  NFT_JSON_BAD_SHAPE: 'error',
  /** A JSON object kind that svcpath does not model (flowtable, counter, …). */
  NFT_JSON_UNSUPPORTED_OBJECT: 'warning',
  /** A chain, set or map pasted without its `table … {` line; read into an assumed table. */
  NFT_TABLE_ASSUMED: 'warning',
} as const satisfies Record<string, Severity>;

export type NftCode = keyof typeof NFT_CODES;

export function diag(code: NftCode, message: string, span: Span): Diagnostic {
  return { code, severity: NFT_CODES[code], message, span };
}

/** Collects diagnostics; passed down the parser instead of throwing. */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  add(code: NftCode, message: string, span: Span): void {
    this.list.push(diag(code, message, span));
  }
}
