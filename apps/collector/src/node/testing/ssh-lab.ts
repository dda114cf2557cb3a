// Test fixture: two real OpenSSH servers, each in a network namespace this file creates.
//
//   host ──veth 169.254.X.0/30── target ns (sshd on PORT, a small iptables ruleset loaded)
//   host ──veth 169.254.X.4/30── bastion ns (sshd on 22)
//   bastion ──veth 169.254.X.8/30── target ns   (the host has no route to .10: only via the bastion)
//
// Link-local /30s owned by the test; nothing leaves the host. Every sshd gets its own host keys,
// config, authorized_keys and PidFile in a temp dir, and a private tmpfs on /run (inside the
// `ip netns exec` mount namespace) for its privilege-separation directory, so the host's /run and
// any host sshd stay untouched. `cleanup()` undoes everything, also after a failed start.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SSHD = '/usr/sbin/sshd';

/** Why the lab cannot run here, or undefined when it can. */
export function sshLabUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, veth, sshd)';
  for (const tool of [SSHD, 'ip', 'iptables-restore', 'ssh-keygen', 'ssh-keyscan', 'ssh-agent', 'ssh-add']) {
    const found = tool.startsWith('/')
      ? existsSync(tool)
      : spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
    if (!found) return `${tool} is not installed`;
  }
  return undefined;
}

