// The SSH adapter: opens an authenticated ssh2 connection to a node, through any ProxyJump hosts
// (each a second ssh2 Client over a forwardOut stream of the previous one), checking every hop's
// host key against known_hosts. The only module besides run-node-command.ts that touches ssh2.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { homedir, userInfo } from 'node:os';
// ssh2 is CommonJS: Node's ESM loader cannot see its named exports, so take them off the default export.
import ssh2, { type Client as SshClient } from 'ssh2';
import type { AnyAuthMethod, ClientChannel, ClientErrorExtensions } from 'ssh2';
import { NodeCollectError } from './node-collect-error.js';
import { formatKnownHostsLine, knownKeyTypes, parseKnownHosts } from './known-hosts.js';
import type { KnownHostEntry } from './known-hosts.js';

const { Client, utils } = ssh2;
type Client = SshClient;
import { decideHostKey, hostKeyAlgorithmOrder } from './host-key-policy.js';
import type { HostKeyPolicy, HostKeyVerdict } from './host-key-policy.js';
import { parseSshConfig } from './ssh-config.js';
import type { SshConfig } from './ssh-config.js';
import { resolveHops } from './ssh-target.js';
import type { LocalFacts, ResolvedHop, SshTarget } from './ssh-target.js';

/** Connection progress, for a UI or log. */
export type SshConnectEvent =
  | {
      readonly kind: 'connecting';
      readonly host: string;
      readonly port: number;
      readonly hop: number;
      readonly hops: number;
    }
  | {
      readonly kind: 'host-key-added';
      readonly host: string;
      readonly port: number;
      readonly fingerprint: string;
      readonly path: string;
    }
  | { readonly kind: 'connected'; readonly host: string; readonly port: number; readonly user: string };

/** An open connection to the node; `close()` ends it and every jump connection under it. */
export interface SshSession {
  readonly client: Client;
  readonly hops: readonly ResolvedHop[];
  close(): void;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;

function errno(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined;
    throw error;
  }
}

async function loadSshConfig(target: SshTarget, local: LocalFacts): Promise<SshConfig> {
  if (target.sshConfigPath === null) return parseSshConfig('');
  const path = target.sshConfigPath ?? `${local.homeDir}/.ssh/config`;
  try {
    const text = await readOptional(path);
    if (text === undefined && target.sshConfigPath !== undefined) throw new Error('no such file');
    return parseSshConfig(text ?? '');
  } catch (error) {
    throw new NodeCollectError(
      { code: 'ssh-config-unreadable', message: `Cannot read ssh config ${path}: ${String(error)}`, path },
      { cause: error },
    );
  }
}

async function loadKnownHosts(paths: readonly string[]): Promise<KnownHostEntry[]> {
  const entries: KnownHostEntry[] = [];
  for (const path of paths) entries.push(...parseKnownHosts((await readOptional(path)) ?? '', path));
  return entries;
}

async function authMethods(hop: ResolvedHop, passphrase: string | undefined): Promise<AnyAuthMethod[]> {
  const methods: AnyAuthMethod[] = [];
  for (const { path, required } of hop.identityFiles) {
    let data: Buffer;
    try {
      data = await readFile(path);
    } catch (error) {
      if (!required && errno(error) === 'ENOENT') continue;
      throw new NodeCollectError(
        { code: 'identity-unreadable', message: `Cannot read private key ${path}: ${String(error)}`, path },
        { cause: error },
      );
    }
    const parsed = utils.parseKey(data, passphrase);
    if (parsed instanceof Error) {
      const encrypted = /passphrase|encrypted|decrypt|bad decrypt/i.test(parsed.message);
      if (!required && !encrypted) continue;
      throw new NodeCollectError(
        encrypted
          ? {
              code: 'identity-passphrase',
              message: `Private key ${path} is encrypted and the passphrase is missing or wrong`,
              path,
            }
          : {
              code: 'identity-unreadable',
              message: `Cannot parse private key ${path}: ${parsed.message}`,
              path,
            },
      );
    }
    methods.push({ type: 'publickey', username: hop.user, key: parsed });
  }
  if (hop.agent !== undefined) methods.push({ type: 'agent', username: hop.user, agent: hop.agent });
  if (methods.length === 0) {
    throw new NodeCollectError({
      code: 'no-auth-method',
      message: `No way to authenticate to ${hop.alias}: no readable private key and no ssh-agent (tried ${hop.identityFiles.map((f) => f.path).join(', ') || 'no key files'})`,
      host: hop.alias,
      tried: hop.identityFiles.map((f) => f.path),
    });
  }
  return methods;
}

