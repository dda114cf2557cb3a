import { parseCidr } from '@svcpath/netaddr';
import type { IptablesRule, RenderedTable } from './iptables-rule';
import { savedProbability } from './probability';

/** Options that take no value (everything else takes exactly one). */
const FLAG_OPTIONS = new Set([
  '--set',
  '--rcheck',
  '--update',
  '--remove',
  '--reap',
  '--rsource',
  '--rdest',
  '--rttl',
  '--random-fully',
  '--random',
  '--persistent',
]);

interface Opt {
  readonly name: string;
  readonly value: string | null;
  readonly negated: boolean;
}
interface Match {
  readonly module: string;
  readonly opts: Opt[];
}
interface Address {
  readonly value: string;
  readonly negated: boolean;
}
interface ParsedRule {
  readonly fields: Partial<Record<'s' | 'd' | 'i' | 'o' | 'p', Address>>;
  readonly matches: Match[];
  target: string | null;
  readonly targetOpts: Opt[];
}

const FIELD: Readonly<Record<string, 's' | 'd' | 'i' | 'o' | 'p'>> = {
  '-s': 's',
  '--source': 's',
  '-d': 'd',
  '--destination': 'd',
  '-i': 'i',
  '--in-interface': 'i',
  '-o': 'o',
  '--out-interface': 'o',
  '-p': 'p',
  '--protocol': 'p',
};

function parseArgs(args: readonly string[]): ParsedRule {
  const rule: ParsedRule = { fields: {}, matches: [], target: null, targetOpts: [] };
  let negated = false;
  let current: Match | null = null;
  for (let i = 0; i < args.length; i++) {
    const tok = args[i]!;
    if (tok === '!') {
      negated = true;
      continue;
    }
    const field = FIELD[tok];
    if (field) rule.fields[field] = { value: args[++i] ?? '', negated };
    else if (tok === '-m' || tok === '--match')
      rule.matches.push((current = { module: args[++i] ?? '', opts: [] }));
    else if (tok === '-j' || tok === '--jump') rule.target = args[++i] ?? '';
    else {
      const opt: Opt = { name: tok, value: FLAG_OPTIONS.has(tok) ? null : (args[++i] ?? ''), negated };
      if (rule.target !== null) rule.targetOpts.push(opt);
      else {
        // An option before any -m belongs to the protocol's implicit match, as iptables loads it.
        if (!current) rule.matches.push((current = { module: rule.fields.p?.value ?? '', opts: [] }));
        current.opts.push(opt);
      }
    }
    negated = false;
  }
  return rule;
}

/**
 * libxtables' xtables_save_string: bare if every character is [A-Za-z0-9_-], otherwise double
 * quoted with `"`, `'` and `\` backslash-escaped.
 */
export function saveString(value: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(value)) return value;
  return `"${value.replace(/["'\\]/g, (c) => `\\${c}`)}"`;
}

const DOTTED_QUAD = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

function address(value: string): string {
  // Fast path for the common case, a bare IPv4 address: the kernel stores it as a /32.
  if (
    DOTTED_QUAD.test(value) &&
    value.split('.').every((o) => Number(o) <= 255 && (o.length === 1 || o[0] !== '0'))
  ) {
    return `${value}/32`;
  }
  const c = parseCidr(value);
  return c ? c.text : value;
}

function optText(o: Opt, value: string | null = o.value): string {
  return `${o.negated ? '! ' : ''}${o.name}${value === null ? '' : ` ${value}`}`;
}

const RECENT_COMMANDS = new Set(['--set', '--rcheck', '--update', '--remove']);

/** xt_recent prints command, timing options, then name, mask and side (with their defaults). */
function recentOpts(opts: readonly Opt[], v6: boolean): string[] {
  const get = (n: string): Opt | undefined => opts.find((o) => o.name === n);
  const out: string[] = [];
  for (const o of opts) if (RECENT_COMMANDS.has(o.name)) out.push(optText(o));
  for (const n of ['--seconds', '--reap', '--hitcount', '--rttl']) {
    const o = get(n);
    if (o) out.push(optText(o));
  }
  out.push(`--name ${get('--name')?.value ?? 'DEFAULT'}`);
  out.push(
    `--mask ${get('--mask')?.value ?? (v6 ? 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' : '255.255.255.255')}`,
  );
  out.push(get('--rdest') ? '--rdest' : '--rsource');
  return out;
}

