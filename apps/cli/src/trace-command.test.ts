import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowInput } from '@svcpath/api-contract';
import { flowOfFlags, quickFlow } from './trace-command';
import { main } from './main';

// main imports each command when it runs; load trace's module graph here, outside any test's timeout.
await import('./trace-command');

const REPO = join(import.meta.dirname, '..', '..', '..');
const OVERALL = join(REPO, 'packages/tracer/src/fixtures/kube-proxy-conformance/iptables-TestOverallIPTablesRules/iptables-save.txt');

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd: REPO });
  return { code, stdout, stderr };
}

const scratch = mkdtempSync(join(tmpdir(), 'svcpath-cli-'));
function file(name: string, text: string): string {
  const p = join(scratch, name);
  writeFileSync(p, text);
  return p;
}

describe('svcpath trace --json', () => {
  it('prints the documented shape, probabilities summing to 1', async () => {
    const r = await run(['trace', '--rules', OVERALL, '--src', '10.0.0.2', '--dst', '172.30.0.44', '--dport', '80', '--node-ip', '192.168.0.2', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.packet).toEqual({ src: '10.0.0.2', dst: '172.30.0.44', dport: 80, proto: 'tcp' });
    expect(json.mode).toBe('iptables');
    expect(json.outcomes).toHaveLength(2);
    for (const o of json.outcomes) {
      expect(o).toMatchObject({ probability: 0.5, verdict: 'DNAT', masquerade: false, service: 'ns4/svc4:p80' });
      expect(typeof o.rulesEvaluated).toBe('number');
      for (const step of o.path) expect(Object.keys(step)).toEqual(expect.arrayContaining(['table', 'chain', 'rule', 'line']));
    }
    expect(json.outcomes.map((o: { destination: string }) => o.destination).sort()).toEqual(['10.180.0.4:80', '10.180.0.5:80']);
    const sep = json.outcomes[0].path.find((s: { chain: string }) => s.chain.startsWith('KUBE-SEP-'));
    expect(sep).toMatchObject({ table: 'nat', rule: 2 });
    expect(sep.line).toBeGreaterThan(0);
  });

  it('marks affinity and sends a returning client back to its endpoint', async () => {
    const base = ['trace', '--rules', OVERALL, '--src', '203.0.113.2', '--dst', '5.6.7.8', '--dport', '80', '--node-ip', '192.168.0.2', '--json'];
    const first = JSON.parse((await run(base)).stdout);
    expect(first.outcomes[0].affinity).toEqual({ seconds: 10800, list: 'KUBE-SEP-I77PXRDZVX7PMWMN' });
    const back = JSON.parse((await run([...base, '--returning-to', '10.180.0.3:80'])).stdout);
    expect(back.outcomes).toHaveLength(1);
    expect(back.outcomes[0]).toMatchObject({ probability: 1, destination: '10.180.0.3:80', masquerade: true });
  });

  it('traces a --flows file, parsing the dump once, one result per packet', async () => {
    const flows = file('flows.json', JSON.stringify([
      { src: '10.0.0.2', dst: '172.30.0.41', dport: 80, proto: 'tcp' },
      { src: '10.0.0.2', dst: '172.30.0.46', dport: 80 },
    ]));
    const r = await run(['trace', '--rules', OVERALL, '--flows', flows, '--node-ip', '192.168.0.2']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.map((x: { outcomes: { verdict: string }[] }) => x.outcomes[0]!.verdict)).toEqual(['DNAT', 'REJECT']);
  });
});

describe('svcpath trace on bad input', () => {
  it('names a missing dump file', async () => {
    const r = await run(['trace', '--rules', 'nope.txt', '--src', '10.0.0.2', '--dst', '10.0.0.3', '--dport', '80']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot read dump "nope.txt": no such file');
  });
  it('refuses a bad address with the flag named', async () => {
    const r = await run(['trace', '--rules', OVERALL, '--src', '10.0.0.300', '--dst', '10.0.0.3', '--dport', '80']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--src: expected an IPv4 or IPv6 address/);
  });
  it('refuses an unknown flag', async () => {
    const r = await run(['trace', '--rulez', OVERALL]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unknown option '--rulez'");
  });
  it('names the file and line of a bad flow', async () => {
    const flows = file('bad-flows.json', '[\n  {"src": "10.0.0.2", "dst": "172.30.0.41", "dport": 80},\n  {"src": "10.0.0.2", "dst": "172.30.0.41", "dport": "eighty"}\n]\n');
    const r = await run(['trace', '--rules', OVERALL, '--flows', flows]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${flows}:3: [1].dport:`);
  });
  it('names the line of broken JSON', async () => {
    const flows = file('broken.json', '[\n  {"src": "10.0.0.2",,}\n]');
    const r = await run(['trace', '--rules', OVERALL, '--flows', flows]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${flows}:2: not valid JSON`);
  });
  it('reports lines it does not understand with file and line, and still traces the rest', async () => {
    const dump = file('messy.txt', [
      'root@node-1:~# iptables-save -t nat',
      '*nat',
      ':KUBE-SERVICES - [0:0]',
      'this line is noise from a ticket',
      '-A KUBE-SERVICES -d 172.30.0.41/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.180.0.1:80',
      'COMMIT',
    ].join('\n'));
    const r = await run(['trace', '--rules', dump, '--src', '10.0.0.2', '--dst', '172.30.0.41', '--dport', '80', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${dump}:4: error: not an iptables-save line`);
    expect(JSON.parse(r.stdout).outcomes[0].destination).toBe('10.180.0.1:80');
    const strict = await run(['trace', '--rules', dump, '--src', '10.0.0.2', '--dst', '172.30.0.41', '--dport', '80', '--strict']);
    expect(strict.code).toBe(1);
  });
  it('exits 1 on a file with no rules at all', async () => {
    const r = await run(['trace', '--rules', file('empty.txt', 'hello\n'), '--src', '10.0.0.2', '--dst', '10.0.0.3', '--dport', '80']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/empty\.txt:1: error: not a dump svcpath knows/);
  });
});

describe('svcpath trace on every mode', () => {
  const FIX = join(REPO, 'packages/tracer/src/fixtures');
  it('traces an nftables node', async () => {
    const r = await run(['trace', '--rules', join(FIX, 'kube-proxy-conformance/nftables-TestOverallNFTablesRules/nft-list-ruleset.kernel.txt'), '--src', '10.0.0.2', '--dst', '172.30.0.44', '--dport', '80', '--node-ip', '192.168.0.2', '--json']);
    const json = JSON.parse(r.stdout);
    expect(json.mode).toBe('nftables');
    expect(json.outcomes.map((o: { destination: string }) => o.destination).sort()).toEqual(['10.180.0.4:80', '10.180.0.5:80']);
  });
  it('traces an IPVS node from its iptables, ipvsadm and ipset dumps, with a returning client', async () => {
    const rules = ['iptables-save.txt', 'ipvsadm-Sn.txt', 'ipset-save.txt'].flatMap((f) => ['--rules', join(FIX, 'ipvs-mode', f)]);
    const r = await run(['trace', ...rules, '--src', '10.244.1.9', '--dst', '10.108.7.7', '--dport', '8080', '--node-ip', '192.168.49.2', '--returning-to', '10.244.2.9:8080', '--json']);
    const json = JSON.parse(r.stdout);
    expect(json.mode).toBe('ipvs');
    expect(json.outcomes).toHaveLength(1);
    expect(json.outcomes[0]).toMatchObject({ destination: '10.244.2.9:8080', probability: 1, affinity: { seconds: 10800 } });
  });
  it('prints the mode in the readable tree', async () => {
    const r = await run(['trace', '--rules', OVERALL, '--src', '10.0.0.2', '--dst', '172.30.0.41', '--dport', '80', '--node-ip', '192.168.0.2']);
    expect(r.stdout.split('\n')[0]).toMatch(/^kube-proxy mode: iptables/);
  });
});

describe('the installed binary', () => {
  it('runs as `svcpath` from node_modules/.bin (the build npm ci made)', () => {
    const out = execFileSync(join(REPO, 'node_modules/.bin/svcpath'), ['trace', '--rules', OVERALL, '--src', '10.0.0.2', '--dst', '172.30.0.41', '--dport', '80', '--json'], {
      cwd: REPO,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(JSON.parse(out).outcomes[0].destination).toBe('10.180.0.1:80');
  });
});

describe('trace flags read without loading the schema', () => {
  it('never accepts what FlowInput refuses, and reads what it accepts the same', () => {
    const ips = ['10.0.0.1', '10.0.0.300', '::1', 'fe80::1%eth0', '1.2.3', '', ' 10.0.0.1', '2001:db8::1'];
    const ports = ['0', '1', '80', '65535', '65536', '080', '-1', '1e3', '8 0', '99999999999999999999'];
    fc.assert(
      fc.property(
        fc.record(
          {
            src: fc.constantFrom(...ips),
            dst: fc.constantFrom(...ips),
            dport: fc.constantFrom(...ports),
            proto: fc.constantFrom('tcp', 'udp', 'sctp', 'TCP', 'icmp', ''),
            sport: fc.constantFrom(...ports),
            'in-iface': fc.constantFrom('eth0', '', 'a-very-long-interface-name', 'x'.repeat(15)),
            'returning-to': fc.constantFrom('10.0.0.1:80', '[::1]:80', '10.0.0.1', '10.0.0.1:123456', 'host:80', '[fe80::1]:8080'),
          },
          { requiredKeys: ['src', 'dst', 'dport'] },
        ),
        (flags) => {
          const quick = quickFlow(flags);
          const schema = FlowInput.safeParse(flowOfFlags(flags));
          if (quick !== null) {
            expect(schema.success).toBe(true);
            expect(JSON.parse(JSON.stringify(quick))).toEqual(JSON.parse(JSON.stringify(schema.data)));
          }
        },
      ),
      { numRuns: 2000 },
    );
    expect(quickFlow({ src: '10.0.0.1', dst: '10.96.0.10', dport: '80' })).toEqual({ src: '10.0.0.1', dst: '10.96.0.10', dport: 80, proto: 'tcp' });
  });
});
