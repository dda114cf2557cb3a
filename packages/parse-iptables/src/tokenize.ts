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
    let text = '';
    let quoted = false;
    while (i < n) {
      const ch = line[i]!;
      if (ch === ' ' || ch === '\t' || ch === '\r') break;
      if (ch === '"' || ch === "'") {
        quoted = true;
        const close = ch;
        i++;
        let closed = false;
        while (i < n) {
          const q = line[i]!;
          if (close === '"' && q === '\\' && i + 1 < n) {
            text += line[i + 1];
            i += 2;
            continue;
          }
          if (q === close) {
            closed = true;
            i++;
            break;
          }
          text += q;
          i++;
        }
        if (!closed) return { tokens: [...tokens, { text, quoted }], unterminated: true };
        continue;
      }
      text += ch;
      i++;
    }
    tokens.push({ text, quoted });
  }
  return { tokens, unterminated: false };
}

/** Quotes a word the way iptables-save does, for showing rules back to people. */
export function quoteWord(word: string): string {
  if (word !== '' && !/[\s"'\\]/.test(word)) return word;
  return `"${word.replace(/[\\"]/g, (m) => `\\${m}`)}"`;
}
