import type { Match, PortRange } from './ast';
import {
  effectiveProbability,
  normalizeProto,
  readCidr,
  readIP,
  readMarkMask,
  readPortList,
  readPortRange,
} from './values';

/** One `--option args` given to a module, with its `!`. */
export interface OptionUse {
  readonly name: string;
  readonly args: readonly string[];
  readonly negate: boolean;
}

export interface BuildResult {
  readonly matches: Match[];
  readonly problems: string[];
}

export interface ModuleSpec {
  /** Option name → number of arguments it takes. */
  readonly options: Readonly<Record<string, number>>;
  /** `words` are the module's own words as written, for keeping it verbatim. */
  build(uses: readonly OptionUse[], words: readonly string[]): BuildResult;
}

type Builder = (use: OptionUse, out: Match[], problems: string[]) => void;

/** A module whose every option is read by its own small builder. */
function perOption(options: Record<string, [number, Builder]>): ModuleSpec {
  const arity: Record<string, number> = {};
  for (const [k, [n]] of Object.entries(options)) arity[k] = n;
  return {
    options: arity,
    build(uses) {
      const matches: Match[] = [];
      const problems: string[] = [];
      for (const u of uses) options[u.name]?.[1](u, matches, problems);
      return { matches, problems };
    },
  };
}

function ports(proto: string, dir: 'src' | 'dst' | 'any', list: boolean): Builder {
  return (u, out, problems) => {
    const text = u.args[0] ?? '';
    const ranges: PortRange[] | null = list ? readPortList(text) : wrap(readPortRange(text));
    if (!ranges) problems.push(`--${u.name} expects a port or port range, got "${text}"`);
    else out.push({ kind: 'ports', proto, dir, negate: u.negate, ranges });
  };
}

function wrap<T>(v: T | null): T[] | null {
  return v === null ? null : [v];
}

function portModule(proto: string): ModuleSpec {
  return perOption({
    dport: [1, ports(proto, 'dst', false)],
    'destination-port': [1, ports(proto, 'dst', false)],
    sport: [1, ports(proto, 'src', false)],
    'source-port': [1, ports(proto, 'src', false)],
    'tcp-flags': [
      2,
      (u, out) =>
        out.push({
          kind: 'tcp-flags',
          negate: u.negate,
          mask: (u.args[0] ?? '').toUpperCase().split(','),
          set: (u.args[1] ?? '').toUpperCase().split(','),
        }),
    ],
    syn: [0, (u, out) => out.push({ kind: 'tcp-flags', negate: u.negate, mask: ['SYN', 'RST', 'ACK', 'FIN'], set: ['SYN'] })],
    'tcp-option': [1, (u, out) => out.push({ kind: 'opaque', module: proto, text: `--tcp-option ${u.args[0]}` })],
    'chunk-types': [2, (u, out) => out.push({ kind: 'opaque', module: proto, text: `--chunk-types ${u.args.join(' ')}` })],
  });
}

function conntrackAddr(which: 'origsrc' | 'origdst' | 'replsrc' | 'repldst'): Builder {
  return (u, out, problems) => {
    const cidr = readCidr(u.args[0] ?? '');
    if (!cidr) problems.push(`--ct${which} expects an address or prefix, got "${u.args[0]}"`);
    else out.push({ kind: 'ctaddr', which, negate: u.negate, cidr });
  };
}

function conntrackPort(which: 'origsrc' | 'origdst' | 'replsrc' | 'repldst'): Builder {
  return (u, out, problems) => {
    const r = readPortRange(u.args[0] ?? '');
    if (!r) problems.push(`--ct${which}port expects a port, got "${u.args[0]}"`);
    else out.push({ kind: 'ctport', which, negate: u.negate, ranges: [r] });
  };
}

const states: Builder = (u, out) =>
  out.push({ kind: 'ctstate', negate: u.negate, states: (u.args[0] ?? '').toUpperCase().split(',') });

function markModule(which: 'packet' | 'conn'): ModuleSpec {
  return perOption({
    mark: [
      1,
      (u, out, problems) => {
        const mm = readMarkMask(u.args[0] ?? '');
        if (!mm) problems.push(`--mark expects value[/mask], got "${u.args[0]}"`);
        else out.push({ kind: 'mark', which, negate: u.negate, value: mm.value, mask: mm.mask });
      },
    ],
  });
}

function addrtype(dir: 'src' | 'dst'): Builder {
  return (u, out) =>
    out.push({ kind: 'addrtype', dir, negate: u.negate, types: (u.args[0] ?? '').toUpperCase().split(','), limitIface: null });
}

