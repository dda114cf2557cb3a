import { describe, expect, it } from 'vitest';
import { NodeCollectError } from './node-collect-error.js';
import { expandSshTokens, parseSshConfig, resolveSshHost } from './ssh-config.js';
import { parseProxyJump, resolveHops } from './ssh-target.js';

const CONFIG = `
# global defaults first? No: ssh(1) takes the FIRST value, so specific blocks go first.
Host web-? !web-9
    HostName %h.internal
    User deploy
Host web-*
    Port 2201
    User ignored-because-first-wins
    IdentityFile ~/.ssh/web_key
Host bastion
    HostName 203.0.113.10
    User jump
    IdentityFile "/keys/with space"
Host deep-*
    ProxyJump bastion,inner:2222
Host inner
    HostName 10.0.0.5
    ProxyJump ignored-for-non-first-jumps
Host legacy
    ProxyCommand ssh -W %h:%p gateway
Host loop-a
    ProxyJump loop-b
Host loop-b
    ProxyJump loop-a
Match host foo exec "true"
    User never
Host *
    IdentityFile ~/.ssh/id_ed25519
    UserKnownHostsFile ~/.ssh/known_hosts_%n /etc/ssh/ssh_known_hosts
    IdentityAgent=/run/agent.sock
Include config.d/*
`;

const local = { homeDir: '/home/me', localUser: 'me', authSock: '/tmp/env.sock' };

describe('parseSshConfig / resolveSshHost', () => {
  const config = parseSshConfig(CONFIG);

  it('reports what it cannot follow instead of guessing', () => {
    expect(config.diagnostics.map((d) => d.code)).toEqual(['unsupported-match', 'unsupported-include']);
  });

  it('applies every matching block, first value wins, IdentityFile accumulates, ! vetoes a block', () => {
    expect(resolveSshHost(config, 'web-1')).toMatchObject({
      hostName: '%h.internal',
      user: 'deploy',
      port: 2201,
      identityFiles: ['~/.ssh/web_key', '~/.ssh/id_ed25519'],
      identityAgent: '/run/agent.sock',
    });
    expect(resolveSshHost(config, 'web-9')).toMatchObject({
      hostName: undefined,
      user: 'ignored-because-first-wins',
    });
    expect(resolveSshHost(config, 'web-10').hostName).toBeUndefined(); // ? is exactly one character
    expect(resolveSshHost(config, 'bastion').identityFiles[0]).toBe('/keys/with space');
  });

  it('expands ~ and percent tokens', () => {
    const t = {
      alias: 'n1',
      hostName: '10.0.0.1',
      port: 22,
      remoteUser: 'root',
      localUser: 'me',
      homeDir: '/home/me',
    };
    expect(expandSshTokens('~/.ssh/kh_%n_%h_%p_%r_%u%%', t)).toBe('/home/me/.ssh/kh_n1_10.0.0.1_22_root_me%');
  });
});

describe('resolveHops', () => {
  const config = parseSshConfig(CONFIG);

  it('resolves an alias into one hop, explicit fields overriding ssh_config', () => {
    const [hop, ...rest] = resolveHops({ host: 'web-1', user: 'root', privateKeyPath: '/k' }, config, local);
    expect(rest).toEqual([]);
    expect(hop).toEqual({
      alias: 'web-1',
      hostName: 'web-1.internal',
      port: 2201,
      user: 'root',
      identityFiles: [
        { path: '/k', required: true },
        { path: '/home/me/.ssh/web_key', required: false },
        { path: '/home/me/.ssh/id_ed25519', required: false },
      ],
      agent: '/run/agent.sock',
      knownHostsFiles: ['/home/me/.ssh/known_hosts_web-1', '/etc/ssh/ssh_known_hosts'],
    });
  });

  it('builds the ProxyJump chain like ssh(1): first jump with its own config, later jumps through it', () => {
    const hops = resolveHops({ host: 'deep-1', agent: false }, config, local);
    expect(hops.map((h) => `${h.user}@${h.hostName}:${h.port}`)).toEqual([
      'jump@203.0.113.10:22',
      'me@10.0.0.5:2222',
      'me@deep-1:22',
    ]);
    expect(hops.every((h) => h.agent === undefined)).toBe(true);
  });

  it('takes an explicit proxyJump (user@host:port, ssh:// form) over ssh_config, and `none` disables it', () => {
    expect(
      resolveHops({ host: 'deep-1', proxyJump: 'ssh://root@[fd00::1]:2022' }, config, local).map(
        (h) => `${h.user}@${h.hostName}:${h.port}`,
      ),
    ).toEqual(['root@fd00::1:2022', 'me@deep-1:22']);
    expect(resolveHops({ host: 'deep-1', proxyJump: 'none' }, config, local)).toHaveLength(1);
  });

  it('uses the knownHostsPath override for every hop', () => {
    expect(
      resolveHops({ host: 'deep-1' }, config, local, '/tmp/kh').every(
        (h) => h.knownHostsFiles.join() === '/tmp/kh',
      ),
    ).toBe(true);
  });

  it('refuses ProxyCommand (it would silently bypass the intended path), loops and bad jump specs', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (error) {
        return error instanceof NodeCollectError ? error.code : String(error);
      }
      return undefined;
    };
    expect(code(() => resolveHops({ host: 'legacy' }, config, local))).toBe('ssh-config-unsupported');
    expect(code(() => resolveHops({ host: 'loop-a' }, config, local))).toBe('proxy-jump-invalid');
    expect(code(() => parseProxyJump('a,b@:22'))).toBe('proxy-jump-invalid');
    expect(code(() => parseProxyJump('host:99999'))).toBe('proxy-jump-invalid');
  });
});
