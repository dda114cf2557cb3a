// End-to-end tests against REAL OpenSSH servers running in network namespaces built by
// testing/ssh-lab.ts (no stub of the SSH layer). The node's dumps come from the kernel state of
// the target namespace, where the lab loaded a small kube-proxy-like iptables ruleset.
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { collectNodeDumps } from './collect-node-dumps.js';
import type { CollectNodeDumpsOptions } from './collect-node-dumps.js';
import { NodeCollectError } from './node-collect-error.js';
import type { NodeCollectErrorCode } from './node-collect-error.js';
import { sshLabUnavailable, startSshLab } from './testing/ssh-lab.js';
import type { SshLab } from './testing/ssh-lab.js';

const unavailable = sshLabUnavailable();

async function rejection(promise: Promise<unknown>): Promise<NodeCollectError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof NodeCollectError) return error;
    throw error;
  }
  throw new Error('expected a NodeCollectError, the call succeeded');
}

function expectCode(error: NodeCollectError, code: NodeCollectErrorCode): void {
  expect(error.code, error.message).toBe(code);
}

describe.skipIf(unavailable !== undefined)(
  'collectNodeDumps against a real sshd in a network namespace',
  () => {
    let lab: SshLab;
    let knownHosts: string; // target (host side), bastion, and target (bastion side)

    beforeAll(async () => {
      // Belt and braces: nothing below may fall back to the real ~/.ssh or a real agent.
      vi.stubEnv('HOME', '/nonexistent-svcpath-home');
      vi.stubEnv('SSH_AUTH_SOCK', '');
      lab = await startSshLab();
      knownHosts = join(lab.dir, 'known_hosts');
      const lines = await Promise.all([
        lab.knownHostsLine(lab.target.address, lab.target.port, lab.target.hostKeys.ed25519),
        lab.knownHostsLine(lab.bastion.address, 22, lab.bastion.hostKey),
        lab.knownHostsLine(lab.target.innerAddress, lab.target.port, lab.target.hostKeys.ed25519),
      ]);
      await writeFile(knownHosts, lines.join('\n') + '\n');
    });

    afterAll(async () => {
      await lab?.cleanup();
      vi.unstubAllEnvs();
    });

    /** Options for the target over the host-side veth with the plain key and the shared known_hosts. */
    function direct(extra: Partial<CollectNodeDumpsOptions> = {}): CollectNodeDumpsOptions {
      return {
        target: {
          host: lab.target.address,
          port: lab.target.port,
          user: 'root',
          privateKeyPath: lab.keys.plain,
          agent: false,
          sshConfigPath: null,
        },
        hostKeyPolicy: { knownHostsPath: knownHosts },
        ...extra,
      };
    }

    it('authenticates with a key file and brings back the rules loaded into the namespace', async () => {
      const result = await collectNodeDumps(
        direct({ commands: ['iptables-save', 'nft-ruleset', 'kernel-release'] }),
      );
      const save = result.files['iptables-save'];
      expect(save?.exitCode).toBe(0);
      expect(save?.command).toBe('iptables-save -c');
      expect(save?.stdout).toContain('-A KUBE-SERVICES -d 10.96.0.10/32 -p udp');
      expect(save?.stdout).toMatch(
        /\[\d+:\d+\] -A KUBE-SEP-SVCPATHLAB0001 .* -j DNAT --to-destination 10\.244\.0\.5:53/,
      );
      expect(result.files['nft-ruleset']?.stdout).toContain('chain KUBE-SERVICES');
      // Same kernel as the test process: the namespace shares it.
      expect(result.files['kernel-release']?.stdout.trim()).toBe(release());
      expect(result).toMatchObject({
        node: { host: lab.target.address, port: lab.target.port, user: 'root', via: [] },
        problems: [],
        partial: false,
      });
    });

    it('runs the default catalogue: every dump the node can give, missing tools noted but not fatal', async () => {
      const result = await collectNodeDumps(direct());
      expect(result.files['ip-addr-json']?.stdout && JSON.parse(result.files['ip-addr-json'].stdout)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            addr_info: expect.arrayContaining([expect.objectContaining({ local: lab.target.address })]),
          }),
        ]),
      );
      expect(result.files.sysctls?.stdout).toMatch(/^net\.ipv4\.ip_forward = [01]$/m);
      expect(result.files.sysctls?.stdout).toMatch(/^net\.ipv4\.conf\.all\.route_localnet = [01]$/m);
      expect(result.files['iptables-version']?.stdout).toMatch(/^iptables v\d/);
      // ipvsadm and ipset are not installed in this image: noted, the rest still collected.
      const missing = result.problems.filter((p) => p.kind === 'tool-missing').map((p) => p.commandId);
      expect(missing).toEqual(
        expect.arrayContaining(['ipvsadm-save', 'ipvsadm-stats', 'ipvsadm-version', 'ipset-save']),
      );
      expect(result.files['ipvsadm-save']?.exitCode).toBe(127);
      expect(result.files['iptables-save']?.stdout).toContain('KUBE-SERVICES');
      expect(result.files['ip-addr']).toBeUndefined(); // fallback not needed
      expect(result.problems.filter((p) => p.kind !== 'tool-missing')).toEqual([]);
      expect(result.partial).toBe(false);
    });

    it('notes a missing tool (exit 127) without failing the collection', async () => {
      const result = await collectNodeDumps(direct({ commands: ['ipvsadm-save', 'kernel-release'] }));
      expect(result.problems).toEqual([
        expect.objectContaining({ kind: 'tool-missing', commandId: 'ipvsadm-save', tool: 'ipvsadm' }),
      ]);
      expect(result.files['kernel-release']?.exitCode).toBe(0);
      expect(result.partial).toBe(false);
    });

    it('decrypts a key file with its passphrase; a wrong one is a typed error', async () => {
      const target = { ...direct().target, privateKeyPath: lab.keys.encrypted };
      const ok = await collectNodeDumps(
        direct({ target: { ...target, passphrase: lab.passphrase }, commands: ['kernel-release'] }),
      );
      expect(ok.files['kernel-release']?.exitCode).toBe(0);
      expectCode(
        await rejection(
          collectNodeDumps(
            direct({ target: { ...target, passphrase: 'wrong' }, commands: ['kernel-release'] }),
          ),
        ),
        'identity-passphrase',
      );
    });

    it('authenticates through ssh-agent, given explicitly or through SSH_AUTH_SOCK', async () => {
      const socket = await lab.startAgent(lab.keys.agent);
      const base = direct({ commands: ['kernel-release'] });
      const explicit = await collectNodeDumps({
        ...base,
        target: { ...base.target, privateKeyPath: undefined, agent: socket },
      });
      expect(explicit.files['kernel-release']?.exitCode).toBe(0);
      vi.stubEnv('SSH_AUTH_SOCK', socket);
      try {
        const fromEnv = await collectNodeDumps({
          ...base,
          target: { ...base.target, privateKeyPath: undefined, agent: undefined },
        });
        expect(fromEnv.files['kernel-release']?.exitCode).toBe(0);
      } finally {
        vi.stubEnv('SSH_AUTH_SOCK', '');
      }
      expect(lab.target.log()).toMatch(/Accepted publickey for root .*ED25519 /);
    });

    it('refuses a key the node does not authorize (auth-failed)', async () => {
      const base = direct({ commands: ['kernel-release'] });
      const error = await rejection(
        collectNodeDumps({ ...base, target: { ...base.target, privateKeyPath: lab.keys.stranger } }),
      );
      expectCode(error, 'auth-failed');
      expect(error.info).toMatchObject({ host: lab.target.address, port: lab.target.port, user: 'root' });
    });

    it('refuses an unknown host with its SHA256 fingerprint until that exact fingerprint is accepted, then remembers it', async () => {
      const fresh = join(lab.dir, 'known_hosts.fresh');
      const options = direct({ commands: ['kernel-release'], hostKeyPolicy: { knownHostsPath: fresh } });
      const refused = await rejection(collectNodeDumps(options));
      expectCode(refused, 'host-key-unknown');
      const expected = lab.fingerprint(lab.target.hostKeys.ed25519); // what ssh-keygen -lf says
      expect(refused.info).toMatchObject({
        fingerprint: expected,
        keyType: 'ssh-ed25519',
        host: lab.target.address,
        port: lab.target.port,
      });
      expect(refused.message).toContain(expected);

      const wrong = lab.fingerprint(lab.bastion.hostKey);
      expectCode(
        await rejection(
          collectNodeDumps({
            ...options,
            hostKeyPolicy: { knownHostsPath: fresh, acceptFingerprint: wrong },
          }),
        ),
        'host-key-unknown',
      );

      const events: string[] = [];
      const accepted = await collectNodeDumps({
        ...options,
        hostKeyPolicy: { knownHostsPath: fresh, acceptFingerprint: expected },
        onProgress: (e) => events.push(e.kind),
      });
      expect(accepted.files['kernel-release']?.exitCode).toBe(0);
      expect(events).toContain('host-key-added');
      const written = await readFile(fresh, 'utf8');
      expect(written).toBe(
        `${await lab.knownHostsLine(lab.target.address, lab.target.port, lab.target.hostKeys.ed25519)}\n`,
      );
      // OpenSSH itself finds the entry we wrote.
      expect(
        spawnSync('ssh-keygen', ['-F', `[${lab.target.address}]:${lab.target.port}`, '-f', fresh]).status,
      ).toBe(0);

      const again = await collectNodeDumps(options); // no acceptFingerprint any more
      expect(again.files['kernel-release']?.exitCode).toBe(0);
    });

    it('writes accepted hosts hashed when asked, in a form ssh-keygen -F finds', async () => {
      const hashed = join(lab.dir, 'known_hosts.hashed');
      const fp = lab.fingerprint(lab.target.hostKeys.ed25519);
      await collectNodeDumps(
        direct({
          commands: ['kernel-release'],
          hostKeyPolicy: { knownHostsPath: hashed, acceptFingerprint: fp, hashKnownHosts: true },
        }),
      );
      expect(await readFile(hashed, 'utf8')).toMatch(
        /^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 \S+\n$/,
      );
      expect(
        spawnSync('ssh-keygen', ['-F', `[${lab.target.address}]:${lab.target.port}`, '-f', hashed]).status,
      ).toBe(0);
      const again = await collectNodeDumps(
        direct({ commands: ['kernel-release'], hostKeyPolicy: { knownHostsPath: hashed } }),
      );
      expect(again.files['kernel-release']?.exitCode).toBe(0);
    });

    it('always refuses a CHANGED host key, even when its fingerprint is offered', async () => {
      const changed = join(lab.dir, 'known_hosts.changed');
      // The target's name, with the bastion's key: as if the node had been replaced.
      await writeFile(
        changed,
        `# stale entry\n${await lab.knownHostsLine(lab.target.address, lab.target.port, lab.bastion.hostKey)}\n`,
      );
      const presented = lab.fingerprint(lab.target.hostKeys.ed25519);
      const error = await rejection(
        collectNodeDumps(
          direct({
            commands: ['kernel-release'],
            hostKeyPolicy: { knownHostsPath: changed, acceptFingerprint: presented },
          }),
        ),
      );
      expectCode(error, 'host-key-changed');
      expect(error.info).toMatchObject({ fingerprint: presented, knownLines: [`${changed}:2`] });
      expect(await readFile(changed, 'utf8')).not.toContain(presented); // nothing appended
    });

    it.each(['ed25519', 'ecdsa', 'rsa'] as const)(
      'accepts hashed %s entries made by ssh-keyscan | ssh-keygen -H',
      async (type) => {
        const file = join(lab.dir, `known_hosts.scan-${type}`);
        const scan = spawnSync(
          'ssh-keyscan',
          ['-t', type, '-p', String(lab.target.port), lab.target.address],
          { encoding: 'utf8' },
        );
        expect(scan.stdout).toContain(lab.target.address);
        await writeFile(file, scan.stdout);
        expect(spawnSync('ssh-keygen', ['-H', '-f', file]).status).toBe(0);
        expect(await readFile(file, 'utf8')).toMatch(/^\|1\|/m);
        // Only this key type is listed: success means the server was asked for it first and it matched.
        const result = await collectNodeDumps(
          direct({ commands: ['kernel-release'], hostKeyPolicy: { knownHostsPath: file } }),
        );
        expect(result.files['kernel-release']?.exitCode).toBe(0);
      },
    );

    it('resolves an ~/.ssh/config-style alias with Host patterns (HostName, Port, User, IdentityFile, UserKnownHostsFile)', async () => {
      const config = join(lab.dir, 'ssh_config');
      await writeFile(
        config,
        [
          '# written by the test',
          'Host node-? !node-x',
          `    HostName ${lab.target.address}`,
          `    Port ${lab.target.port}`,
          'Host node-*',
          '    User root',
          `    IdentityFile ${lab.keys.plain}`,
          `    UserKnownHostsFile ${knownHosts}`,
          '    Port 1', // later block: first value wins, so the port above is kept
        ].join('\n'),
      );
      const result = await collectNodeDumps({
        target: { host: 'node-a', sshConfigPath: config, agent: false },
        hostKeyPolicy: {},
        commands: ['iptables-save'],
      });
      expect(result.node).toEqual({ host: lab.target.address, port: lab.target.port, user: 'root', via: [] });
      expect(result.files['iptables-save']?.stdout).toContain('KUBE-SERVICES');
    });

    it('connects through a ProxyJump bastion to an address only the bastion can reach', async () => {
      const result = await collectNodeDumps({
        target: {
          host: lab.target.innerAddress,
          port: lab.target.port,
          user: 'root',
          privateKeyPath: lab.keys.plain,
          agent: false,
          sshConfigPath: null,
          proxyJump: `root@${lab.bastion.address}`,
        },
        hostKeyPolicy: { knownHostsPath: knownHosts },
        commands: ['iptables-save'],
      });
      expect(result.node).toEqual({
        host: lab.target.innerAddress,
        port: lab.target.port,
        user: 'root',
        via: [`root@${lab.bastion.address}:22`],
      });
      expect(result.files['iptables-save']?.stdout).toContain('KUBE-SERVICES');
      // The target saw the login come from the bastion's side of its link.
      expect(lab.target.log()).toContain(`Accepted publickey for root from ${lab.bastion.innerAddress} port`);
    });

    it('follows ProxyJump from ssh config, and names the bastion when ITS key is unknown', async () => {
      const config = join(lab.dir, 'ssh_config.jump');
      const lines = (kh: string): string =>
        [
          'Host bastion',
          `  HostName ${lab.bastion.address}`,
          'Host worker-*',
          `  HostName ${lab.target.innerAddress}`,
          `  Port ${lab.target.port}`,
          '  ProxyJump bastion',
          'Host *',
          '  User root',
          `  IdentityFile ${lab.keys.plain}`,
          `  UserKnownHostsFile ${kh}`,
        ].join('\n');
      await writeFile(config, lines(knownHosts));
      const ok = await collectNodeDumps({
        target: { host: 'worker-1', sshConfigPath: config, agent: false },
        hostKeyPolicy: {},
        commands: ['kernel-release'],
      });
      expect(ok.node.via).toEqual([`root@${lab.bastion.address}:22`]);

      const onlyTarget = join(lab.dir, 'known_hosts.only-target');
      await writeFile(
        onlyTarget,
        (await lab.knownHostsLine(lab.target.innerAddress, lab.target.port, lab.target.hostKeys.ed25519)) +
          '\n',
      );
      await writeFile(config, lines(onlyTarget));
      const error = await rejection(
        collectNodeDumps({
          target: { host: 'worker-1', sshConfigPath: config, agent: false },
          hostKeyPolicy: {},
          commands: ['kernel-release'],
        }),
      );
      expectCode(error, 'host-key-unknown');
      expect(error.info).toMatchObject({
        host: lab.bastion.address,
        port: 22,
        hop: 0,
        fingerprint: lab.fingerprint(lab.bastion.hostKey),
      });
    });

    it('stops a command at its time limit, keeps what it printed, marks the result partial', async () => {
      const base = direct({
        commands: ['ipset-save', 'kernel-release'],
        limits: { 'ipset-save': { timeoutMs: 1_500 } },
      });
      const started = Date.now();
      // The `doubles` key's PATH has an ipset double that prints a line every 0.2 s forever.
      const result = await collectNodeDumps({
        ...base,
        target: { ...base.target, privateKeyPath: lab.keys.doubles },
      });
      const elapsed = Date.now() - started;
      const ipset = result.files['ipset-save'];
      expect(ipset).toMatchObject({ timedOut: true, exitCode: null, truncated: false });
      expect(ipset?.stdout).toMatch(/^(create KUBE-CLUSTER-IP hash:ip,port family inet\n){3,}/);
      expect(ipset?.durationMs).toBeGreaterThanOrEqual(1_500);
      expect(elapsed).toBeLessThan(1_500 + 4_000);
      expect(result.problems).toEqual([
        expect.objectContaining({ kind: 'command-timeout', commandId: 'ipset-save', timeoutMs: 1_500 }),
      ]);
      expect(result.files['kernel-release']?.exitCode).toBe(0); // the next command still ran
      expect(result.partial).toBe(true);
      // Closing the channel ended the remote tool (SIGPIPE on its next write).
      await vi.waitFor(
        () =>
          expect(
            lab.processesIn(lab.target.ns).filter((p) => p.includes('ipset') || p.startsWith('sleep')),
          ).toEqual([]),
        { timeout: 3_000 },
      );
    });

    it("falls back to the text form when the node's iproute2 has no -j, without marking the dump partial", async () => {
      const base = direct({ commands: ['ip-addr-json'] });
      // The `doubles` key's PATH has an `ip` that rejects -j like iproute2 before 4.13 did.
      const result = await collectNodeDumps({
        ...base,
        target: { ...base.target, privateKeyPath: lab.keys.doubles },
      });
      expect(result.files['ip-addr-json']).toMatchObject({
        exitCode: 255,
        stderr: expect.stringContaining('Option "-j" is unknown'),
      });
      expect(result.files['ip-addr']?.stdout).toContain(`inet ${lab.target.address}/30`);
      expect(result.problems).toEqual([
        expect.objectContaining({ kind: 'fallback-used', commandId: 'ip-addr-json', fallbackId: 'ip-addr' }),
      ]);
      expect(result.partial).toBe(false);
    });

    it('cuts output at the size limit, keeps the first bytes, marks the result truncated and partial', async () => {
      const result = await collectNodeDumps(
        direct({
          commands: ['iptables-save', 'kernel-release'],
          limits: { 'iptables-save': { maxBytes: 100 } },
        }),
      );
      const save = result.files['iptables-save'];
      expect(save?.truncated).toBe(true);
      expect(Buffer.byteLength(save?.stdout ?? '')).toBe(100);
      expect(save?.stdout.startsWith('# Generated by iptables-save')).toBe(true);
      expect(result.files['kernel-release']?.truncated).toBe(false);
      expect(result.problems).toEqual([
        expect.objectContaining({ kind: 'output-truncated', commandId: 'iptables-save', maxBytes: 100 }),
      ]);
      expect(result.partial).toBe(true);
    });

    it('puts the constant `sudo -n ` before root-needing commands only (sudo is absent here: noted)', async () => {
      const result = await collectNodeDumps(
        direct({ commands: ['iptables-save', 'kernel-release'], sudo: true }),
      );
      expect(result.files['iptables-save']?.command).toBe('sudo -n iptables-save -c');
      expect(result.files['kernel-release']?.command).toBe('uname -r');
      expect(result.problems).toEqual([
        expect.objectContaining({ kind: 'tool-missing', commandId: 'iptables-save', tool: 'sudo' }),
      ]);
    });

    it('refuses a command string passed as an id before opening any connection', async () => {
      const accepted = (lab.target.log().match(/Accepted publickey/g) ?? []).length;
      const connections = (lab.target.log().match(/Connection from|Accepted|Connection closed/g) ?? [])
        .length;
      const options = direct({ commands: ['iptables-save -c; reboot'] as never });
      const error = await rejection(collectNodeDumps(options));
      expectCode(error, 'unknown-command-id');
      expect(error.info).toMatchObject({ id: 'iptables-save -c; reboot' });
      await new Promise((r) => setTimeout(r, 200));
      expect((lab.target.log().match(/Accepted publickey/g) ?? []).length).toBe(accepted);
      expect((lab.target.log().match(/Connection from|Accepted|Connection closed/g) ?? []).length).toBe(
        connections,
      );
    });
  },
);
