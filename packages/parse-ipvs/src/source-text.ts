/**
 * Where text came from: spans with line and column, computed once per input. Every parsed node
 * keeps a {@link Span} so diagnostics and traces can point at the exact dump line.
 */

export interface Position {
  /** 0-based offset into the input text. */
  readonly offset: number;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
}

export interface Span {
  readonly file: string;
  readonly start: Position;
  readonly end: Position;
}

/** One physical line of input, without its line terminator. */
export interface SourceLine {
  readonly text: string;
  /** 1-based line number. */
  readonly line: number;
  readonly span: Span;
}

/** Splits text into lines (LF or CRLF), each with its span. Never throws. */
export function sourceLines(text: string, file: string): SourceLine[] {
  const out: SourceLine[] = [];
  let offset = 0;
  let line = 1;
  while (offset <= text.length) {
    let nl = text.indexOf('\n', offset);
    if (nl < 0) nl = text.length;
    let endText = nl;
    if (endText > offset && text.charCodeAt(endText - 1) === 13) endText--;
    const lineText = text.slice(offset, endText);
    if (!(nl === text.length && lineText === '' && offset === text.length && line > 1)) {
      out.push({
        text: lineText,
        line,
        span: {
          file,
          start: { offset, line, column: 1 },
          end: { offset: endText, line, column: endText - offset + 1 },
        },
      });
    }
    offset = nl + 1;
    line++;
  }
  return out;
}

/** The span from the start of `a` to the end of `b`. */
export function joinSpans(a: Span, b: Span): Span {
  return { file: a.file, start: a.start, end: b.end };
}

/** The whole input a parser reads, kept so lines can be cut out of it when first needed. */
export interface TextSource {
  readonly text: string;
  readonly file: string;
}

/** Where the line starting at `start` ends, its LF or CRLF terminator excluded (as {@link sourceLines} cuts it). */
export function lineEnd(text: string, start: number): number {
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  return end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
}

/** Where the line after the one ending at `end` (from {@link lineEnd}) starts; past the text when none. */
export function nextLineStart(text: string, end: number): number {
  return (end < text.length && text.charCodeAt(end) === 13 ? end + 1 : end) + 1;
}

/**
 * The {@link SourceLine} {@link sourceLines} gives for the line from `start` to `end` (its
 * terminator excluded), made only when something asks for it.
 */
export function lineAt(source: TextSource, start: number, end: number, line: number): SourceLine {
  return {
    text: source.text.slice(start, end),
    line,
    span: {
      file: source.file,
      start: { offset: start, line, column: 1 },
      end: { offset: end, line, column: end - start + 1 },
    },
  };
}
