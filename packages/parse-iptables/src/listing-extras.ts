import { quoteWord } from './tokenize';

/**
 * The free-text part of an `iptables -L` line — what each match and target extension's `print`
 * function wrote (`/* c *\/ tcp dpt:80 statistic mode random probability 0.5 to:10.1.0.5:80`) — read
 * back into the options its `save` function writes. Each reader mirrors one extension's print format
 * in iptables 1.8 (libxt_*.c); what none of them reads is returned as `unread`, never dropped.
 */
export interface ListingExtras {
  readonly matches: readonly string[];
  readonly targetOptions: readonly string[];
  readonly goto: boolean;
  readonly unread: string | null;
}

interface Piece {
  readonly matches?: readonly string[];
  readonly target?: readonly string[];
  readonly goto?: boolean;
}

type Reader = { re: RegExp; read: (m: RegExpExecArray, proto: string) => Piece };

const NOT = (m: string | undefined) => (m ? ['!'] : []);
const TCP_FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];
const SERVICES: Readonly<Record<string, string>> = { http: '80', https: '443', domain: '53', ssh: '22', smtp: '25', ntp: '123' };

const flagNames = (hex: string) => {
  const v = Number.parseInt(hex, 16);
  const names = TCP_FLAGS.filter((_, k) => (v >> k) & 1);
  return names.length === 0 ? 'NONE' : names.length === TCP_FLAGS.length ? 'ALL' : names.join(',');
};
const port = (p: string) => SERVICES[p] ?? p;
const ports = (p: string) => p.split(':').map(port).join(':');

