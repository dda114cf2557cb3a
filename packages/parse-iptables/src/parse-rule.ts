import type { Counters, Match, Target } from './ast';
import { IMPLICIT_PROTO_OPTIONS, MATCH_MODULES, type ModuleSpec, type OptionUse } from './match-modules';
import { BUILTIN_VERDICTS, TARGETS, type TargetSpec } from './target-modules';
import { quoteWord, type Token } from './tokenize';
import { normalizeProto, readCidr } from './values';

export interface RuleProblem {
  readonly code: 'IPT_UNKNOWN_MATCH' | 'IPT_UNKNOWN_OPTION' | 'IPT_UNKNOWN_TARGET' | 'IPT_BAD_VALUE' | 'IPT_UNQUOTED_COMMENT' | 'IPT_UNTERMINATED_QUOTE';
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
  return new RuleReader(tokens).read();
}

/**
 * The reader's state for one rule. A class rather than closures: this runs once per rule of dumps
 * with hundreds of thousands of rules, and per-call closures cost allocations (and, under tsx's
 * keepNames, a defineProperty each).
 */
class RuleReader {
  private readonly slots: Slot[] = [];
  private readonly modules: ModuleInstance[] = [];
  /** The latest loaded module that takes each option: finding an option's owner is one lookup. */
  private readonly owners = new Map<string, ModuleInstance>();
  private readonly problems: RuleProblem[] = [];
  private target: TargetInstance | null = null;
  private counters: Counters | null = null;
  private negate = false;
  private proto: string | null = null;
  private i = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  read(): ParsedRuleBody {
    const tokens = this.tokens;
    while (this.i < tokens.length) {
      const tok = tokens[this.i++]!;
      const w = tok.text;
      if (!tok.quoted && w === '!') {
        this.negate = !this.negate;
        continue;
      }
      if (tok.quoted || !w.startsWith('-')) {
        this.problems.push({ code: 'IPT_UNKNOWN_OPTION', severity: 'error', message: `unexpected word "${w}" (expected an option such as -s, -m or -j)` });
        this.pushMatch({ kind: 'unknown', module: '', text: quoteWord(w) });
        continue;
      }
      if (!this.generic(w)) {
        if (w.startsWith('--')) this.readOption(w.slice(2), tok);
        else {
          this.problems.push({ code: 'IPT_UNKNOWN_OPTION', severity: 'error', message: `unknown option "${w}" (expected an option such as -s, -m or -j)` });
          this.pushMatch({ kind: 'unknown', module: '', text: quoteWord(w) });
        }
      }
    }
    return this.finish();
  }

  /** iptables' own options (not a module's); false when `w` is not one of them. */
  private generic(w: string): boolean {
    switch (w) {
      case '-c':
      case '--set-counters': {
        const p = Number(this.tokens[this.i++]?.text);
        const b = Number(this.tokens[this.i++]?.text);
        this.counters = Number.isFinite(p) && Number.isFinite(b) ? { packets: p, bytes: b } : null;
        return true;
      }
      case '-s': case '--source': case '--src':
      case '-d': case '--destination': case '--dst': {
        const dir = w === '-s' || w.startsWith('--s') ? 'src' : 'dst';
        const v = this.value(w);
        if (v === null) return true;
        const cidr = readCidr(v);
        if (!cidr) {
          this.bad(`${w} expects an address or prefix, got "${v}"`);
          this.pushMatch({ kind: 'unknown', module: 'addr', text: `${w} ${v}` });
        } else this.pushMatch({ kind: 'addr', dir, negate: this.negate, cidr });
        return true;
      }
      case '-p': case '--protocol': {
        const v = this.value(w);
        if (v === null) return true;
        this.proto = normalizeProto(v);
        this.pushMatch({ kind: 'proto', negate: this.negate, proto: this.proto });
        return true;
      }
      case '-i': case '--in-interface': case '-o': case '--out-interface': {
        const v = this.value(w);
        if (v !== null) this.pushMatch({ kind: 'iface', dir: w === '-i' || w === '--in-interface' ? 'in' : 'out', negate: this.negate, name: v });
        return true;
      }
      case '-f': case '--fragment':
        this.pushMatch({ kind: 'fragment', negate: this.negate });
        return true;
      case '-4': case '-6': case '--ipv4': case '--ipv6':
        return true;
      case '-m': case '--match': {
        const name = this.tokens[this.i++]?.text ?? '';
        const inst: ModuleInstance = { name, spec: MATCH_MODULES[name], uses: [], words: [w, name] };
        if (!inst.spec)
          this.problems.push({ code: 'IPT_UNKNOWN_MATCH', severity: 'warning', message: `match module "${name}" is not known to svcpath; kept verbatim and assumed to match` });
        this.load(inst);
        this.negate = false;
        return true;
      }
      case '-j': case '--jump': case '-g': case '--goto': {
        const name = this.tokens[this.i++]?.text ?? '';
        const kind = w === '-g' || w === '--goto' ? 'goto' : 'jump';
        this.target = { name, kind, spec: TARGETS[name], uses: [], words: [w, name] };
        return true;
      }
      default:
        return false;
    }
  }