/** statistic and recent need all their options together, so they have whole-module builders. */
const statistic: ModuleSpec = {
  options: { mode: 1, probability: 1, every: 1, packet: 1 },
  build(uses) {
    const get = (n: string) => uses.find((u) => u.name === n);
    const mode = get('mode')?.args[0];
    const negate = uses.some((u) => u.negate);
    if (mode === 'random') {
      const text = get('probability')?.args[0] ?? '';
      const p = Number(text);
      if (text === '' || !Number.isFinite(p) || p < 0 || p > 1)
        return { matches: [], problems: [`--probability expects a number between 0 and 1, got "${text}"`] };
      return { matches: [{ kind: 'statistic-random', negate, probability: effectiveProbability(p), text }], problems: [] };
    }
    if (mode === 'nth') {
      const every = Number(get('every')?.args[0]);
      const packet = Number(get('packet')?.args[0] ?? '0');
      if (!Number.isInteger(every) || every < 1 || !Number.isInteger(packet))
        return { matches: [], problems: ['statistic --mode nth expects --every N [--packet P]'] };
      return { matches: [{ kind: 'statistic-nth', negate, every, packet }], problems: [] };
    }
    return { matches: [], problems: [`statistic --mode expects random or nth, got "${mode ?? ''}"`] };
  },
};

const recent: ModuleSpec = {
  options: {
    name: 1, set: 0, rcheck: 0, update: 0, remove: 0, seconds: 1, reap: 0, hitcount: 1, rttl: 0,
    rsource: 0, rdest: 0, mask: 1,
  },
  build(uses) {
    const has = (n: string) => uses.some((u) => u.name === n);
    const arg = (n: string) => uses.find((u) => u.name === n)?.args[0];
    const ops = (['set', 'rcheck', 'update', 'remove'] as const).filter(has);
    if (ops.length !== 1) return { matches: [], problems: ['recent needs exactly one of --set, --rcheck, --update, --remove'] };
    const seconds = arg('seconds');
    const hitcount = arg('hitcount');
    const maskText = arg('mask');
    const mask = maskText === undefined ? null : readIP(maskText);
    if (maskText !== undefined && !mask) return { matches: [], problems: [`recent --mask expects an address mask, got "${maskText}"`] };
    return {
      matches: [
        {
          kind: 'recent',
          negate: uses.some((u) => u.negate),
          op: ops[0]!,
          name: arg('name') ?? 'DEFAULT',
          seconds: seconds === undefined ? null : Number(seconds),
          reap: has('reap'),
          hitcount: hitcount === undefined ? null : Number(hitcount),
          rttl: has('rttl'),
          side: has('rdest') ? 'dst' : 'src',
          mask,
        },
      ],
      problems: [],
    };
  },
};

const ADDRTYPE_OPTIONS = perOption({ 'src-type': [1, addrtype('src')], 'dst-type': [1, addrtype('dst')] });

const addrtypeModule: ModuleSpec = {
  options: { 'src-type': 1, 'dst-type': 1, 'limit-iface-in': 0, 'limit-iface-out': 0 },
  build(uses) {
    const base = ADDRTYPE_OPTIONS.build(uses, []);
    const limit = uses.some((u) => u.name === 'limit-iface-in') ? 'in' : uses.some((u) => u.name === 'limit-iface-out') ? 'out' : null;
    return { matches: base.matches.map((m) => (m.kind === 'addrtype' ? { ...m, limitIface: limit } : m)), problems: base.problems };
  },
};

const setModule: ModuleSpec = {
  options: {
    'match-set': 2, 'return-nomatch': 0, 'update-counters': 0, 'update-subcounters': 0,
    'packets-eq': 1, 'packets-lt': 1, 'packets-gt': 1, 'bytes-eq': 1, 'bytes-lt': 1, 'bytes-gt': 1,
  },
  build(uses) {
    const matches: Match[] = [];
    const problems: string[] = [];
    for (const u of uses) {
      if (u.name === 'match-set') {
        const flags = (u.args[1] ?? '').split(',');
        if (!u.args[0] || flags.some((f) => f !== 'src' && f !== 'dst')) {
          problems.push(`--match-set expects a set name and src/dst flags, got "${u.args.join(' ')}"`);
          continue;
        }
        matches.push({ kind: 'set', negate: u.negate, name: u.args[0], flags: flags as ('src' | 'dst')[] });
      } else if (/^(packets|bytes)-/.test(u.name)) {
        matches.push({ kind: 'opaque', module: 'set', text: `--${u.name} ${u.args[0]}` });
      }
    }
    return { matches, problems };
  },
};

function iprange(dir: 'src' | 'dst'): Builder {
  return (u, out, problems) => {
    const [a, b] = (u.args[0] ?? '').split('-');
    const from = readIP(a ?? '');
    const to = b === undefined ? from : readIP(b);
    if (!from || !to) problems.push(`--${dir}-range expects from-to addresses, got "${u.args[0]}"`);
    else out.push({ kind: 'iprange', dir, negate: u.negate, from, to });
  };
}

function physdev(option: string, takesArg: boolean): [number, Builder] {
  return [takesArg ? 1 : 0, (u, out) => out.push({ kind: 'physdev', option, negate: u.negate, value: u.args[0] ?? null })];
}

