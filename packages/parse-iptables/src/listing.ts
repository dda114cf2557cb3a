import { quoteWord } from './tokenize';
import { readListingExtras } from './listing-extras';

/**
 * `iptables -L -n [-v] [--line-numbers] [-x]` listings read back into `iptables-save` statements.
 *
 * A listing is the kernel's rules printed by each extension's `print` function instead of its `save`
 * function: columns for the generic fields, then free text (`/* comment *\/ tcp dpt:80`). Each line
 * turns into the statement iptables-save prints for the same rule, so one parser and one tracer read
 * both shapes (the kernel-printed pairs in fixtures/listings check that they trace alike).
 */

/** The columns a listing's header line names, in order. */
export interface ListingColumns {
  readonly num: boolean;
  readonly counters: boolean;
  readonly ifaces: boolean;
}

const HEADER = /^\s*(num\s+)?(pkts\s+bytes\s+)?target\s+prot\s+opt\s+(in\s+out\s+)?source\s+destination\s*$/;
const CHAIN_HEAD = /^Chain (\S+) \((?:policy (ACCEPT|DROP)(?: (\d+) packets, (\d+) bytes)?|(\d+) references?)\)\s*$/;

/** The header line's columns, or null when the line is not a listing header. */
export function listingHeader(line: string): ListingColumns | null {
  const m = HEADER.exec(line);
  return m ? { num: m[1] !== undefined, counters: m[2] !== undefined, ifaces: m[3] !== undefined } : null;
}

/** `Chain NAME (policy ACCEPT 0 packets, 0 bytes)` / `Chain NAME (2 references)` as `:NAME POLICY [p:b]`. */
export function chainHeader(line: string): { chain: string; statement: string } | null {
  const m = CHAIN_HEAD.exec(line.trim());
  if (!m) return null;
  const policy = m[2] ?? '-';
  return { chain: m[1]!, statement: `:${m[1]} ${policy} [${m[3] ?? 0}:${m[4] ?? 0}]` };
}

/** What one listing rule line reads back as: the statement, and the text no reader understood. */
export interface ListingRule {
  readonly statement: string;
  readonly unread: string | null;
}

const PROTO_NUMBERS: Readonly<Record<string, string>> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '132': 'sctp', '58': 'ipv6-icmp', '136': 'udplite', '0': 'all' };
const OPT = /^(--|-f|!f)$/;

/**
 * One rule line of chain `chain` under `cols`, as `[p:b] -A CHAIN …`. Null when the line does not
 * have the listing's columns.
 */
export function listingRule(line: string, chain: string, cols: ListingColumns): ListingRule | null {
  const words = line.trim().split(/\s+/);
  let at = 0;
  if (cols.num) {
    if (!/^\d+$/.test(words[at] ?? '')) return null;
    at++;
  }
  let counters = '';
  if (cols.counters) {
    const p = readCount(words[at]);
    const b = readCount(words[at + 1]);
    if (p === null || b === null) return null;
    counters = `[${p}:${b}] `;
    at += 2;
  }
  // The target column is empty for rules that only count; the protocol and opt columns never are.
  let target = '';
  if (!(isProto(words[at]) && OPT.test(words[at + 1] ?? ''))) target = words[at++] ?? '';
  const prot = words[at++];
  const opt = words[at++];
  if (prot === undefined || opt === undefined || !OPT.test(opt)) return null;
  const inIf = cols.ifaces ? words[at++] : '*';
  const outIf = cols.ifaces ? words[at++] : '*';
  const src = words[at++];
  const dst = words[at++];
  if (src === undefined || dst === undefined || inIf === undefined || outIf === undefined) return null;
  const rest = restAfter(line, words, at);
  const head: string[] = [];
  const names: string[] = [];
  addr(head, '-s', src, names);
  addr(head, '-d', dst, names);
  iface(head, '-i', inIf);
  iface(head, '-o', outIf);
  const proto = prot.replace(/^!/, '');
  const protoName = PROTO_NUMBERS[proto] ?? proto;
  if (protoName !== 'all') head.push(...(prot.startsWith('!') ? ['!'] : []), '-p', protoName);
  if (opt === '-f') head.push('-f');
  if (opt === '!f') head.push('!', '-f');
  const extras = readListingExtras(rest, protoName);
  const words2 = [...head, ...extras.matches];
  const unread = [...names, ...(extras.unread ? [extras.unread] : [])].join(' ') || null;
  if (unread) words2.push('-m', 'svcpath-unread', '--text', quoteWord(unread));
  const toFlag = target === 'SNAT' ? '--to-source' : '--to-destination';
  if (target) words2.push(extras.goto ? '-g' : '-j', target, ...extras.targetOptions.map((w) => (w === '--to' ? toFlag : w)));
  return { statement: `${counters}-A ${chain} ${words2.join(' ')}`.trimEnd(), unread };
}

function isProto(w: string | undefined): boolean {
  if (w === undefined) return false;
  const p = w.replace(/^!/, '');
  return /^\d+$/.test(p) || /^(all|tcp|udp|icmp|sctp|udplite|icmpv6|ipv6-icmp|esp|ah|gre|ipip|ipv6)$/.test(p);
}

/** `-x` prints exact counts; otherwise iptables divides by 1000 with K, M, G, T suffixes. */
function readCount(w: string | undefined): number | null {
  const m = /^(\d+)([KMGT]?)$/.exec(w ?? '');
  if (!m) return null;
  const scale = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2] as '' | 'K' | 'M' | 'G' | 'T'];
  return Number(m[1]) * scale;
}

/** Listings without -n print host names: kept as unread text, since no dump says which address they were. */
function addr(out: string[], flag: string, w: string, names: string[]) {
  const neg = w.startsWith('!');
  let a = neg ? w.slice(1) : w;
  if (a === '0.0.0.0/0' || a === '::/0' || a === 'anywhere') return;
  if (!/^[\d.]+(\/\d+)?$|^[0-9a-f:]+(\/\d+)?$/i.test(a)) {
    names.push(`${flag === '-s' ? 'source' : 'destination'} ${w}`);
    return;
  }
  // -L -n prints a host without its /32 (or /128); iptables-save always adds it.
  if (!a.includes('/')) a = a.includes(':') ? `${a}/128` : `${a}/32`;
  out.push(...(neg ? ['!'] : []), flag, a);
}

function iface(out: string[], flag: string, w: string) {
  if (w === '*') return;
  const neg = w.startsWith('!');
  out.push(...(neg ? ['!'] : []), flag, neg ? w.slice(1) : w);
}

/** The line's text after its first `n` words (the free-text part of a listing line). */
function restAfter(line: string, words: readonly string[], n: number): string {
  let pos = 0;
  for (let k = 0; k < n; k++) {
    pos = line.indexOf(words[k]!, pos);
    pos += words[k]!.length;
  }
  return line.slice(pos).trim();
}
