// Turns what the caller asked for (a host or ssh_config alias, optional overrides) plus ssh_config
// into the concrete chain of hops to connect through. Pure: file contents and local facts come in.
import { NodeCollectError } from './node-collect-error.js';
import { expandSshTokens, resolveSshHost } from './ssh-config.js';
import type { SshConfig } from './ssh-config.js';

/** Where to connect and how to authenticate. Explicit fields override ssh_config, as on ssh(1)'s command line. */
export interface SshTarget {
  /** Host name, address, or an alias from ssh_config. */
  readonly host: string;
  readonly port?: number;
  readonly user?: string;
  /** A private key file (OpenSSH or PEM format). Tried before ssh_config's IdentityFile entries. */
  readonly privateKeyPath?: string;
  /** Passphrase for encrypted private keys. */
  readonly passphrase?: string;
  /** ssh-agent socket; default IdentityAgent from ssh_config, else $SSH_AUTH_SOCK. `false`: no agent. */
  readonly agent?: string | false;
  /** OpenSSH ProxyJump syntax: `[user@]host[:port][,…]`, `ssh://…`, or `none`. Overrides ssh_config. */
  readonly proxyJump?: string;
  /** ssh_config to read. Default `~/.ssh/config` (missing is fine); `null` reads none. */
  readonly sshConfigPath?: string | null;
  /** Handshake timeout per hop. Default 20 s. */
  readonly connectTimeoutMs?: number;
}

/** One concrete SSH connection of the chain (jump hosts first, the node last). */
export interface ResolvedHop {
  /** The name the user gave (alias); `hostName` is what is actually dialled and checked in known_hosts. */
  readonly alias: string;
  readonly hostName: string;
  readonly port: number;
  readonly user: string;
  /** Key files to try, in order; `required` ones must be readable. */
  readonly identityFiles: readonly { readonly path: string; readonly required: boolean }[];
  readonly agent?: string;
  readonly knownHostsFiles: readonly string[];
}

/** Facts about the local machine the resolution needs (passed in to keep this module pure). */
export interface LocalFacts {
  readonly homeDir: string;
  readonly localUser: string;
  readonly authSock?: string;
}

interface JumpSpec {
  readonly host: string;
  readonly user?: string;
  readonly port?: number;
}

const MAX_HOPS = 8;

/** Parses one ProxyJump list (`a,user@b:2222,ssh://c`). Throws `proxy-jump-invalid`. */
export function parseProxyJump(spec: string): JumpSpec[] {
  return spec.split(',').map((raw) => {
    const part = raw.trim().replace(/^ssh:\/\//, '');
    const m = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s[\]]+)(?::(\d{1,5}))?$/.exec(part);
    const port = m?.[3] === undefined ? undefined : Number(m[3]);
    if (!m || m[2] === undefined || (port !== undefined && (port < 1 || port > 65535))) {
      throw new NodeCollectError({
        code: 'proxy-jump-invalid',
        message: `Cannot read ProxyJump entry ${JSON.stringify(raw)}`,
        spec,
      });
    }
    return { host: m[2].replace(/^\[(.*)\]$/, '$1'), user: m[1], port };
  });
}

interface HopRequest {
  readonly alias: string;
  readonly port?: number;
  readonly user?: string;
  readonly privateKeyPath?: string;
  readonly agent?: string | false;
  /** undefined: use ssh_config's ProxyJump; 'none' or a list: explicit. */
  readonly proxyJump?: string;
}

/**
 * Resolves `target` into hops, first connection first. Mirrors ssh(1): for `ProxyJump a,b`, host `a`
 * is reached using its own ssh_config (including its own ProxyJump), `b` through `a`, the node through `b`.
 */
