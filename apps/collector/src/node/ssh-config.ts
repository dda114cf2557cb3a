// A parser for the subset of OpenSSH's ssh_config(5) the collector needs (ssh2 reads none of it):
// Host blocks with `*`/`?`/`!` patterns, and HostName, Port, User, IdentityFile, IdentityAgent,
// ProxyJump, ProxyCommand, UserKnownHostsFile. Pure: text in, objects out; the adapter reads files.
import { matchHostPatternList } from './host-pattern.js';

/** One `Keyword value…` line, keyword lowercased, arguments unquoted. */
export interface SshConfigOption {
  readonly keyword: string;
  readonly args: readonly string[];
  readonly line: number;
}

/** A `Host` block (or the implicit block before the first `Host`, with patterns `['*']`). */
export interface SshConfigBlock {
  readonly patterns: readonly string[];
  readonly options: readonly SshConfigOption[];
  readonly line: number;
}

export interface SshConfigDiagnostic {
  readonly code: 'unsupported-match' | 'unsupported-include' | 'malformed-line';
  readonly line: number;
  readonly message: string;
}

export interface SshConfig {
  readonly blocks: readonly SshConfigBlock[];
  readonly diagnostics: readonly SshConfigDiagnostic[];
}

/** What ssh_config says about one host alias. Absent fields were not set by any matching block. */
export interface SshHostConfig {
  readonly hostName?: string;
  readonly port?: number;
  readonly user?: string;
  readonly identityFiles: readonly string[];
  readonly identityAgent?: string;
  readonly proxyJump?: string;
  readonly proxyCommand?: string;
  readonly userKnownHostsFiles?: readonly string[];
}

/** Splits an argument string the way OpenSSH's argv_split does: whitespace, double quotes. */
function splitArgs(text: string): string[] | undefined {
  const args: string[] = [];
  const re = /\s*(?:"([^"]*)"|([^\s"]+))/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) args.push(m[1] ?? m[2] ?? '');
  return re.lastIndex === 0 && text.trim() !== '' && args.length === 0 ? undefined : args;
}

/** Parses ssh_config text. Never throws; what it cannot use becomes a diagnostic. */
export function parseSshConfig(text: string): SshConfig {
  const blocks: SshConfigBlock[] = [];
  const diagnostics: SshConfigDiagnostic[] = [];
  let current: { patterns: string[]; options: SshConfigOption[]; line: number } | undefined = {
    patterns: ['*'],
    options: [],
    line: 0,
  };
  blocks.push(current);
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^([A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    const args = m ? splitArgs(m[2] ?? '') : undefined;
    if (!m || args === undefined || args.length === 0) {
      diagnostics.push({
        code: 'malformed-line',
        line: lineNo,
        message: `Cannot read line ${lineNo}: ${line}`,
      });
      return;
    }
    const keyword = (m[1] ?? '').toLowerCase();
    if (keyword === 'host') {
      current = { patterns: args, options: [], line: lineNo };
      blocks.push(current);
    } else if (keyword === 'match') {
      // `Match all` is the only criterion that needs no runtime facts; skip anything else.
      const all = args.length === 1 && args[0]?.toLowerCase() === 'all';
      if (!all)
        diagnostics.push({
          code: 'unsupported-match',
          line: lineNo,
          message: `Match block skipped: ${line}`,
        });
      current = all ? { patterns: ['*'], options: [], line: lineNo } : undefined;
      if (current) blocks.push(current);
    } else if (keyword === 'include') {
      diagnostics.push({
        code: 'unsupported-include',
        line: lineNo,
        message: `Include not followed: ${line}`,
      });
    } else if (current) {
      current.options.push({ keyword, args, line: lineNo });
    }
  });
  return { blocks, diagnostics };
}

/**
 * Applies every block matching `alias`, in file order, first value wins (IdentityFile accumulates),
 * as ssh(1) does. Values are returned unexpanded; see `expandSshTokens`.
 */
export function resolveSshHost(config: SshConfig, alias: string): SshHostConfig {
  const first = new Map<string, readonly string[]>();
  const identityFiles: string[] = [];
  for (const block of config.blocks) {
    if (matchHostPatternList(alias, block.patterns) !== 'match') continue;
    for (const option of block.options) {
      if (option.keyword === 'identityfile') identityFiles.push(option.args.join(' '));
      else if (!first.has(option.keyword)) first.set(option.keyword, option.args);
    }
  }
  const one = (keyword: string): string | undefined => first.get(keyword)?.join(' ');
  const port = one('port');
  const portNumber = port === undefined ? undefined : Number(port);
  return {
    hostName: one('hostname'),
    port: portNumber !== undefined && Number.isInteger(portNumber) ? portNumber : undefined,
    user: one('user'),
    identityFiles,
    identityAgent: one('identityagent'),
    proxyJump: one('proxyjump'),
    proxyCommand: one('proxycommand'),
    userKnownHostsFiles: first.get('userknownhostsfile'),
  };
}

/** Values for ssh_config's percent tokens. */
export interface SshTokenValues {
  readonly alias: string;
  readonly hostName: string;
  readonly port: number;
  readonly remoteUser: string;
  readonly localUser: string;
  readonly homeDir: string;
}

/** Expands `~`, `%h %n %p %r %u %d %%` as ssh(1) does for IdentityFile and UserKnownHostsFile. */
export function expandSshTokens(value: string, t: SshTokenValues): string {
  const tilde = value === '~' || value.startsWith('~/') ? t.homeDir + value.slice(1) : value;
  const tokens: Record<string, string> = {
    h: t.hostName,
    n: t.alias,
    p: String(t.port),
    r: t.remoteUser,
    u: t.localUser,
    d: t.homeDir,
    '%': '%',
  };
  return tilde.replace(/%(.)/g, (whole, key: string) => tokens[key] ?? whole);
}