async function appendKnownHost(hop: ResolvedHop, index: number, key: Buffer, hash: boolean): Promise<string> {
  const path = hop.knownHostsFiles[0] ?? '';
  try {
    const existing = (await readOptional(path)) ?? '';
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
    await appendFile(path, separator + formatKnownHostsLine(hop.hostName, hop.port, key, hash) + '\n', {
      mode: 0o600,
    });
    return path;
  } catch (error) {
    throw new NodeCollectError(
      {
        code: 'known-hosts-write-failed',
        message: `Accepted the host key of ${hop.hostName} but cannot write ${path}: ${String(error)}`,
        path,
        host: hop.hostName,
        port: hop.port,
        hop: index,
      },
      { cause: error },
    );
  }
}

function connectError(
  error: Error & ClientErrorExtensions,
  hop: ResolvedHop,
  index: number,
  timeoutMs: number,
): NodeCollectError {
  const where = { host: hop.hostName, port: hop.port, hop: index };
  if (error.level === 'client-authentication') {
    return new NodeCollectError(
      {
        code: 'auth-failed',
        message: `Authentication as ${hop.user} to ${hop.hostName}:${hop.port} failed (${error.message})`,
        user: hop.user,
        ...where,
      },
      { cause: error },
    );
  }
  if (error.level === 'client-timeout') {
    return new NodeCollectError(
      {
        code: 'connect-timeout',
        message: `No SSH handshake with ${hop.hostName}:${hop.port} within ${timeoutMs} ms`,
        timeoutMs,
        ...where,
      },
      { cause: error },
    );
  }
  return new NodeCollectError(
    {
      code: 'connect-failed',
      message: `SSH connection to ${hop.hostName}:${hop.port} failed: ${error.message}`,
      ...where,
    },
    { cause: error },
  );
}

interface HopContext {
  readonly hop: ResolvedHop;
  readonly index: number;
  readonly sock?: ClientChannel;
  readonly policy: HostKeyPolicy;
  readonly passphrase?: string;
  readonly timeoutMs: number;
  readonly onEvent?: (event: SshConnectEvent) => void;
}

async function connectHop(ctx: HopContext): Promise<Client> {
  const { hop, index, policy } = ctx;
  const entries = await loadKnownHosts(hop.knownHostsFiles);
  const methods = await authMethods(hop, ctx.passphrase);
  const who = { host: hop.hostName, port: hop.port, hop: index, knownHostsPaths: hop.knownHostsFiles };
  return new Promise<Client>((resolve, reject) => {
    const client = new Client();
    let verdict: HostKeyVerdict | undefined;
    let persisted: Promise<unknown> = Promise.resolve();
    let appended = false;
    let settled = false;
    const fail = (error: NodeCollectError): void => {
      if (settled) return;
      settled = true;
      client.end();
      reject(error);
    };
    client.on('handshake', () => {
      // After the server proved it holds the key (signature checked), as ssh(1) does. Once only:
      // a re-key later in the session runs the verifier and this event again.
      if (verdict?.kind !== 'accepted-new' || appended) return;
      appended = true;
      const key = verdict.key;
      const fingerprint = verdict.fingerprint;
      persisted = appendKnownHost(hop, index, key, policy.hashKnownHosts === true).then(
        (path) =>
          ctx.onEvent?.({ kind: 'host-key-added', host: hop.hostName, port: hop.port, fingerprint, path }),
        (error: NodeCollectError) => fail(error),
      );
    });
    client.on('ready', () => {
      void persisted.then(() => {
        if (settled) return;
        settled = true;
        resolve(client);
      });
    });
    client.on('error', (error: Error & ClientErrorExtensions) => {
      fail(verdict?.kind === 'refused' ? verdict.error : connectError(error, hop, index, ctx.timeoutMs));
    });
    client.on('close', () => {
      fail(
        new NodeCollectError({
          code: 'connect-failed',
          message: `${hop.hostName}:${hop.port} closed the connection during setup`,
          ...who,
        }),
      );
    });
    client.connect({
      ...(ctx.sock ? { sock: ctx.sock } : { host: hop.hostName, port: hop.port }),
      username: hop.user,
      authHandler: methods,
      readyTimeout: ctx.timeoutMs,
      keepaliveInterval: 15_000,
      algorithms: { serverHostKey: hostKeyAlgorithmOrder(knownKeyTypes(entries, hop.hostName, hop.port)) },
      hostVerifier: (key: Buffer): boolean => {
        verdict = decideHostKey(entries, who, key, policy);
        return verdict.kind !== 'refused';
      },
    });
  });
}

