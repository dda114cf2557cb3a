import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CollectNodeDumpsOptions } from './collect-node-dumps.js';
import { collectNodeDumps } from './collect-node-dumps.js';
import { NodeCollectError } from './node-collect-error.js';
import {
  DEFAULT_NODE_COMMAND_IDS,
  NODE_COMMANDS,
  isNodeCommandId,
  lookupNodeCommand,
  remoteCommandLine,
  selectNodeCommands,
} from './node-commands.js';
import type { NodeCommandId } from './node-commands.js';
import type { runNodeCommand } from './run-node-command.js';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (error) {
    return error instanceof NodeCollectError ? error.code : String(error);
  }
  return undefined;
}

describe('the node command catalogue', () => {
  it('has the read-only commands kube-proxy debugging needs, each a constant string', () => {
    const byId = Object.fromEntries(NODE_COMMANDS.map((c) => [c.id, c.command]));
    expect(byId).toMatchObject({
      'iptables-save': 'iptables-save -c',
      'iptables-legacy-save': 'iptables-legacy-save -c',
      'iptables-nft-save': 'iptables-nft-save -c',
      'ip6tables-save': 'ip6tables-save -c',
      'ip6tables-legacy-save': 'ip6tables-legacy-save -c',
      'ip6tables-nft-save': 'ip6tables-nft-save -c',
      'nft-ruleset': 'nft list ruleset',
      'ipvsadm-save': 'ipvsadm -Sn',
      'ipvsadm-stats': 'ipvsadm -Ln --stats',
      'ipset-save': 'ipset save',
      'ip-addr-json': 'ip -j addr',
      'ip-addr': 'ip addr',
      'ip-route-json': 'ip -j route show table all',
      'ip-route': 'ip route show table all',
      conntrack: 'conntrack -L -o extended | head -n 50000',
      'iptables-version': 'iptables --version',
      'nft-version': 'nft --version',
      'ipvsadm-version': 'ipvsadm --version',
      'kernel-release': 'uname -r',
    });
    expect(byId['sysctls']).toContain('/proc/sys/$k');
    expect(Object.isFrozen(NODE_COMMANDS)).toBe(true);
    expect(NODE_COMMANDS.every((c) => Object.isFrozen(c))).toBe(true);
  });

  it('refuses unknown ids, including command text and prototype keys', () => {
    for (const id of ['iptables-save -c', 'rm -rf /', '__proto__', 'constructor', 'toString', '']) {
      expect(
        codeOf(() => lookupNodeCommand(id)),
        id,
      ).toBe('unknown-command-id');
      expect(isNodeCommandId(id)).toBe(false);
      expect(codeOf(() => selectNodeCommands([id]))).toBe('unknown-command-id');
    }
    expect(codeOf(() => selectNodeCommands(undefined, ['nope']))).toBe('unknown-command-id');
  });

  it('selects in catalogue order, deduplicated; default excludes the text fallbacks; exclude opts out', () => {
    expect(
      selectNodeCommands(['kernel-release', 'iptables-save', 'kernel-release']).map((c) => c.id),
    ).toEqual(['iptables-save', 'kernel-release']);
    expect(DEFAULT_NODE_COMMAND_IDS).toContain('conntrack');
    expect(DEFAULT_NODE_COMMAND_IDS).not.toContain('ip-addr');
    expect(selectNodeCommands(undefined, ['conntrack']).map((c) => c.id)).not.toContain('conntrack');
  });

  it('adds the constant sudo prefix to root-needing commands only', () => {
    expect(remoteCommandLine('iptables-save', true)).toBe('sudo -n iptables-save -c');
    expect(remoteCommandLine('iptables-save', false)).toBe('iptables-save -c');
    expect(remoteCommandLine('kernel-release', true)).toBe('uname -r');
    expect(remoteCommandLine('conntrack', true)).toBe('sudo -n conntrack -L -o extended | head -n 50000');
  });

  it('takes ids, never command strings, at every API that leads to a remote shell', () => {
    expectTypeOf<CollectNodeDumpsOptions['commands']>().toEqualTypeOf<readonly NodeCommandId[] | undefined>();
    expectTypeOf<CollectNodeDumpsOptions['exclude']>().toEqualTypeOf<readonly NodeCommandId[] | undefined>();
    expectTypeOf<Parameters<typeof remoteCommandLine>[0]>().toEqualTypeOf<NodeCommandId>();
    expectTypeOf<Parameters<typeof runNodeCommand>[1]>().toEqualTypeOf<NodeCommandId>();
    expectTypeOf<string>().not.toExtend<NodeCommandId>();
  });

  it('rejects a command string smuggled in as an id before connecting anywhere', async () => {
    // 192.0.2.1 (TEST-NET-1) is never dialled: the id check comes first.
    const options = {
      target: { host: '192.0.2.1', sshConfigPath: null },
      hostKeyPolicy: {},
      commands: ['id; reboot'],
    } as unknown as CollectNodeDumpsOptions;
    await expect(collectNodeDumps(options)).rejects.toMatchObject({ code: 'unknown-command-id' });
  });

  it('runs remote commands in one place only, from a catalogue id (a source guard for the security model)', async () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const sources = (await readdir(dir, { recursive: true })).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('testing'),
    );
    const ssh2Importers: string[] = [];
    for (const file of sources) {
      if (/from 'ssh2'/.test(await readFile(`${dir}/${file}`, 'utf8'))) ssh2Importers.push(file);
    }
    expect(ssh2Importers.sort()).toEqual(['run-node-command.ts', 'ssh-session.ts']);
    expect(await readFile(`${dir}/ssh-session.ts`, 'utf8')).not.toMatch(/\.(exec|shell|subsys)\(/);
    const runner = await readFile(`${dir}/run-node-command.ts`, 'utf8');
    expect(runner.match(/\.(exec|shell|subsys)\(/g)).toEqual(['.exec(']);
    expect(runner).toMatch(/const command = remoteCommandLine\(id, sudo\);/);
    expect(runner).toMatch(/client\.exec\(command,/);
  });
});

describe('collectNodeDumps option validation (before connecting)', () => {
  const base = { target: { host: '192.0.2.1', sshConfigPath: null }, hostKeyPolicy: {} } as const;
  it.each([
    ['a port out of range', { ...base, target: { ...base.target, port: 70_000 } }],
    ['a malformed fingerprint', { ...base, hostKeyPolicy: { acceptFingerprint: 'MD5:aa:bb' } }],
    [
      'a host with user@ or spaces in it',
      { ...base, target: { ...base.target, host: 'root@node -oProxyCommand=x' } },
    ],
    ['a zero time limit', { ...base, timeoutMs: 0 }],
  ])('refuses %s with invalid-options', async (_name, options) => {
    await expect(collectNodeDumps(options as unknown as CollectNodeDumpsOptions)).rejects.toMatchObject({
      code: 'invalid-options',
    });
  });

  it('refuses per-command limits for ids outside the catalogue', async () => {
    const options = {
      ...base,
      limits: { 'rm -rf /': { timeoutMs: 1 } },
    } as unknown as CollectNodeDumpsOptions;
    await expect(collectNodeDumps(options)).rejects.toMatchObject({ code: 'unknown-command-id' });
  });
});
