// The container script and its log: built only from the catalogue (pure tests), and run for real
// in a network namespace whose kernel holds an iptables ruleset (testing/pod-netns.ts).
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { NODE_COMMANDS, remoteCommandLine } from '../node/node-commands.js';
import type { NodeCommandId } from '../node/node-commands.js';
import { NodeCollectError } from '../node/node-collect-error.js';
import { parsePodDumpLog } from './pod-dump-log.js';
import type { LoggedCommand } from './pod-dump-log.js';
import { podDumpResults } from './pod-dump-results.js';
import { LOG_HEADER, SCRIPT_ENV, podDumpScript } from './pod-dump-script.js';
import { selectNodeCommands } from '../node/node-commands.js';
import { podNetnsUnavailable, startPodNetns } from './testing/pod-netns.js';
import type { PodNetns } from './testing/pod-netns.js';

/** Undoes the script's POSIX single-quoting of a `run` line's command. */
function unquote(text: string): string {
  expect(text.startsWith("'") && text.endsWith("'"), text).toBe(true);
  return text.slice(1, -1).replaceAll(`'\\''`, "'");
}

describe('podDumpScript', () => {
  it('runs exactly the selected catalogue constants, in catalogue order, and nothing else', () => {
    const script = podDumpScript(['kernel-release', 'iptables-save', 'sysctls']);
    const runs = script.split('\n').filter((line) => line.startsWith('run '));
    expect(runs.map((line) => line.split(' ')[1])).toEqual(['iptables-save', 'sysctls', 'kernel-release']);
    for (const line of runs) {
      const [, id, ...rest] = line.split(' ');
      expect(unquote(rest.join(' '))).toBe(remoteCommandLine(id as NodeCommandId, false));
    }
    // The sysctl loop (quotes and all) reaches `sh -c` byte for byte.
    expect(script).toContain(
      `run sysctls '${NODE_COMMANDS.find((c) => c.id === 'sysctls')?.command.replaceAll("'", `'\\''`)}'`,
    );
  });

  it('is the same text for the same selection: nothing but ids goes in', () => {
    expect(podDumpScript(['iptables-save'])).toBe(podDumpScript(['iptables-save']));
    expect(podDumpScript()).toBe(podDumpScript(selectNodeCommands().map((c) => c.id)));
    // Lines that are not `run` lines come from the template alone: identical for any selection.
    const template = (ids: NodeCommandId[]): string[] =>
      podDumpScript(ids)
        .split('\n')
        .filter((l) => !l.startsWith('run ') && !l.startsWith('[ "$rc" -eq 0 ] || run '));
    expect(template(['kernel-release'])).toEqual(template(['iptables-save', 'nft-ruleset', 'conntrack']));
  });

  it('runs a text fallback only when its JSON entry failed, unless it is selected itself', () => {
    expect(podDumpScript(['ip-addr-json'])).toContain(
      `run ip-addr-json 'ip -j addr'\n[ "$rc" -eq 0 ] || run ip-addr 'ip addr'`,
    );
    expect(podDumpScript(['ip-addr-json', 'ip-addr'])).toContain(
      `run ip-addr-json 'ip -j addr'\nrun ip-addr 'ip addr'`,
    );
  });

  it('takes ids only, and refuses a command string smuggled in as one', () => {
    expectTypeOf<Parameters<typeof podDumpScript>[0]>().toEqualTypeOf<readonly NodeCommandId[] | undefined>();
    expect(() => podDumpScript(['iptables-save -c; reboot' as NodeCommandId])).toThrow(NodeCollectError);
  });
});

describe('parsePodDumpLog', () => {
  const n = '0f2c9a52-3b1e-4c55-9f3e-1a2b3c4d5e6f';
  it('splits sections, keeps stdout and stderr apart, and ignores forged delimiters', () => {
    const log = [
      `${LOG_HEADER} ${n}`,
      `${n} begin iptables-save`,
      `${n} stdout iptables-save 40`,
      `*nat\nabcdefab-0000-0000-0000-000000000000 done\nCOMMIT`,
      `${n} end-stdout iptables-save`,
      `${n} stderr iptables-save 0`,
      ``,
      `${n} end-stderr iptables-save`,
      `${n} end iptables-save exit=0 ms=12 timeout=0`,
      `${n} begin ipset-save`,
      `${n} stdout ipset-save 0`,
      ``,
      `${n} end-stdout ipset-save`,
      `${n} stderr ipset-save 25`,
      `sh: 1: ipset: not found\n`,
      `${n} end-stderr ipset-save`,
      `${n} end ipset-save exit=127 ms=1 timeout=0`,
      `${n} done`,
      ``,
    ].join('\n');
    const parsed = parsePodDumpLog(log);
    expect(parsed).toMatchObject({ kind: 'parsed', finished: true });
    if (parsed.kind !== 'parsed') return;
    expect(parsed.commands).toEqual([
      {
        id: 'iptables-save',
        stdout: {
          text: '*nat\nabcdefab-0000-0000-0000-000000000000 done\nCOMMIT',
          bytes: 40,
          complete: true,
        },
        stderr: { text: '', bytes: 0, complete: true },
        exit: { code: 0, durationMs: 12, timedOut: false },
      },
      {
        id: 'ipset-save',
        stdout: { text: '', bytes: 0, complete: true },
        stderr: { text: 'sh: 1: ipset: not found\n', bytes: 25, complete: true },
        exit: { code: 127, durationMs: 1, timedOut: false },
      },
    ]);
  });

  it('keeps what a log cut short holds, and recognises foreign text', () => {
    const cut = `${LOG_HEADER} ${n}\n${n} begin nft-ruleset\n${n} stdout nft-ruleset 999\ntable ip nat {\n  chain`;
    const parsed = parsePodDumpLog(cut);
    expect(parsed).toMatchObject({
      kind: 'parsed',
      finished: false,
      commands: [{ id: 'nft-ruleset', stdout: { text: 'table ip nat {\n  chain', complete: false } }],
    });
    expect(parsePodDumpLog('exec /bin/sh: no such file or directory\n')).toEqual({
      kind: 'unrecognised',
      firstLine: 'exec /bin/sh: no such file or directory',
    });
  });

  it('judges sections by the SSH collector rules: skipped, unfinished, truncated, fallback used', () => {
    const stream = (text: string, bytes = Buffer.byteLength(text)) => ({ text, bytes, complete: true });
    const logged: LoggedCommand[] = [
      {
        id: 'iptables-save',
        stdout: stream('*nat', 5000),
        stderr: stream(''),
        exit: { code: 0, durationMs: 3, timedOut: false },
      },
      {
        id: 'ip-addr-json',
        stdout: stream(''),
        stderr: stream('Option "-j" is unknown'),
        exit: { code: 255, durationMs: 1, timedOut: false },
      },
      {
        id: 'ip-addr',
        stdout: stream('1: lo: <LOOPBACK>'),
        stderr: stream(''),
        exit: { code: 0, durationMs: 1, timedOut: false },
      },
      { id: 'nft-ruleset', stdout: stream('table ip nat {'), stderr: stream('') },
    ];
    const selected = selectNodeCommands(['iptables-save', 'ip-addr-json', 'nft-ruleset', 'kernel-release']);
    const { files, problems } = podDumpResults(
      selected,
      logged,
      { timeoutMs: 1000, maxBytes: 4 },
      'the Pod was stopped',
    );
    expect(files['iptables-save']).toMatchObject({
      command: 'iptables-save -c',
      truncated: true,
      exitCode: 0,
    });
    expect(files['nft-ruleset']).toMatchObject({ exitCode: null, channelError: 'the Pod was stopped' });
    expect(problems.map((p) => `${p.kind}:${p.commandId}`)).toEqual([
      'output-truncated:iptables-save',
      'channel-failed:nft-ruleset',
      'fallback-used:ip-addr-json',
      'skipped:kernel-release',
    ]);
  });
});

const unavailable = podNetnsUnavailable();

describe.skipIf(unavailable !== undefined)('the script run for real in a network namespace', () => {
  let node: PodNetns;
  beforeAll(() => {
    node = startPodNetns({ withDoubles: true });
  });
  afterAll(() => node?.cleanup());

  async function runScript(ids: NodeCommandId[], env: Record<string, string>): Promise<string> {
    let log = '';
    const code = await node.exec(
      ['/bin/sh', '-c', podDumpScript(ids)],
      { TMPDIR: '/tmp', ...env },
      (chunk) => (log += chunk),
    );
    expect(code, log).toBe(0);
    return log;
  }

  it('brings back the namespace ruleset, a missing tool and the sysctls, each in its own section', async () => {
    const log = await runScript(['iptables-save', 'ipvsadm-save', 'sysctls', 'kernel-release'], {});
    const parsed = parsePodDumpLog(log);
    expect(parsed.kind === 'parsed' && parsed.finished, log).toBe(true);
    if (parsed.kind !== 'parsed') return;
    const byId = new Map(parsed.commands.map((c) => [c.id, c]));
    const save = byId.get('iptables-save');
    expect(save?.exit).toMatchObject({ code: 0, timedOut: false });
    expect(save?.stdout.text).toContain(
      '-A KUBE-SERVICES -d 10.96.88.5/32 -p tcp -m comment --comment "shop/frontend:http cluster IP"',
    );
    expect(save?.stdout.bytes).toBe(Buffer.byteLength(save?.stdout.text ?? ''));
    expect(byId.get('ipvsadm-save')?.exit?.code).toBe(127); // ipvsadm is not installed here
    expect(byId.get('ipvsadm-save')?.stderr.text).toMatch(/ipvsadm: (command )?not found/);
    expect(byId.get('sysctls')?.stdout.text).toMatch(/^net\.ipv4\.ip_forward = [01]$/m);
    expect(byId.get('kernel-release')?.stdout.text.trim()).toMatch(/^\d+\.\d+/);
  });

  it(
    'stops a command at the per-command time limit and carries on with the next',
    { timeout: 20_000 },
    async () => {
      const log = await runScript(['ipset-save', 'kernel-release'], { [SCRIPT_ENV.timeoutSeconds]: '1' });
      const parsed = parsePodDumpLog(log);
      if (parsed.kind !== 'parsed') throw new Error(log);
      const { files, problems } = podDumpResults(
        selectNodeCommands(['ipset-save', 'kernel-release']),
        parsed.commands,
        { timeoutMs: 1000, maxBytes: 1 << 20 },
        '',
      );
      expect(files['ipset-save']).toMatchObject({ timedOut: true, exitCode: null });
      expect(files['ipset-save']?.stdout).toContain('create slow-set hash:ip'); // what came before the limit
      expect(files['kernel-release']?.exitCode).toBe(0);
      expect(problems.map((p) => p.kind)).toEqual(['command-timeout']);
    },
  );

  it('cuts each stream at the size limit, reports its full size, and stays in step', async () => {
    const log = await runScript(['iptables-save', 'kernel-release'], { [SCRIPT_ENV.maxBytes]: '64' });
    const parsed = parsePodDumpLog(log);
    if (parsed.kind !== 'parsed') throw new Error(log);
    const save = parsed.commands[0];
    expect(Buffer.byteLength(save?.stdout.text ?? '')).toBe(64);
    expect(save?.stdout.bytes).toBeGreaterThan(64);
    expect(parsed.commands[1]?.exit?.code).toBe(0);
  });
});
