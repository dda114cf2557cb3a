#!/usr/bin/env node
// `npm run build` (and the root `prepare`, so `npm ci` runs it): bundles the CLI and the server to
// JavaScript with esbuild, so neither compiles TypeScript when it starts. The workspace packages are
// bundled in (they export TypeScript sources); npm dependencies stay outside, imported from
// node_modules. Each CLI command is its own chunk, loaded only when that command runs.
//   apps/cli/dist/main.js       what apps/cli/bin/svcpath.js imports
//   apps/server/dist/main.mjs   what `npm start` runs; its workers' entry points beside it
// esbuild over tsc: about 0.3 s for both (tsc emits per file and would leave 300 modules to load).
import { builtinModules } from 'node:module';
import { performance } from 'node:perf_hooks';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/**
 * Modules whose `import.meta.url` must be the bundle's own: they start a worker from a file the build
 * writes beside the bundle (engine-worker.mjs, store-writer-worker.mjs, built from their *-main.ts;
 * unbuilt, the same names are the tsx bootstraps in src/). Every other module keeps its source
 * location (see sourceUrls).
 */
const BUNDLE_RELATIVE = new Set(['apps/server/src/engine/engine-pool.ts', 'apps/server/src/engine/worker-engine.ts', 'apps/server/src/snapshots/store-writer.ts']);

/**
 * zod is bundled in: loaded from node_modules it is ~60 modules, 100 ms of every command's start
 * (measured: `svcpath trace --help` 0.22 s, bare node 0.09 s); bundled and shaken, a few ms.
 */
const BUNDLED = /^zod(\/|$)/;

/**
 * npm dependencies stay outside the bundle. They are imported by a path relative to the output, as
 * found from the importing source file: a workspace's own node_modules (apps/collector has its own
 * @kubernetes/client-node) is not on the lookup path from apps/cli/dist.
 */
function externalDependencies(outdir) {
  return {
    name: 'external-dependencies',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (BUILTINS.has(args.path)) return { path: args.path, external: true };
        if (args.pluginData === 'inner' || BUNDLED.test(args.path)) return undefined;
        if (args.path.startsWith('@svcpath/')) return ownModule(build, args);
        const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'inner' });
        if (found.errors.length > 0) return { errors: found.errors };
        let rel = relative(outdir, found.path).split('\\').join('/');
        if (!rel.startsWith('.')) rel = `./${rel}`;
        return { path: rel, external: true };
      });
      build.onResolve({ filter: /^\./ }, (args) => (args.pluginData === 'inner' || args.importer.includes('/node_modules/') ? undefined : ownModule(build, args)));
    },
  };
}

/**
 * Our own modules have no import-time side effects, so a module none of whose exports a command uses
 * is left out of its chunk — with its npm imports (compare reads one helper of @svcpath/collector
 * and must not load the Kubernetes client that the rest of that package imports).
 */
async function ownModule(build, args) {
  const found = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'inner' });
  if (found.errors.length > 0) return { errors: found.errors };
  return { path: found.path, sideEffects: false };
}

/**
 * Keeps each bundled source module's `import.meta.url` pointing at its source file, so paths it
 * computes from it (docs/doctor.md, the kernel lab's agent, demo data) resolve as they do unbundled.
 */
function sourceUrls(outdir) {
  return {
    name: 'source-urls',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        const rel = relative(ROOT, args.path).split('\\').join('/');
        if (args.path.includes('/node_modules/') || !text.includes('import.meta.url') || BUNDLE_RELATIVE.has(rel)) return undefined;
        const fromOut = relative(outdir, args.path).split('\\').join('/');
        const url = `new URL(${JSON.stringify(fromOut)}, import.meta.url).href`;
        return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
      });
    },
  };
}

/**
 * Builds one app's entry points into `outdir` as ES modules for Node, then removes what earlier
 * builds left there (chunk names change with their contents). Files are removed after the new ones
 * are written, so a CLI already running keeps the chunks it may still import.
 */
async function bundle(entryPoints, outdir, outExtension) {
  const out = join(ROOT, outdir);
  const result = await esbuild.build({
    entryPoints: Object.fromEntries(Object.entries(entryPoints).map(([k, v]) => [k, join(ROOT, v)])),
    outdir: out,
    absWorkingDir: ROOT,
    outExtension: { '.js': outExtension },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    logLevel: 'warning',
    // Chunks sit beside the entry points: external imports are paths relative to that one folder.
    chunkNames: '[name]-[hash]',
    plugins: [externalDependencies(out), sourceUrls(out)],
  });
  const written = new Set(Object.keys(result.metafile.outputs).map((p) => resolve(ROOT, p)));
  for (const name of readdirSync(out)) if (!written.has(join(out, name))) rmSync(join(out, name), { recursive: true, force: true });
  return result;
}

/** Builds the CLI and the server; returns esbuild's metafiles (scripts/bench reads them). */
export async function build() {
  const started = performance.now();
  const cli = await bundle({ main: 'apps/cli/src/main.ts' }, 'apps/cli/dist', '.js');
  const server = await bundle(
    {
      main: 'apps/server/src/main.ts',
      'engine-worker': 'apps/server/src/engine/engine-worker-main.ts',
      'store-writer-worker': 'apps/server/src/snapshots/store-writer-main.ts',
    },
    'apps/server/dist',
    '.mjs',
  );
  return { cli: cli.metafile, server: server.metafile, ms: performance.now() - started };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await build();
  console.log(`svcpath: built apps/cli/dist and apps/server/dist in ${Math.round(r.ms)} ms`);
}