function matchOpts(m: Match, v6: boolean): string[] {
  switch (m.module) {
    case 'comment':
      return m.opts.map((o) => optText(o, saveString(o.value ?? '')));
    case 'statistic':
      return m.opts.map((o) =>
        optText(o, o.name === '--probability' ? savedProbability(o.value ?? '0') : o.value),
      );
    case 'recent':
      return recentOpts(m.opts, v6);
    default:
      return m.opts.map((o) =>
        optText(o, o.value !== null && /\s/.test(o.value) ? saveString(o.value) : o.value),
      );
  }
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

/** MARK's shorthand options are stored as one xor/mask pair and printed as --set-xmark. */
function targetOpts(target: string, opts: readonly Opt[], v6: boolean): string[] {
  if (target === 'MARK') {
    return opts.map((o) => {
      const v = Number(o.value);
      if (o.name === '--or-mark') return `--set-xmark ${hex(v)}/${hex(v)}`;
      if (o.name === '--xor-mark') return `--set-xmark ${hex(v)}/0x0`;
      if (o.name === '--set-mark') return `--set-xmark ${hex(v)}/0xffffffff`;
      if (o.name === '--and-mark') return `--set-xmark 0x0/${hex(~v)}`;
      return optText(o);
    });
  }
  const out = opts.map((o) => optText(o));
  if (target === 'REJECT' && !opts.some((o) => o.name === '--reject-with')) {
    out.push(`--reject-with ${v6 ? 'icmp6-port-unreachable' : 'icmp-port-unreachable'}`);
  }
  return out;
}

/**
 * One rule as iptables-save prints it: `-s`, `-d`, `-i`, `-o`, `-p` first (each possibly negated),
 * then the matches in the order given with their options normalised the way the kernel stores
 * them (/32 prefixes, quantised probabilities, xt_recent defaults), then the target.
 */
export function formatSaveRule(rule: IptablesRule, family: 4 | 6 = 4): string {
  const p = parseArgs(rule.args);
  const v6 = family === 6;
  const parts = ['-A', rule.chain];
  for (const key of ['s', 'd', 'i', 'o', 'p'] as const) {
    const f = p.fields[key];
    if (!f) continue;
    if (f.negated) parts.push('!');
    parts.push(`-${key}`, key === 's' || key === 'd' ? address(f.value) : f.value);
  }
  for (const m of p.matches) parts.push('-m', m.module, ...matchOpts(m, v6));
  if (p.target !== null) parts.push('-j', p.target, ...targetOpts(p.target, p.targetOpts, v6));
  return parts.join(' ');
}

/** Plain byte-wise comparison, the order iptables-save lists user-defined chains in. */
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Tables as `iptables-save` prints them (without the `# Generated by` / `# Completed on` comment
 * lines and with zero counters): built-in chains with their policies, user chains sorted by name,
 * then each chain's rules in that same chain order.
 */
export function formatIptablesSave(tables: readonly RenderedTable[], family: 4 | 6 = 4): string {
  const lines: string[] = [];
  for (const t of tables) {
    const user = [...new Set(t.chains)].sort(byName);
    const byChain = new Map<string, string[]>();
    for (const c of [...t.builtinChains, ...user]) byChain.set(c, []);
    for (const r of t.rules) {
      let list = byChain.get(r.chain);
      if (!list) byChain.set(r.chain, (list = []));
      list.push(formatSaveRule(r, family));
    }
    lines.push(`*${t.name}`);
    for (const c of t.builtinChains) lines.push(`:${c} ACCEPT [0:0]`);
    for (const c of user) lines.push(`:${c} - [0:0]`);
    for (const list of byChain.values()) for (const l of list) lines.push(l);
    lines.push('COMMIT');
  }
  return lines.join('\n') + '\n';
}