function forwardTo(via: Client, hop: ResolvedHop, index: number, timeoutMs: number): Promise<ClientChannel> {
  const where = { host: hop.hostName, port: hop.port, hop: index };
  return new Promise((resolve, reject) => {
    // The jump host dials the next hop itself; bound the wait like the handshake.
    const timer = setTimeout(() => {
      const message = `Jump host did not reach ${hop.hostName}:${hop.port} within ${timeoutMs} ms`;
      reject(new NodeCollectError({ code: 'connect-timeout', message, timeoutMs, ...where }));
    }, timeoutMs);
    // The source address is informational for sshd's direct-tcpip; ssh(1) -W sends 127.0.0.1 too.
    via.forwardOut('127.0.0.1', 0, hop.hostName, hop.port, (error, stream) => {
      clearTimeout(timer);
      if (!error) return resolve(stream);
      const message = `Jump host could not open a channel to ${hop.hostName}:${hop.port}: ${error.message}`;
      reject(new NodeCollectError({ code: 'connect-failed', message, ...where }, { cause: error }));
    });
  });
}

/** Local facts from this process: home directory, login name, $SSH_AUTH_SOCK. */
export function localFacts(): LocalFacts {
  const authSock = process.env['SSH_AUTH_SOCK'];
  return {
    homeDir: homedir(),
    localUser: userInfo().username,
    authSock: authSock === '' ? undefined : authSock,
  };
}

/**
 * Opens an authenticated SSH session to `target`, through its ProxyJump chain. Throws a
 * `NodeCollectError` (host-key-*, auth-failed, connect-*, identity-*, ssh-config-*) on failure,
 * closing whatever part of the chain was already open.
 */
export async function openSshSession(
  target: SshTarget,
  policy: HostKeyPolicy,
  onEvent?: (event: SshConnectEvent) => void,
): Promise<SshSession> {
  const local = localFacts();
  const config = await loadSshConfig(target, local);
  const hops = resolveHops(target, config, local, policy.knownHostsPath);
  const clients: Client[] = [];
  const close = (): void => {
    for (const client of [...clients].reverse()) client.end();
  };
  try {
    for (const [index, hop] of hops.entries()) {
      onEvent?.({ kind: 'connecting', host: hop.hostName, port: hop.port, hop: index, hops: hops.length });
      const previous = clients[clients.length - 1];
      const timeoutMs = target.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
      const sock = previous === undefined ? undefined : await forwardTo(previous, hop, index, timeoutMs);
      clients.push(
        await connectHop({ hop, index, sock, policy, passphrase: target.passphrase, timeoutMs, onEvent }),
      );
    }
  } catch (error) {
    close();
    throw error;
  }
  const node = hops[hops.length - 1];
  const client = clients[clients.length - 1];
  if (node === undefined || client === undefined) throw new Error('resolveHops returned no hop');
  onEvent?.({ kind: 'connected', host: node.hostName, port: node.port, user: node.user });
  return { client, hops, close };
}
