import type { NatRange, Target } from './ast';
import type { OptionUse } from './match-modules';
import { readMarkMask, readNatRange, readPortRange, readU32 } from './values';

export interface TargetSpec {
  readonly options: Readonly<Record<string, number>>;
  build(uses: readonly OptionUse[], text: string): { target: Target; problems: string[] };
}

const has = (uses: readonly OptionUse[], n: string) => uses.some((u) => u.name === n);
const arg = (uses: readonly OptionUse[], n: string) => uses.find((u) => u.name === n)?.args[0];

function natRanges(uses: readonly OptionUse[], option: string, problems: string[]): NatRange[] {
  const out: NatRange[] = [];
  for (const u of uses) {
    if (u.name !== option) continue;
    const r = readNatRange(u.args[0] ?? '');
    if (r) out.push(r);
    else problems.push(`--${option} expects ip[-ip][:port[-port]], got "${u.args[0]}"`);
  }
  return out;
}

function toPorts(uses: readonly OptionUse[], problems: string[]) {
  const t = arg(uses, 'to-ports');
  if (t === undefined) return null;
  const r = readPortRange(t.replace('-', ':'));
  if (!r) problems.push(`--to-ports expects a port or range, got "${t}"`);
  return r;
}

/**
 * xt_MARK / xt_CONNMARK option forms, reduced to the kernel's single operation
 * `new = (old & ~mask) ^ value` exactly as libxt_MARK fills its info struct.
 */
function markOp(uses: readonly OptionUse[], problems: string[]): { value: number; mask: number } | null {
  for (const u of uses) {
    const text = u.args[0] ?? '';
    switch (u.name) {
      case 'set-xmark': {
        const mm = readMarkMask(text);
        if (mm) return mm;
        break;
      }
      case 'set-mark': {
        const mm = readMarkMask(text);
        if (mm) return { value: mm.value, mask: (mm.value | mm.mask) >>> 0 };
        break;
      }
      case 'and-mark': {
        const m = readU32(text);
        if (m !== null) return { value: 0, mask: ~m >>> 0 };
        break;
      }
      case 'or-mark': {
        const m = readU32(text);
        if (m !== null) return { value: m, mask: m };
        break;
      }
      case 'xor-mark': {
        const m = readU32(text);
        if (m !== null) return { value: m, mask: 0 };
        break;
      }
      default:
        continue;
    }
    problems.push(`--${u.name} expects a mark value, got "${text}"`);
    return null;
  }
  return null;
}

const MARK_OPTIONS = { 'set-xmark': 1, 'set-mark': 1, 'and-mark': 1, 'or-mark': 1, 'xor-mark': 1 };

const nonterminal = (name: string): TargetSpec => ({
  options: {},
  build: (_uses, text) => ({ target: { kind: 'nonterminal', name, text }, problems: [] }),
});

/** Targets that change or log the packet and let it continue through the chain. */
const NONTERMINAL = [
  'LOG', 'NFLOG', 'ULOG', 'TRACE', 'TCPMSS', 'DSCP', 'TOS', 'TTL', 'HL', 'CLASSIFY', 'CHECKSUM', 'SECMARK',
  'CONNSECMARK', 'AUDIT', 'TEE', 'IDLETIMER', 'LED', 'RATEEST', 'SET', 'TCPOPTSTRIP', 'ECN', 'SYNPROXY',
];

export const TARGETS: Readonly<Record<string, TargetSpec>> = {
  REJECT: {
    options: { 'reject-with': 1 },
    build: (uses) => ({ target: { kind: 'REJECT', rejectWith: arg(uses, 'reject-with') ?? 'icmp-port-unreachable' }, problems: [] }),
  },
  DNAT: {
    options: { 'to-destination': 1, random: 0, persistent: 0 },
    build(uses) {
      const problems: string[] = [];
      const to = natRanges(uses, 'to-destination', problems);
      return { target: { kind: 'DNAT', to, random: has(uses, 'random'), persistent: has(uses, 'persistent') }, problems };
    },
  },
  SNAT: {
    options: { 'to-source': 1, random: 0, 'random-fully': 0, persistent: 0 },
    build(uses) {
      const problems: string[] = [];
      const to = natRanges(uses, 'to-source', problems);
      return {
        target: { kind: 'SNAT', to, random: has(uses, 'random'), randomFully: has(uses, 'random-fully'), persistent: has(uses, 'persistent') },
        problems,
      };
    },
  },
  MASQUERADE: {
    options: { 'to-ports': 1, random: 0, 'random-fully': 0 },
    build(uses) {
      const problems: string[] = [];
      return {
        target: { kind: 'MASQUERADE', toPorts: toPorts(uses, problems), random: has(uses, 'random'), randomFully: has(uses, 'random-fully') },
        problems,
      };
    },
  },
  REDIRECT: {
    options: { 'to-ports': 1, random: 0 },
    build(uses) {
      const problems: string[] = [];
      return { target: { kind: 'REDIRECT', toPorts: toPorts(uses, problems), random: has(uses, 'random') }, problems };
    },
  },
  MARK: {
    options: MARK_OPTIONS,
    build(uses, text) {
      const problems: string[] = [];
      const op = markOp(uses, problems);
      if (!op) return { target: { kind: 'unknown', name: 'MARK', text }, problems: problems.length ? problems : ['MARK needs --set-xmark, --set-mark, --and-mark, --or-mark or --xor-mark'] };
      return { target: { kind: 'MARK', which: 'packet', ...op }, problems };
    },
  },
  CONNMARK: {
    options: { ...MARK_OPTIONS, 'save-mark': 0, 'restore-mark': 0, nfmask: 1, ctmask: 1, mask: 1 },
    build(uses, text) {
      const problems: string[] = [];
      const both = readU32(arg(uses, 'mask') ?? '') ?? 0xffffffff;
      const nfmask = readU32(arg(uses, 'nfmask') ?? '') ?? both;
      const ctmask = readU32(arg(uses, 'ctmask') ?? '') ?? both;
      if (has(uses, 'save-mark')) return { target: { kind: 'CONNMARK-save', nfmask, ctmask }, problems };
      if (has(uses, 'restore-mark')) return { target: { kind: 'CONNMARK-restore', nfmask, ctmask }, problems };
      const op = markOp(uses, problems);
      if (!op) return { target: { kind: 'unknown', name: 'CONNMARK', text }, problems };
      return { target: { kind: 'MARK', which: 'conn', ...op }, problems };
    },
  },
  NOTRACK: { options: {}, build: () => ({ target: { kind: 'NOTRACK' }, problems: [] }) },
  CT: {
    options: { notrack: 0 },
    build: (uses, text) => ({
      target: has(uses, 'notrack') ? { kind: 'NOTRACK' } : { kind: 'nonterminal', name: 'CT', text },
      problems: [],
    }),
  },
  ...Object.fromEntries(NONTERMINAL.map((n) => [n, nonterminal(n)])),
};

export const BUILTIN_VERDICTS = new Set(['ACCEPT', 'DROP', 'RETURN']);
