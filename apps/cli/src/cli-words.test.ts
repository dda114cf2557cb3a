import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_WORDS } from './cli-words';

// Each sentence the CLI rewords must still be one the doctor writes: if the doctor's wording
// changes, the CLI would silently stop naming its flags.
const SRC = join(import.meta.dirname, '../../../packages/diagnostics/src');
const sources = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => readFileSync(join(SRC, f), 'utf8'))
  .join('\n');

describe('CLI wording of the doctor\'s findings', () => {
  it.each(CLI_WORDS.map(([from, to]) => ({ from, to })))('"$from" is still the doctor\'s and names a flag here', ({ from, to }) => {
    expect(sources).toContain(from);
    expect(to).toMatch(/--[a-z]|svcpath /);
  });
});
