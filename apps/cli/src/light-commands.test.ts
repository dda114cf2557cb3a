/**
 * doctor, compare, counters and replay only read dumps and snapshots: none of them may load the
 * Kubernetes client, the SSH library or the server (the CLI loads a command's module lazily, and
 * these must start fast). This follows every static import from the command files through the
 * workspaces and fails on the first forbidden one, naming the chain that reached it.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..', '..');
const FORBIDDEN = ['@kubernetes/client-node', 'ssh2', '@svcpath/collector', '@svcpath/server'];

/** Workspace package name → its entry file. */
function workspaces(): Map<string, string> {
  const out = new Map<string, string>();
  for (const group of ['packages', 'apps'])
    for (const dir of readdirSync(join(REPO, group))) {
      const pkgFile = join(REPO, group, dir, 'package.json');
      if (!existsSync(pkgFile)) continue;
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { name: string; exports?: unknown };
      if (typeof pkg.exports === 'string') out.set(pkg.name, join(REPO, group, dir, pkg.exports));
    }
  return out;
}

function resolveRelative(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  for (const c of [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) if (existsSync(c) && c.endsWith('.ts')) return c;
  return null;
}

/** The first forbidden import reachable from `entry`, as the chain of files that leads to it. */
function forbiddenChain(entry: string, pkgs: Map<string, string>): string[] | null {
  const seen = new Set<string>([entry]);
  const todo: string[][] = [[entry]];
  while (todo.length) {
    const chain = todo.shift()!;
    const file = chain[chain.length - 1]!;
    const text = readFileSync(file, 'utf8');
    // Static imports and re-exports; `import type` is erased and never loads anything.
    for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
      const spec = m[1]!;
      if (FORBIDDEN.some((f) => spec === f || spec.startsWith(`${f}/`))) return [...chain, spec];
      const next = spec.startsWith('.') ? resolveRelative(file, spec) : pkgs.get(spec) ?? null;
      if (next && !seen.has(next)) {
        seen.add(next);
        todo.push([...chain, next]);
      }
    }
  }
  return null;
}

describe('commands that only read dumps and snapshots load light', () => {
  const pkgs = workspaces();
  it.each(['doctor-command.ts', 'compare-command.ts', 'counters-command.ts', 'replay-command.ts'])('%s imports no Kubernetes client, SSH or server', (file) => {
    const chain = forbiddenChain(join(import.meta.dirname, file), pkgs);
    expect(chain?.map((f) => f.replace(`${REPO}/`, '')) ?? null).toBeNull();
  });

  it('the check does find such an import (snapshots-command uses the collector)', () => {
    expect(forbiddenChain(join(import.meta.dirname, 'snapshots-command.ts'), pkgs)).not.toBeNull();
  });
});