  private load(inst: ModuleInstance) {
    this.modules.push(inst);
    this.slots.push({ module: inst });
    if (inst.spec) for (const option in inst.spec.options) this.owners.set(option, inst);
  }

  private bad(message: string) {
    this.problems.push({ code: 'IPT_BAD_VALUE', severity: 'error', message });
  }

  /** The next word as an option's value, reading pre-1.4.3 `--dport ! 80` negation. */
  private value(opt: string): string | null {
    let t = this.tokens[this.i++];
    if (t && !t.quoted && t.text === '!') {
      this.negate = !this.negate;
      t = this.tokens[this.i++];
    }
    if (t === undefined) {
      this.bad(`${opt} expects a value, found the end of the rule`);
      return null;
    }
    return t.text;
  }

  private pushMatch(m: Match) {
    this.slots.push({ match: m });
    this.negate = false;
  }

  private readOption(name: string, tok: Token) {
    const owner = this.findOwner(name);
    if (!owner) {
      this.problems.push({ code: 'IPT_UNKNOWN_OPTION', severity: 'error', message: `option --${name} belongs to no loaded match module or target` });
      const args = this.greedy();
      this.pushMatch({ kind: 'unknown', module: '', text: [tok.text, ...args.map(quoteWord)].join(' ') });
      return;
    }
    let args: string[];
    if (owner.arity === null) args = this.greedy();
    else {
      args = [];
      for (let k = 0; k < owner.arity; k++) {
        const v = this.value(`--${name}`);
        if (v !== null) args.push(v);
      }
    }
    if (name === 'comment' && owner.kind === 'module') args = this.joinUnquotedComment(args);
    owner.into.uses.push({ name, args, negate: this.negate });
    if (this.negate) owner.into.words.push('!');
    owner.into.words.push(`--${name}`);
    for (const a of args) owner.into.words.push(quoteWord(a));
    this.negate = false;
  }

  /** kube-proxy's test dumps have `--comment kubernetes service portals`: take words up to the next option. */
  private joinUnquotedComment(args: string[]): string[] {
    const prev = this.tokens[this.i - 1];
    if (!prev || prev.quoted) return args;
    const extra: string[] = [];
    while (this.i < this.tokens.length && !isOptionWord(this.tokens[this.i])) extra.push(this.tokens[this.i++]!.text);
    if (extra.length === 0) return args;
    const text = [...args, ...extra].join(' ');
    this.problems.push({
      code: 'IPT_UNQUOTED_COMMENT',
      severity: 'warning',
      message: `comment "${text}" is several words without quotes; iptables-restore would refuse this line`,
    });
    return [text];
  }

  private greedy(): string[] {
    const out: string[] = [];
    while (this.i < this.tokens.length && !isOptionWord(this.tokens[this.i])) out.push(this.tokens[this.i++]!.text);
    return out;
  }

  private findOwner(name: string): { kind: 'module' | 'target'; into: ModuleInstance | TargetInstance; arity: number | null } | null {
    const target = this.target;
    if (target) {
      if (target.spec && name in target.spec.options) return { kind: 'target', into: target, arity: target.spec.options[name]! };
      if (!target.spec) return { kind: 'target', into: target, arity: null };
    }
    // iptables gives an option to the latest module that takes it (a scan back over every module
    // per option was quadratic in long rules).
    const m = this.owners.get(name);
    if (m) return { kind: 'module', into: m, arity: m.spec!.options[name]! };
    if (IMPLICIT_PROTO_OPTIONS.has(name) && this.proto) {
      const modName = this.proto === 'ipv6-icmp' ? 'icmp6' : this.proto;
      const spec = MATCH_MODULES[modName];
      if (spec && name in spec.options) {
        const inst: ModuleInstance = { name: modName, spec, uses: [], words: ['-m', modName] };
        this.load(inst);
        return { kind: 'module', into: inst, arity: spec.options[name]! };
      }
    }
    const last = this.modules[this.modules.length - 1];
    if (last && (!last.spec || Object.keys(last.spec.options).length === 0)) return { kind: 'module', into: last, arity: null };
    return null;
  }

  private finish(): ParsedRuleBody {
    const matches: Match[] = [];
    let comment: string | null = null;
    for (const slot of this.slots) {
      if ('match' in slot) {
        matches.push(slot.match);
        continue;
      }
      const m = slot.module;
      if (!m.spec) {
        matches.push({ kind: 'unknown', module: m.name, text: m.words.join(' ') });
        continue;
      }
      const built = m.spec.build(m.uses, m.words);
      for (const p of built.problems) this.bad(`-m ${m.name}: ${p}`);
      if (built.problems.length > 0 && built.matches.length === 0) matches.push({ kind: 'unknown', module: m.name, text: m.words.join(' ') });
      for (const x of built.matches) {
        if (x.kind === 'comment' && comment === null) comment = x.text;
        matches.push(x);
      }
    }
    return { matches, target: this.target ? buildTarget(this.target, this.problems) : null, counters: this.counters, comment, problems: this.problems };
  }
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
export const KNOWN_UNSUPPORTED = new Set(['NFQUEUE', 'QUEUE', 'TPROXY', 'NETMAP', 'CLUSTERIP', 'MIRROR', 'SAME', 'HMARK', 'TARPIT', 'DELUDE', 'CHAOS']);
