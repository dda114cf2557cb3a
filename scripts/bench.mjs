#!/usr/bin/env node
// `npm run bench`: runs each benchmark script with tsx. Prints figures and rewrites
// docs/benchmarks.md; never fails a build (benchmarks are not tests).
import { spawnSync } from 'node:child_process';

const scripts = process.argv.slice(2).length ? process.argv.slice(2) : ['iptables', 'modes', 'ui', 'ui-scale', 'fleet'];
for (const name of scripts) {
  const r = spawnSync('node', ['--import', 'tsx', '--max-old-space-size=8192', `scripts/bench/${name}.ts`], { stdio: 'inherit' });
  if (r.status !== 0) console.log(`bench ${name}: exited ${r.status}`);
}
