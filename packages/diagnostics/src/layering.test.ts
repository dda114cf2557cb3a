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

// packages/* are libraries apps use, never the other way round: not even a test fixture reaches into apps/.
describe('packages import no app', () => {
  it('no file of any package imports from apps/', () => {
    const packages = join(import.meta.dirname, '..', '..');
    const files = readdirSync(packages, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ts|tsx)$/.test(f) && !f.includes('node_modules') && !f.includes('/dist/'));
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => /from '(\.\.\/)+apps\/|from '@svcpath\/(server|web|cli|collector|kernel-lab)'/.test(readFileSync(join(packages, f), 'utf8')))).toEqual([]);
  });
});
