import { readFileSync, writeFileSync } from 'node:fs';

const DOC = 'docs/benchmarks.md';

/**
 * Replaces the section between `<!-- bench:NAME -->` markers in docs/benchmarks.md (appending it the
 * first time), so each benchmark script owns its own part of the page.
 */
export function writeSection(name: string, markdown: string): void {
  let doc: string;
  try {
    doc = readFileSync(DOC, 'utf8');
  } catch {
    doc = '# Benchmarks\n\nWritten by `npm run bench` (scripts/bench/); every figure here comes from the last run of those scripts on a 2-core, 24 GiB machine. Ratios compare against a peer measured in the same run.\n';
  }
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  doc = i >= 0 && j > i ? doc.slice(0, i) + block + doc.slice(j + end.length) : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(DOC, doc);
}
