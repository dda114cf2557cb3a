#!/usr/bin/env node
// `npm run bench [name ...]`: runs each benchmark script (scripts/bench/NAME.ts) with tsx — in-process
// figures (iptables, modes), whole processes of the built CLI (cli), the web app (ui, landing, ui-scale); `linearity`
// runs on its own. Prints figures and rewrites docs/benchmarks.md; never fails a build.
import { spawnSync } from 'node:child_process';

const scripts = process.argv.slice(2).length ? process.argv.slice(2) : ['iptables', 'modes', 'cli', 'ui', 'landing', 'ui-scale', 'fleet'];
for (const name of scripts) {
  const r = spawnSync('node', ['--import', 'tsx', '--max-old-space-size=8192', `scripts/bench/${name}.ts`], { stdio: 'inherit' });
  if (r.status !== 0) console.log(`bench ${name}: exited ${r.status}`);
}