const always = (module: string): ModuleSpec => ({
  options: {},
  build: (_uses, words) => ({ matches: [{ kind: 'always', module, text: words.join(' ') }], problems: [] }),
});

/**
 * Modules we read but whose outcome depends on state no dump shows (rates, sockets, owners,
 * payload bytes). Their options are taken greedily; the tracer reports them as assumptions.
 */
const OPAQUE_MODULES = [
  'limit', 'hashlimit', 'owner', 'socket', 'rpfilter', 'length', 'ttl', 'hl', 'dscp', 'tos', 'tcpmss',
  'connlimit', 'connbytes', 'connlabel', 'string', 'u32', 'bpf', 'cgroup', 'devgroup', 'helper', 'policy',
  'mac', 'time', 'quota', 'cpu', 'realm', 'ipvs', 'ecn', 'esp', 'ah', 'frag', 'hbh', 'dst', 'rt', 'ipv6header',
  'mh', 'osf', 'cluster', 'condition', 'geoip', 'nfacct',
];

export const MATCH_MODULES: Readonly<Record<string, ModuleSpec>> = {
  tcp: portModule('tcp'),
  udp: portModule('udp'),
  sctp: portModule('sctp'),
  udplite: portModule('udplite'),
  dccp: portModule('dccp'),
  multiport: perOption({
    dports: [1, ports('', 'dst', true)],
    'destination-ports': [1, ports('', 'dst', true)],
    sports: [1, ports('', 'src', true)],
    'source-ports': [1, ports('', 'src', true)],
    ports: [1, ports('', 'any', true)],
  }),
  comment: perOption({ comment: [1, (u, out) => out.push({ kind: 'comment', text: u.args[0] ?? '' })] }),
  statistic,
  recent,
  mark: markModule('packet'),
  connmark: markModule('conn'),
  addrtype: addrtypeModule,
  conntrack: perOption({
    ctstate: [1, states],
    ctstatus: [1, (u, out) => out.push({ kind: 'ctstatus', negate: u.negate, statuses: (u.args[0] ?? '').toUpperCase().split(',') })],
    ctproto: [1, (u, out) => out.push({ kind: 'ctproto', negate: u.negate, proto: normalizeProto(u.args[0] ?? '') })],
    ctorigsrc: [1, conntrackAddr('origsrc')],
    ctorigdst: [1, conntrackAddr('origdst')],
    ctreplsrc: [1, conntrackAddr('replsrc')],
    ctrepldst: [1, conntrackAddr('repldst')],
    ctorigsrcport: [1, conntrackPort('origsrc')],
    ctorigdstport: [1, conntrackPort('origdst')],
    ctreplsrcport: [1, conntrackPort('replsrc')],
    ctrepldstport: [1, conntrackPort('repldst')],
    ctdir: [1, (u, out) => out.push({ kind: 'ctdir', dir: (u.args[0] ?? '').toUpperCase() === 'REPLY' ? 'REPLY' : 'ORIGINAL' })],
    ctexpire: [1, (u, out) => out.push({ kind: 'opaque', module: 'conntrack', text: `--ctexpire ${u.args[0]}` })],
  }),
  state: perOption({ state: [1, states] }),
  set: setModule,
  iprange: perOption({ 'src-range': [1, iprange('src')], 'dst-range': [1, iprange('dst')] }),
  physdev: perOption({
    'physdev-in': physdev('physdev-in', true),
    'physdev-out': physdev('physdev-out', true),
    'physdev-is-in': physdev('physdev-is-in', false),
    'physdev-is-out': physdev('physdev-is-out', false),
    'physdev-is-bridged': physdev('physdev-is-bridged', false),
  }),
  pkttype: perOption({ 'pkt-type': [1, (u, out) => out.push({ kind: 'pkttype', negate: u.negate, type: (u.args[0] ?? '').toLowerCase() })] }),
  icmp: perOption({ 'icmp-type': [1, (u, out) => out.push({ kind: 'icmp-type', negate: u.negate, type: u.args[0] ?? '' })] }),
  icmp6: perOption({ 'icmpv6-type': [1, (u, out) => out.push({ kind: 'icmp-type', negate: u.negate, type: u.args[0] ?? '' })] }),
  ...Object.fromEntries(OPAQUE_MODULES.map((m) => [m, m === 'nfacct' ? always(m) : opaque(m)])),
};

function opaque(module: string): ModuleSpec {
  return { options: {}, build: (_uses, words) => ({ matches: [{ kind: 'opaque', module, text: words.join(' ') }], problems: [] }) };
}

/** Options that may appear after `-p tcp` without `-m tcp`; iptables loads the module implicitly. */
export const IMPLICIT_PROTO_OPTIONS = new Set([
  'dport', 'destination-port', 'sport', 'source-port', 'tcp-flags', 'syn', 'tcp-option', 'icmp-type', 'icmpv6-type',
]);
