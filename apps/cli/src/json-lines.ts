/** 1-based line of a character offset. */
export function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The line where element `index` of a top-level JSON array starts, so a schema error in a flows
 * file can name its line. Skips strings and nested brackets; falls back to line 1.
 */
export function lineOfArrayElement(text: string, index: number): number {
  let depth = 0;
  let count = -1;
  let expectValue = false;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (depth === 1 && expectValue && !/\s/.test(c) && c !== ']') {
      count++;
      expectValue = false;
      if (count === index) return lineOfOffset(text, i);
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectValue = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectValue = true;
  }
  return 1;
}