function run(cmd: string, args: readonly string[], input?: string): string {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function runAsync(cmd: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: ${code} ${stderr}`)),
    );
  });
}

/** Rules loaded into the target namespace; the tests look for them in the dumps. */
export const LAB_IPTABLES_RULES = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-TCOU7JCQXEZGVUNU - [0:0]
:KUBE-SEP-SVCPATHLAB0001 - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns -> 10.244.0.5:53" -j KUBE-SEP-SVCPATHLAB0001
-A KUBE-SEP-SVCPATHLAB0001 -p udp -m comment --comment "kube-system/kube-dns:dns" -m udp -j DNAT --to-destination 10.244.0.5:53
COMMIT
`;

interface SshdHandle {
  readonly process: ChildProcess;
  log(): string;
}

export interface SshLab {
  readonly dir: string;
  readonly target: {
    readonly ns: string;
    /** Reachable from the host. */
    readonly address: string;
    /** Reachable only from the bastion. */
    readonly innerAddress: string;
    readonly port: number;
    readonly hostKeys: { readonly ed25519: string; readonly ecdsa: string; readonly rsa: string };
    log(): string;
  };
  readonly bastion: {
    readonly ns: string;
    readonly address: string;
    readonly innerAddress: string;
    readonly port: 22;
    readonly hostKey: string;
    log(): string;
  };
  /** Private key files. `doubles` logs in with a PATH holding test doubles of `ipset` (slow) and `ip` (old). */
  readonly keys: {
    readonly plain: string;
    readonly encrypted: string;
    readonly agent: string;
    readonly doubles: string;
    readonly stranger: string;
  };
  readonly passphrase: string;
  /** A known_hosts line for `host`:`port` with the public key in `pubPath`. */
  knownHostsLine(host: string, port: number, pubPath: string): Promise<string>;
  /** `SHA256:…` of a public key file, as `ssh-keygen -lf` prints it. */
  fingerprint(pubPath: string): string;
  /** Starts an ssh-agent holding `key`; returns its socket. Stopped by cleanup(). */
  startAgent(key: string): Promise<string>;
  /** Command lines of the processes in a namespace. */
  processesIn(ns: string): string[];
  cleanup(): Promise<void>;
}

function pickSubnetOctet(): number {
  const used = run('ip', ['-4', '-o', 'addr']);
  for (let attempt = 0; attempt < 50; attempt++) {
    const octet = randomInt(16, 240);
    if (!used.includes(`169.254.${octet}.`)) return octet;
  }
  throw new Error('no free 169.254.X.0/24 for the ssh lab');
}

function sshdConfig(dir: string, name: string, port: number, hostKeys: readonly string[]): string {
  return [
    `Port ${port}`,
    'ListenAddress 0.0.0.0',
    ...hostKeys.map((k) => `HostKey ${k}`),
    `PidFile ${dir}/${name}.pid`,
    `AuthorizedKeysFile ${dir}/${name}.authorized_keys`,
    'StrictModes no',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    // Lets authorized_keys lines set HOME (skip root's dotfiles) and PATH (the ipset double).
    'PermitUserEnvironment PATH,HOME',
    'AllowTcpForwarding yes',
    'LogLevel INFO',
    '',
  ].join('\n');
}

function startSshd(ns: string, configPath: string): Promise<SshdHandle> {
  // `ip netns exec` runs in a private mount namespace: mount a tmpfs on /run there for /run/sshd.
  const script = 'mount -t tmpfs -o mode=755 tmpfs /run && mkdir -m 755 /run/sshd && exec "$0" -D -e -f "$1"';
  const child = spawn('ip', ['netns', 'exec', ns, 'sh', '-c', script, SSHD, configPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`sshd in ${ns} did not start: ${log}`)), 10_000);
    const check = setInterval(() => {
      if (log.includes('Server listening on')) {
        clearTimeout(deadline);
        clearInterval(check);
        resolve({ process: child, log: () => log });
      }
    }, 20);
    child.on('exit', (code) => {
      clearTimeout(deadline);
      clearInterval(check);
      reject(new Error(`sshd in ${ns} exited (${code}): ${log}`));
    });
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function pidsIn(ns: string): number[] {
  const r = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split(/\s+/).filter(Boolean).map(Number) : [];
}

/** Builds the lab. On any failure it tears down what it already built, then rethrows. */
export async function startSshLab(): Promise<SshLab> {
  const rand = randomBytes(3).toString('hex');
  const dir = await mkdtemp(join(tmpdir(), 'svcpath-ssh-'));
  const undo: (() => void | Promise<void>)[] = [() => rm(dir, { recursive: true, force: true })];
  const syncUndo: (() => void)[] = [];
  // Last resort if the test process dies without afterAll: netns and veths would outlive it.
  const onExit = (): void => syncUndo.forEach((f) => f());
  process.once('exit', onExit);
  const cleanup = async (): Promise<void> => {
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch {
        // keep undoing the rest
      }
    }
    undo.length = 0;
    process.removeListener('exit', onExit);
  };
  try {
    const x = pickSubnetOctet();
    const nsT = `svcpath-ssh-${rand}`;
    const nsB = `svcpath-ssh-${rand}-b`;
    for (const ns of [nsT, nsB]) {
      run('ip', ['netns', 'add', ns]);
      const del = (): void => {
        // Kill what still runs in the namespace (the sshds' session processes), by pid.
        for (const pid of pidsIn(ns)) spawnSync('kill', ['-9', String(pid)]);
        spawnSync('ip', ['netns', 'del', ns]);
      };
      undo.push(del);
      syncUndo.push(del);
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    const link = (
      a: string,
      aNs: string | undefined,
      aAddr: string,
      b: string,
      bNs: string,
      bAddr: string,
    ): void => {
      run('ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
      const del = (): void => void spawnSync('ip', ['link', 'del', a]);
      if (aNs === undefined) {
        undo.push(del);
        syncUndo.push(del);
      }
      run('ip', ['link', 'set', b, 'netns', bNs]);
      if (aNs !== undefined) run('ip', ['link', 'set', a, 'netns', aNs]);
      const inA = aNs === undefined ? [] : ['-n', aNs];
      run('ip', [...inA, 'addr', 'add', `${aAddr}/30`, 'dev', a]);
      run('ip', [...inA, 'link', 'set', a, 'up']);
      run('ip', ['-n', bNs, 'addr', 'add', `${bAddr}/30`, 'dev', b]);
      run('ip', ['-n', bNs, 'link', 'set', b, 'up']);
    };
    const net = `169.254.${x}`;
    link(`svp${rand}h0`, undefined, `${net}.1`, `svp${rand}t0`, nsT, `${net}.2`);
    link(`svp${rand}h1`, undefined, `${net}.5`, `svp${rand}b1`, nsB, `${net}.6`);
    link(`svp${rand}b2`, nsB, `${net}.9`, `svp${rand}t2`, nsT, `${net}.10`);
    run('ip', ['netns', 'exec', nsT, 'iptables-restore'], LAB_IPTABLES_RULES);

    const passphrase = 'correct horse battery staple';
    // `-a 4`: few KDF rounds, so decrypting the encrypted key (pure JS bcrypt in ssh2) stays fast.
    const keygen = (name: string, type: string, pass = ''): Promise<void> =>
      runAsync('ssh-keygen', [
        '-q',
        '-t',
        type,
        '-N',
        pass,
        '-a',
        '4',
        '-C',
        `svcpath-lab-${name}`,
        '-f',
        join(dir, name),
      ]);
    await Promise.all([
      keygen('target_ed25519', 'ed25519'),
      keygen('target_ecdsa', 'ecdsa'),
      keygen('target_rsa', 'rsa'),
      keygen('bastion_ed25519', 'ed25519'),
      keygen('id_plain', 'ed25519'),
      keygen('id_encrypted', 'ecdsa', passphrase),
      keygen('id_agent', 'ed25519'),
      keygen('id_doubles', 'ed25519'),
      keygen('id_stranger', 'ed25519'),
    ]);
    const pub = (name: string): Promise<string> =>
      readFile(join(dir, `${name}.pub`), 'utf8').then((s) => s.trim());

    // Test doubles on the PATH of the `doubles` key only (see its authorized_keys line):
    // - `ipset`: not installed here, and the timeout test needs a command that keeps printing
    //   slowly; it dies of SIGPIPE once the collector closes the channel.
    // - `ip`: an iproute2 too old for `-j` (its real error message), to exercise the text fallback.
    const doublesBin = join(dir, 'doubles-bin');
    await runAsync('mkdir', [doublesBin]);
    await writeFile(
      join(doublesBin, 'ipset'),
      '#!/bin/sh\n# Test double, see ssh-lab.ts\nwhile :; do echo "create KUBE-CLUSTER-IP hash:ip,port family inet"; sleep 0.2; done\n',
      { mode: 0o755 },
    );
    await writeFile(
      join(doublesBin, 'ip'),
      `#!/bin/sh\n# Test double, see ssh-lab.ts\nif [ "$1" = -j ]; then echo 'Option "-j" is unknown, try "ip -help".' >&2; exit 255; fi\nexec /usr/sbin/ip "$@"\n`,
      { mode: 0o755 },
    );
    const doublesPath = `${doublesBin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
    // HOME points at an empty dir so the session shell skips root's real dotfiles: faster
    // (no pyenv/cargo init per command) and independent of how this machine's root is set up.
    const home = join(dir, 'home');
    await runAsync('mkdir', [home]);
    const env = `environment="HOME=${home}"`;
    const targetAuthorized = [
      `${env} ${await pub('id_plain')}`,
      `${env} ${await pub('id_encrypted')}`,
      `${env} ${await pub('id_agent')}`,
      `${env},environment="PATH=${doublesPath}" ${await pub('id_doubles')}`,
    ];
    await writeFile(join(dir, 'target.authorized_keys'), targetAuthorized.join('\n') + '\n');
    await writeFile(
      join(dir, 'bastion.authorized_keys'),
      [await pub('id_plain'), await pub('id_agent')].join('\n') + '\n',
    );

    const port = randomInt(20_000, 60_000);
    const hostKeys = {
      ed25519: join(dir, 'target_ed25519'),
      ecdsa: join(dir, 'target_ecdsa'),
      rsa: join(dir, 'target_rsa'),
    };
    await writeFile(
      join(dir, 'target.sshd_config'),
      sshdConfig(dir, 'target', port, Object.values(hostKeys)),
    );
    await writeFile(
      join(dir, 'bastion.sshd_config'),
      sshdConfig(dir, 'bastion', 22, [join(dir, 'bastion_ed25519')]),
    );
    const targetSshd = await startSshd(nsT, join(dir, 'target.sshd_config'));
    undo.push(() => stopProcess(targetSshd.process));
    const bastionSshd = await startSshd(nsB, join(dir, 'bastion.sshd_config'));
    undo.push(() => stopProcess(bastionSshd.process));

    return {
      dir,
      target: {
        ns: nsT,
        address: `${net}.2`,
        innerAddress: `${net}.10`,
        port,
        hostKeys: {
          ed25519: `${hostKeys.ed25519}.pub`,
          ecdsa: `${hostKeys.ecdsa}.pub`,
          rsa: `${hostKeys.rsa}.pub`,
        },
        log: targetSshd.log,
      },
      bastion: {
        ns: nsB,
        address: `${net}.6`,
        innerAddress: `${net}.9`,
        port: 22,
        hostKey: join(dir, 'bastion_ed25519.pub'),
        log: bastionSshd.log,
      },
      keys: {
        plain: join(dir, 'id_plain'),
        encrypted: join(dir, 'id_encrypted'),
        agent: join(dir, 'id_agent'),
        doubles: join(dir, 'id_doubles'),
        stranger: join(dir, 'id_stranger'),
      },
      passphrase,
      async knownHostsLine(host, port, pubPath) {
        const [type, key] = (await readFile(pubPath, 'utf8')).trim().split(/\s+/);
        return `${port === 22 ? host : `[${host}]:${port}`} ${type} ${key}`;
      },
      fingerprint(pubPath) {
        const out = run('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubPath]);
        const fp = /SHA256:\S+/.exec(out)?.[0];
        if (fp === undefined) throw new Error(`no fingerprint in ${out}`);
        return fp;
      },
      async startAgent(key) {
        const socket = join(dir, `agent-${randomBytes(2).toString('hex')}.sock`);
        const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
        undo.push(() => stopProcess(agent));
        for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 20));
        const added = spawnSync('ssh-add', [key], {
          env: { ...process.env, SSH_AUTH_SOCK: socket },
          encoding: 'utf8',
        });
        if (added.status !== 0) throw new Error(`ssh-add failed: ${added.stderr}`);
        return socket;
      },
      processesIn(ns) {
        return pidsIn(ns)
          .map((pid) =>
            spawnSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim(),
          )
          .filter(Boolean);
      },
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
