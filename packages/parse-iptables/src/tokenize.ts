/** A word of a rule line; `quoted` tells `"two words"` from a bare word. */
export interface Token {
  readonly text: string;
  readonly quoted: boolean;
}

export interface TokenizeResult {
  readonly tokens: Token[];
  readonly unterminated: boolean;
}

/**
 * Splits a rule line into words the way iptables-restore does: whitespace separates words, double
 * quotes group them (iptables-save writes `--comment "a b"` and escapes `"` and `\` with `\`), and
 * single quotes group them literally (people paste shell-quoted `iptables -A` commands).
 */
export function tokenize(line: string): TokenizeResult {
  const tokens: Token[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }
    // Most words have no quotes: one slice each (building words a character at a time made
    // tokenizing the largest cost of reading a 10,000-Service dump).
    const start = i;
    while (i < n && !isSpace(line.charCodeAt(i)) && !isQuote(line.charCodeAt(i))) i++;
    if (i >= n || isSpace(line.charCodeAt(i))) {
      tokens.push({ text: line.slice(start, i), quoted: false });
      continue;
    }
    let text = line.slice(start, i);
    while (i < n) {
      const ch = line.charCodeAt(i);
      if (isSpace(ch)) break;
      if (!isQuote(ch)) {
        const from = i;
        while (i < n && !isSpace(line.charCodeAt(i)) && !isQuote(line.charCodeAt(i))) i++;
        text += line.slice(from, i);
        continue;
      }
      const quoted = readQuoted(line, i + 1, ch);
      text += quoted.text;
      i = quoted.end;
      if (!quoted.closed) return { tokens: [...tokens, { text, quoted: true }], unterminated: true };
    }
    tokens.push({ text, quoted: true });
  }
  return { tokens, unterminated: false };
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 13;
const isQuote = (c: number) => c === 34 || c === 39;

/**
 * The inside of a quoted part starting at `from` (just after the opening quote `close`): double
 * quotes take `\x` as x, single quotes are literal. `end` is just past the closing quote.
 */
function readQuoted(line: string, from: number, close: number): { text: string; end: number; closed: boolean } {
  let text = '';
  let i = from;
  let chunk = from;
  const n = line.length;
  while (i < n) {
    const q = line.charCodeAt(i);
    if (close === 34 && q === 92 /* \ */ && i + 1 < n) {
      text += line.slice(chunk, i) + line[i + 1];
      i += 2;
      chunk = i;
      continue;
    }
    if (q === close) return { text: text + line.slice(chunk, i), end: i + 1, closed: true };
    i++;
  }
  return { text: text + line.slice(chunk, n), end: n, closed: false };
}

/** Quotes a word the way iptables-save does, for showing rules back to people. */
export function quoteWord(word: string): string {
  if (word !== '' && !/[\s"'\\]/.test(word)) return word;
  return `"${word.replace(/[\\"]/g, (m) => `\\${m}`)}"`;
}