/** One reader per print format, tried in order at the current position of the text. */
const READERS: readonly Reader[] = [
  { re: /\[goto\]/y, read: () => ({ goto: true }) },
  { re: /\/\* (.*?) \*\//y, read: (m) => ({ matches: ['-m', 'comment', '--comment', quoteWord(m[1]!)] }) },
  {
    // libxt_tcp/udp/sctp: "tcp spt:1 dpts:2:3 flags:0x17/0x02 option=4"; a bare "tcp" is "-m tcp" with no options.
    re: /(tcp|udp|sctp|udplite)((?: (?:spts?|dpts?):!?\S+| flags:!?0x[0-9a-fA-F]+\/0x[0-9a-fA-F]+| option=!?\d+)*)/y,
    read: (m) => {
      const out = ['-m', m[1]!];
      for (const part of m[2]!.trim().split(' ').filter(Boolean)) {
        const p = /^(spts?|dpts?|flags|option)[:=](!?)(.*)$/.exec(part)!;
        const neg = NOT(p[2]);
        if (p[1]!.startsWith('spt')) out.push(...neg, '--sport', ports(p[3]!));
        else if (p[1]!.startsWith('dpt')) out.push(...neg, '--dport', ports(p[3]!));
        else if (p[1] === 'flags') {
          const [mask, set] = p[3]!.split('/');
          out.push(...neg, '--tcp-flags', flagNames(mask!), flagNames(set!));
        } else out.push(...neg, '--tcp-option', p[3]!);
      }
      return { matches: out };
    },
  },
  {
    re: /multiport (dports|sports|ports) +(!?)(\S+)/y,
    read: (m) => ({ matches: ['-m', 'multiport', ...NOT(m[2]), `--${m[1]}`, m[3]!.split(',').map(ports).join(',')] }),
  },
  {
    re: /statistic mode random (! )?probability (\S+)/y,
    read: (m) => ({ matches: ['-m', 'statistic', '--mode', 'random', ...NOT(m[1]), '--probability', m[2]!] }),
  },
  {
    re: /statistic mode nth (! )?every (\d+)(?: packet (\d+))?/y,
    read: (m) => ({ matches: ['-m', 'statistic', '--mode', 'nth', ...NOT(m[1]), '--every', m[2]!, ...(m[3] ? ['--packet', m[3]] : [])] }),
  },
  {
    // libxt_recent: "recent: CHECK seconds: 10800 reap hit_count: 2 TTL-Match name: X side: source mask: 255.255.255.255"
    re: /(! )?recent: (SET|CHECK|UPDATE|REMOVE)( seconds: \d+)?( reap)?( hit_count: \d+)?( TTL-Match)? name: (\S+) side: (source|dest)(?: mask: (\S+))?/y,
    read: (m) => {
      const op = { SET: '--set', CHECK: '--rcheck', UPDATE: '--update', REMOVE: '--remove' }[m[2] as 'SET']!;
      return {
        matches: [
          '-m', 'recent', ...NOT(m[1]), op,
          ...(m[3] ? ['--seconds', m[3].replace(/\D/g, '')] : []),
          ...(m[4] ? ['--reap'] : []),
          ...(m[5] ? ['--hitcount', m[5].replace(/\D/g, '')] : []),
          ...(m[6] ? ['--rttl'] : []),
          '--name', m[7]!,
          ...(m[9] ? ['--mask', m[9]] : []),
          m[8] === 'source' ? '--rsource' : '--rdest',
        ],
      };
    },
  },
  {
    re: /ADDRTYPE match(?: src-type (!?)([A-Z,]+))?(?: dst-type (!?)([A-Z,]+))?( limit-in)?( limit-out)?/y,
    read: (m) => ({
      matches: [
        '-m', 'addrtype',
        ...(m[2] ? [...NOT(m[1]), '--src-type', m[2]] : []),
        ...(m[4] ? [...NOT(m[3]), '--dst-type', m[4]] : []),
        ...(m[5] ? ['--limit-iface-in'] : []),
        ...(m[6] ? ['--limit-iface-out'] : []),
      ],
    }),
  },
  { re: /mark match (! ?)?(0x[0-9a-fA-F]+(?:\/0x[0-9a-fA-F]+)?)/y, read: (m) => ({ matches: ['-m', 'mark', ...NOT(m[1]), '--mark', m[2]!] }) },
  { re: /connmark match (! ?)?(0x[0-9a-fA-F]+(?:\/0x[0-9a-fA-F]+)?)/y, read: (m) => ({ matches: ['-m', 'connmark', ...NOT(m[1]), '--mark', m[2]!] }) },
  { re: /(! )?ctstate (\S+)/y, read: (m) => ({ matches: ['-m', 'conntrack', ...NOT(m[1]), '--ctstate', m[2]!] }) },
  { re: /(! )?ctstatus (\S+)/y, read: (m) => ({ matches: ['-m', 'conntrack', ...NOT(m[1]), '--ctstatus', m[2]!] }) },
  { re: /(! )?state (\S+)/y, read: (m) => ({ matches: ['-m', 'state', ...NOT(m[1]), '--state', m[2]!] }) },
  { re: /(!)?icmptype (\d+)(?: code (\d+))?/y, read: (m) => ({ matches: ['-m', 'icmp', ...NOT(m[1]), '--icmp-type', m[3] ? `${m[2]}/${m[3]}` : m[2]!] }) },
  { re: /icmp any/y, read: () => ({ matches: ['-m', 'icmp', '--icmp-type', 'any'] }) },
  { re: /(! )?match-set (\S+) (\S+)/y, read: (m) => ({ matches: ['-m', 'set', ...NOT(m[1]), '--match-set', m[2]!, m[3]!] }) },
  {
    re: /PHYSDEV match((?: !? ?--physdev-(?:is-in|is-out|is-bridged|in \S+|out \S+))+)/y,
    read: (m) => ({ matches: ['-m', 'physdev', ...m[1]!.trim().split(/\s+/)] }),
  },
  {
    re: /(! )?(source|destination) IP range (\S+)-(\S+)/y,
    read: (m) => ({ matches: ['-m', 'iprange', ...NOT(m[1]), m[2] === 'source' ? '--src-range' : '--dst-range', `${m[3]}-${m[4]}`] }),
  },
  { re: /PKTTYPE (!?)= (\S+)/y, read: (m) => ({ matches: ['-m', 'pkttype', ...NOT(m[1]), '--pkt-type', m[2]!] }) },
  { re: /nfacct-name +(\S+)/y, read: (m) => ({ matches: ['-m', 'nfacct', '--nfacct-name', m[1]!] }) },
  { re: /limit: avg (\S+) burst (\d+)/y, read: (m) => ({ matches: ['-m', 'limit', '--limit', m[1]!, '--limit-burst', m[2]!] }) },
  // Targets (libxt_MARK, DNAT/SNAT, MASQUERADE, REDIRECT, REJECT, CONNMARK, LOG): printed after the matches.
  {
    re: /MARK (or|xor|and|set|xset) (0x[0-9a-fA-F]+(?:\/0x[0-9a-fA-F]+)?)/y,
    read: (m) => ({ target: [{ or: '--or-mark', xor: '--xor-mark', and: '--and-mark', set: '--set-mark', xset: '--set-xmark' }[m[1] as 'or']!, m[2]!] }),
  },
  { re: /CONNMARK (save|restore)(?: mask (0x[0-9a-fA-F]+))?/y, read: (m) => ({ target: [`--${m[1]}-mark`, ...(m[2] ? ['--mask', m[2]] : [])] }) },
  { re: /CONNMARK (?:xset|set) (0x[0-9a-fA-F]+(?:\/0x[0-9a-fA-F]+)?)/y, read: (m) => ({ target: ['--set-xmark', m[1]!] }) },
  // `to:` is DNAT's --to-destination or SNAT's --to-source: listingRule names it from the target column.
  { re: /to:(\S+)/y, read: (m) => ({ target: ['--to', m[1]!] }) },
  { re: /masq ports: (\S+)/y, read: (m) => ({ target: ['--to-ports', m[1]!] }) },
  { re: /redir ports (\S+)/y, read: (m) => ({ target: ['--to-ports', m[1]!] }) },
  { re: /random-fully/y, read: () => ({ target: ['--random-fully'] }) },
  { re: /random/y, read: () => ({ target: ['--random'] }) },
  { re: /persistent/y, read: () => ({ target: ['--persistent'] }) },
  { re: /reject-with (\S+)/y, read: (m) => ({ target: ['--reject-with', m[1]!] }) },
  {
    re: /LOG flags (\d+) level (\d+)(?: prefix "((?:[^"\\]|\\.)*)")?/y,
    read: (m) => ({ target: ['--log-level', m[2]!, ...(m[3] !== undefined ? ['--log-prefix', quoteWord(m[3])] : [])] }),
  },
  // An iptables binary older than the rules prints this for a target revision it cannot decode.
  { re: /\[unsupported revision\]/y, read: () => ({ target: ['[unsupported', 'revision]'] }) },
];

/** Reads a listing line's free text; `proto` is the rule's protocol column (for bare port words). */
export function readListingExtras(rest: string, proto: string): ListingExtras {
  const matches: string[] = [];
  const targetOptions: string[] = [];
  const unread: string[] = [];
  let goto = false;
  let pos = 0;
  while (pos < rest.length) {
    if (rest[pos] === ' ') {
      pos++;
      continue;
    }
    let hit = false;
    for (const r of READERS) {
      r.re.lastIndex = pos;
      const m = r.re.exec(rest);
      // A reader must end on a word boundary: "random" must not eat the start of "random-fully".
      if (!m || (pos + m[0].length < rest.length && rest[pos + m[0].length] !== ' ')) continue;
      const piece = r.read(m, proto);
      if (piece.matches) matches.push(...piece.matches);
      if (piece.target) targetOptions.push(...piece.target);
      if (piece.goto) goto = true;
      pos += m[0].length;
      hit = true;
      break;
    }
    if (hit) continue;
    const end = rest.indexOf(' ', pos);
    unread.push(rest.slice(pos, end < 0 ? rest.length : end));
    pos = end < 0 ? rest.length : end;
  }
  return { matches, targetOptions, goto, unread: unread.length ? unread.join(' ') : null };
}
