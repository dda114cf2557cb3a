/**
 * The command line as users run it: `svcpath` from node_modules/.bin, the JavaScript that `npm ci`
 * built (scripts/build.mjs; `npm test` rebuilds it first). Each run records every module Node loads
 * (a resolve hook that appends to a file), so these tests check what a command imports, not how long
 * it takes. Fixture: kube-proxy's TestOverallIPTablesRules dump (packages/tracer/src/fixtures).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..', '..');
const BIN = join(REPO, 'node_modules/.bin/svcpath');
const OVERALL = join(REPO, 'packages/tracer/src/fixtures/kube-proxy-conformance/iptables-TestOverallIPTablesRules/iptables-save.txt');
const scratch = mkdtempSync(join(tmpdir(), 'svcpath-built-cli-'));

// Resolve hooks run on their own thread in Node 20; a file is the simplest way to hand back the list.
const HOOKS = join(scratch, 'hooks.mjs');
writeFileSync(
  HOOKS,
  `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.SVCPATH_LOADS, r.url + '\\n');
  return r;
}`,
);
const REGISTER = join(scratch, 'register.mjs');
writeFileSync(REGISTER, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(HOOKS).href)});\n`);

let runs = 0;
/** Runs the built CLI; returns its stdout and the URLs of every module it loaded. */
function svcpath(args: string[]): { status: number | null; stdout: string; loaded: string[] } {
  const loads = join(scratch, `loads-${runs++}.txt`);
  writeFileSync(loads, '');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(REGISTER).href, BIN, ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, SVCPATH_LOADS: loads },
  });
  return { status: r.status, stdout: r.stdout, loaded: readFileSync(loads, 'utf8').split('\n').filter(Boolean) };
}

const HEAVY = [/@kubernetes\/client-node/, /\/ssh2\//, /apps\/server\//, /\/tsx\//, /\.ts$/];
const heavy = (loaded: string[]) => loaded.filter((u) => HEAVY.some((re) => re.test(u)));

describe('the built svcpath', () => {
  it('--help loads no command and no dependency', () => {
    const r = svcpath(['--help']);
    expect(r.stdout).toContain('Usage:');
    const files = r.loaded.filter((u) => u.startsWith('file:') && !u.endsWith('/bin/svcpath.js'));
    expect(files).toContain(pathToFileURL(join(REPO, 'apps/cli/dist/main.js')).href);
    expect(files.filter((u) => !u.startsWith(pathToFileURL(join(REPO, 'apps/cli/dist/')).href) || /-command-/.test(u))).toEqual([]);
  });

  it('trace runs built JavaScript and loads neither the Kubernetes client, ssh2, the server nor TypeScript', () => {
    const r = svcpath(['trace', '--rules', OVERALL, '--src', '10.0.0.2', '--dst', '172.30.0.41', '--dport', '80', '--json']);
    expect(JSON.parse(r.stdout).outcomes[0].destination).toBe('10.180.0.1:80');
    expect(r.loaded.some((u) => u.includes('/apps/cli/dist/trace-command-'))).toBe(true);
    expect(heavy(r.loaded)).toEqual([]);
  });

  it('doctor, compare and counters load nothing heavy either', () => {
    const doctor = svcpath(['doctor', '--rules', OVERALL, '--node', 'node-a', '--node-ip', '192.168.0.2', '--json']);
    expect(JSON.parse(doctor.stdout).node).toBe('node-a');
    expect(heavy(doctor.loaded)).toEqual([]);
    const compare = svcpath(['compare', '--rules', `a=${OVERALL}`, '--rules', `b=${OVERALL}`]);
    expect(compare.loaded.some((u) => u.includes('/apps/cli/dist/compare-command-'))).toBe(true);
    expect(heavy(compare.loaded)).toEqual([]);
    // This dump has no counters: counters says so (exit 1) after loading what it needs.
    const counters = svcpath(['counters', '--before', OVERALL, '--after', OVERALL]);
    expect(counters.loaded.some((u) => u.includes('/apps/cli/dist/counters-command-'))).toBe(true);
    expect(heavy(counters.loaded)).toEqual([]);
  });

  it('fleet --help and fleet --digests load nothing heavy: only fleet --live loads the Kubernetes client', () => {
    const help = svcpath(['fleet', '--help']);
    expect(help.stdout).toContain('--live');
    expect(heavy(help.loaded)).toEqual([]);
    expect(help.loaded.some((u) => u.includes('/apps/cli/dist/fleet-live-'))).toBe(false);
    const offline = svcpath(['fleet', '--digests', 'no-such-dir', '--cluster-state', OVERALL]);
    expect(offline.status).toBe(1);
    expect(heavy(offline.loaded)).toEqual([]);
    const live = svcpath(['fleet', '--live', '--kubeconfig', join(scratch, 'no-such-kubeconfig')]);
    expect(live.status).toBe(1);
    expect(live.loaded.some((u) => /@kubernetes\/client-node/.test(u))).toBe(true);
  });
});
