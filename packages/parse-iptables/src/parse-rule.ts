import type { Counters, Match, Target } from './ast';
import { IMPLICIT_PROTO_OPTIONS, MATCH_MODULES, type ModuleSpec, type OptionUse } from './match-modules';
import { BUILTIN_VERDICTS, TARGETS, type TargetSpec } from './target-modules';
import { quoteWord, type Token } from './tokenize';
import { normalizeProto, readCidr } from './values';

export interface RuleProblem {
  readonly code: 'IPT_UNKNOWN_MATCH' | 'IPT_UNKNOWN_OPTION' | 'IPT_UNKNOWN_TARGET' | 'IPT_BAD_VALUE' | 'IPT_UNQUOTED_COMMENT';
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

export interface ParsedRuleBody {
  readonly matches: Match[];
  readonly target: Target | null;
  readonly counters: Counters | null;
  readonly comment: string | null;
  readonly problems: RuleProblem[];
}

interface ModuleInstance {
  readonly name: string;
  readonly spec: ModuleSpec | undefined;
  readonly uses: OptionUse[];
  readonly words: string[];
}

interface TargetInstance {
  readonly name: string;
  readonly kind: 'jump' | 'goto';
  readonly spec: TargetSpec | undefined;
  readonly uses: OptionUse[];
  readonly words: string[];
}

/** Match slots keep the rule's own order: kernel evaluation order matters for `statistic nth`. */
type Slot = { match: Match } | { module: ModuleInstance };

const isOptionWord = (t: Token | undefined) => t !== undefined && !t.quoted && (t.text.startsWith('-') || t.text === '!');

/**
 * Reads the words of a rule after `-A CHAIN` the way iptables resolves them: generic options,
 * `-m` modules whose `--options` follow, implicit protocol modules (`-p tcp --dport 80`), and the
 * target with its options. Never throws; what it cannot read becomes a problem and an `unknown` match
 * or target, so the tracer can say "unknown — may match".
 */
export function parseRuleBody(tokens: readonly Token[]): ParsedRuleBody {
  const slots: Slot[] = [];
  const modules: ModuleInstance[] = [];
  const problems: RuleProblem[] = [];
  let target: TargetInstance | null = null;
  let counters: Counters | null = null;
  let negate = false;
  let proto: string | null = null;
  let i = 0;

  const take = (): Token | undefined => tokens[i++];
  const bad = (message: string) => problems.push({ code: 'IPT_BAD_VALUE', severity: 'error', message });
  const value = (opt: string): string | null => {
    let t = take();
    if (t && !t.quoted && t.text === '!') {
      negate = !negate; // pre-1.4.3 syntax: `--dport ! 80`
      t = take();
    }
    if (t === undefined) {
      bad(`${opt} expects a value, found the end of the rule`);
      return null;
    }
    return t.text;
  };
  const pushMatch = (m: Match) => {
    slots.push({ match: m });
    negate = false;
  };

  while (i < tokens.length) {
    const tok = take()!;
    const w = tok.text;
    if (!tok.quoted && w === '!') {
      negate = !negate;
      continue;
    }
    switch (tok.quoted ? '' : w) {
      case '-c':
      case '--set-counters': {
        const p = Number(take()?.text);
        const b = Number(take()?.text);
        counters = Number.isFinite(p) && Number.isFinite(b) ? { packets: p, bytes: b } : null;
        continue;
      }
      case '-s': case '--source': case '--src':
      case '-d': case '--destination': case '--dst': {
        const dir = w === '-s' || w.startsWith('--s') ? 'src' : 'dst';
        const v = value(w);
        if (v === null) continue;
        const cidr = readCidr(v);
        if (!cidr) {
          bad(`${w} expects an address or prefix, got "${v}"`);
          pushMatch({ kind: 'unknown', module: 'addr', text: `${w} ${v}` });
        } else pushMatch({ kind: 'addr', dir, negate, cidr });
        continue;
      }
      case '-p': case '--protocol': {
        const v = value(w);
        if (v === null) continue;
        proto = normalizeProto(v);
        pushMatch({ kind: 'proto', negate, proto });
        continue;
      }
      case '-i': case '--in-interface': case '-o': case '--out-interface': {
        const v = value(w);
        if (v !== null) pushMatch({ kind: 'iface', dir: w === '-i' || w === '--in-interface' ? 'in' : 'out', negate, name: v });
        continue;
      }
      case '-f': case '--fragment':
        pushMatch({ kind: 'fragment', negate });
        continue;
      case '-4': case '-6': case '--ipv4': case '--ipv6':
        continue;
      case '-m': case '--match': {
        const name = take()?.text ?? '';
        const inst: ModuleInstance = { name, spec: MATCH_MODULES[name], uses: [], words: [w, name] };
        if (!inst.spec) {
          problems.push({ code: 'IPT_UNKNOWN_MATCH', severity: 'warning', message: `match module "${name}" is not known to svcpath; kept verbatim and assumed to match` });
        }
        modules.push(inst);
        slots.push({ module: inst });
        negate = false;
        continue;
      }
      case '-j': case '--jump': case '-g': case '--goto': {
        const name = take()?.text ?? '';
        const kind = w === '-g' || w === '--goto' ? 'goto' : 'jump';
        target = { name, kind, spec: TARGETS[name], uses: [], words: [w, name] };
        continue;
      }
      default:
        break;
    }
    if (!tok.quoted && w.startsWith('--')) {
      readOption(w.slice(2), tok);
      continue;
    }
    problems.push({ code: 'IPT_UNKNOWN_OPTION', severity: 'error', message: `unexpected word "${w}" (expected an option such as -s, -m or -j)` });
    pushMatch({ kind: 'unknown', module: '', text: quoteWord(w) });
  }

  function readOption(name: string, tok: Token) {
    const owner = findOwner(name);
    if (!owner) {
      problems.push({ code: 'IPT_UNKNOWN_OPTION', severity: 'error', message: `option --${name} belongs to no loaded match module or target` });
      const args = greedy();
      pushMatch({ kind: 'unknown', module: '', text: [tok.text, ...args.map(quoteWord)].join(' ') });
      return;
    }
    const arity = owner.arity;
    let args: string[];
    if (arity === null) args = greedy();
    else {
      args = [];
      for (let k = 0; k < arity; k++) {
        const v = value(`--${name}`);
        if (v !== null) args.push(v);
      }
    }
    if (name === 'comment' && owner.kind === 'module') args = joinUnquotedComment(args);
    owner.into.uses.push({ name, args, negate });
    owner.into.words.push(...(negate ? ['!'] : []), `--${name}`, ...args.map(quoteWord));
    negate = false;
  }

  /** kube-proxy's test dumps have `--comment kubernetes service portals`: take words up to the next option. */
  function joinUnquotedComment(args: string[]): string[] {
    const prev = tokens[i - 1];
    if (!prev || prev.quoted) return args;
    const extra: string[] = [];
    while (i < tokens.length && !isOptionWord(tokens[i])) extra.push(tokens[i++]!.text);
    if (extra.length === 0) return args;
    problems.push({
      code: 'IPT_UNQUOTED_COMMENT',
      severity: 'warning',
      message: `comment "${[...args, ...extra].join(' ')}" is several words without quotes; iptables-restore would refuse this line`,
    });
    return [[...args, ...extra].join(' ')];
  }

  function greedy(): string[] {
    const out: string[] = [];
    while (i < tokens.length && !isOptionWord(tokens[i])) out.push(tokens[i++]!.text);
    return out;
  }

  function findOwner(name: string): { kind: 'module' | 'target'; into: ModuleInstance | TargetInstance; arity: number | null } | null {
    if (target) {
      if (target.spec && name in target.spec.options) return { kind: 'target', into: target, arity: target.spec.options[name]! };
      if (!target.spec) return { kind: 'target', into: target, arity: null };
    }
    for (let k = modules.length - 1; k >= 0; k--) {
      const m = modules[k]!;
      if (m.spec && name in m.spec.options) return { kind: 'module', into: m, arity: m.spec.options[name]! };
    }
    if (IMPLICIT_PROTO_OPTIONS.has(name) && proto) {
      const modName = proto === 'ipv6-icmp' ? 'icmp6' : proto;
      const spec = MATCH_MODULES[modName];
      if (spec && name in spec.options) {
        const inst: ModuleInstance = { name: modName, spec, uses: [], words: ['-m', modName] };
        modules.push(inst);
        slots.push({ module: inst });
        return { kind: 'module', into: inst, arity: spec.options[name]! };
      }
    }
    const last = modules[modules.length - 1];
    if (last && (!last.spec || Object.keys(last.spec.options).length === 0)) return { kind: 'module', into: last, arity: null };
    return null;
  }

  const matches: Match[] = [];
  for (const slot of slots) {
    if ('match' in slot) {
      matches.push(slot.match);
      continue;
    }
    const m = slot.module;
    const text = m.words.join(' ');
    if (!m.spec) {
      matches.push({ kind: 'unknown', module: m.name, text });
      continue;
    }
    const built = m.spec.build(m.uses, text);
    for (const p of built.problems) bad(`-m ${m.name}: ${p}`);
    if (built.problems.length > 0 && built.matches.length === 0) matches.push({ kind: 'unknown', module: m.name, text });
    matches.push(...built.matches);
  }

  const comment = matches.find((m): m is Extract<Match, { kind: 'comment' }> => m.kind === 'comment')?.text ?? null;
  return { matches, target: target ? buildTarget(target, problems) : null, counters, comment, problems };
}

function buildTarget(t: TargetInstance, problems: RuleProblem[]): Target {
  const text = t.words.join(' ');
  if (t.kind === 'goto') return { kind: 'goto', chain: t.name };
  if (BUILTIN_VERDICTS.has(t.name)) return { kind: t.name as 'ACCEPT' | 'DROP' | 'RETURN' };
  if (t.spec) {
    const built = t.spec.build(t.uses, text);
    for (const p of built.problems) problems.push({ code: 'IPT_BAD_VALUE', severity: 'error', message: `-j ${t.name}: ${p}` });
    return built.target;
  }
  // An all-caps name with options is a target extension we do not know; anything else is a chain.
  if (t.uses.length > 0 || (/^[A-Z]+$/.test(t.name) && KNOWN_UNSUPPORTED.has(t.name))) {
    problems.push({ code: 'IPT_UNKNOWN_TARGET', severity: 'warning', message: `target ${t.name} is not known to svcpath; kept verbatim` });
    return { kind: 'unknown', name: t.name, text };
  }
  return { kind: 'jump', chain: t.name };
}

/** Target extensions whose verdict we cannot model (queues, transparent proxying). */
const KNOWN_UNSUPPORTED = new Set(['NFQUEUE', 'QUEUE', 'TPROXY', 'NETMAP', 'CLUSTERIP', 'MIRROR', 'SAME', 'HMARK', 'TARPIT', 'DELUDE', 'CHAOS']);