export function resolveHops(
  target: SshTarget,
  config: SshConfig,
  local: LocalFacts,
  knownHostsOverride?: string,
): ResolvedHop[] {
  const hops = resolveChain(
    {
      alias: target.host,
      port: target.port,
      user: target.user,
      privateKeyPath: target.privateKeyPath,
      agent: target.agent,
      proxyJump: target.proxyJump,
    },
    config,
    local,
    knownHostsOverride,
    0,
  );
  return hops;
}

function resolveChain(
  req: HopRequest,
  config: SshConfig,
  local: LocalFacts,
  knownHostsOverride: string | undefined,
  depth: number,
): ResolvedHop[] {
  if (depth > MAX_HOPS) {
    throw new NodeCollectError({
      code: 'proxy-jump-invalid',
      message: `ProxyJump chain deeper than ${MAX_HOPS} hops (a loop?) at ${req.alias}`,
      spec: req.alias,
    });
  }
  const hostConfig = resolveSshHost(config, req.alias.toLowerCase());
  if (
    hostConfig.proxyCommand !== undefined &&
    hostConfig.proxyCommand.toLowerCase() !== 'none' &&
    req.proxyJump === undefined &&
    hostConfig.proxyJump === undefined
  ) {
    // Ignoring it would silently dial the host directly, bypassing the path the user set up.
    throw new NodeCollectError({
      code: 'ssh-config-unsupported',
      message: `ProxyCommand for ${req.alias} is not supported; use ProxyJump`,
      host: req.alias,
      option: 'ProxyCommand',
    });
  }
  const jumpSpec = req.proxyJump ?? hostConfig.proxyJump;
  const before: ResolvedHop[] = [];
  if (jumpSpec !== undefined && jumpSpec.toLowerCase() !== 'none') {
    const jumps = parseProxyJump(jumpSpec);
    jumps.forEach((jump, index) => {
      // Only the first jump host applies its own ProxyJump; later ones are reached through the earlier ones.
      const chain = resolveChain(
        {
          alias: jump.host,
          port: jump.port,
          user: jump.user,
          privateKeyPath: req.privateKeyPath,
          agent: req.agent,
          proxyJump: index === 0 ? undefined : 'none',
        },
        config,
        local,
        knownHostsOverride,
        depth + 1 + index,
      );
      before.push(...chain);
    });
  }
  return [...before, hopFromConfig(req, hostConfig, local, knownHostsOverride)];
}

function hopFromConfig(
  req: HopRequest,
  c: ReturnType<typeof resolveSshHost>,
  local: LocalFacts,
  knownHostsOverride: string | undefined,
): ResolvedHop {
  const port = req.port ?? c.port ?? 22;
  const user = req.user ?? c.user ?? local.localUser;
  const tokens = {
    alias: req.alias,
    hostName: req.alias,
    port,
    remoteUser: user,
    localUser: local.localUser,
    homeDir: local.homeDir,
  };
  const hostName = c.hostName === undefined ? req.alias : expandSshTokens(c.hostName, tokens);
  const expand = (value: string): string => expandSshTokens(value, { ...tokens, hostName });
  const identityFiles = [
    ...(req.privateKeyPath === undefined ? [] : [{ path: req.privateKeyPath, required: true }]),
    ...c.identityFiles.map((p) => ({ path: expand(p), required: false })),
  ];
  const configAgent =
    c.identityAgent === undefined
      ? undefined
      : c.identityAgent === 'SSH_AUTH_SOCK'
        ? local.authSock
        : c.identityAgent.toLowerCase() === 'none'
          ? false
          : expand(c.identityAgent);
  const agent = req.agent ?? configAgent ?? local.authSock;
  const knownHostsFiles =
    knownHostsOverride !== undefined
      ? [knownHostsOverride]
      : (c.userKnownHostsFiles ?? ['~/.ssh/known_hosts']).map(expand);
  return {
    alias: req.alias,
    hostName,
    port,
    user,
    identityFiles,
    agent: agent === false || agent === '' ? undefined : agent,
    knownHostsFiles,
  };
}
