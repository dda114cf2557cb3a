#!/usr/bin/env node
// svcpath's command line: runs the JavaScript that `npm ci` built (the root `prepare` step,
// scripts/build.mjs), so starting it compiles nothing. A checkout that was never built is told how.
let main;
try {
  ({ main } = await import('../dist/main.js'));
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('dist/main.js')) throw e;
  process.stderr.write('svcpath: the command line is not built; run "npm run build" (npm ci does it) in the repository\n');
  process.exit(1);
}
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
