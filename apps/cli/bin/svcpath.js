#!/usr/bin/env node
// svcpath's command line. The workspaces ship TypeScript sources; tsx compiles them as they load,
// so `npx svcpath` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
