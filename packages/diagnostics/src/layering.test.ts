import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// STYLE's layering: parsers → ruleset → tracer → diagnostics → graph. The doctor reads kube-proxy's
// layout back through @svcpath/proxy-layout; @svcpath/graph (which draws findings) comes after it.
describe('diagnostics layering', () => {
  it('imports nothing from @svcpath/graph', () => {
    const files = readdirSync(import.meta.dirname, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.filter((f) => /from '@svcpath\/graph'/.test(readFileSync(join(import.meta.dirname, f), 'utf8')))).toEqual([]);
  });
});
