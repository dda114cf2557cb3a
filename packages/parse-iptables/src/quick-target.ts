import type { Target } from './ast';
import { MATCH_MODULES } from './match-modules';
import { KNOWN_UNSUPPORTED, parseRuleBody } from './parse-rule';
import { BUILTIN_VERDICTS, TARGETS } from './target-modules';
import { tokenize } from './tokenize';
import { readNatRange } from './values';

const VERDICTS: Readonly<Record<string, Target>> = { ACCEPT: { kind: 'ACCEPT' }, DROP: { kind: 'DROP' }, RETURN: { kind: 'RETURN' } };

/** Generic options (not a target's): after the target they would make the rest more than its options. */
const GENERIC_AFTER = /(?:^|\s)(?:-[a-zA-Z0-9]|--(?:match|protocol|source|destination|src|dst|in-interface|out-interface|fragment|set-counters|jump|goto|ipv4|ipv6))(?:\s|$)/;

const OPTION_SPECS = [...Object.values(MATCH_MODULES), ...Object.values(TARGETS)];

/** `--to-destination ADDR[:PORT]`, one plain word and nothing else. */
const ONE_DESTINATION = /^--to-destination ([^\s"']+)$/;

/** Options that take no value in every module and target that has them (`--rsource`, `--reap`). */
const FLAGS: ReadonlySet<string> = (() => {
  const arity = new Map<string, boolean>();
  for (const spec of OPTION_SPECS) for (const [name, n] of Object.entries(spec.options)) arity.set(name, (arity.get(name) ?? true) && n === 0);
  return new Set([...arity].filter(([, zero]) => zero).map(([name]) => `--${name}`));
})();

/** Options that take two values somewhere (`--match-set NAME FLAGS`), and iptables' `-c P B`. */
const TWO_VALUES: ReadonlySet<string> = new Set([
  '-c',
  '--set-counters',
  ...OPTION_SPECS.flatMap((spec) => Object.entries(spec.options).filter(([, n]) => n >= 2).map(([name]) => `--${name}`)),
]);

/** Where the body's only target flag is: `-j NAME` or `-g NAME` at `flag`, NAME at [nameAt, nameEnd). */
interface TargetSite {
  readonly flag: number;
  readonly goto: boolean;
  readonly name: string;
  readonly nameEnd: number;
}

/**
 * A rule's target read from its body `src[from, to)` without reading its matches, as parseRuleBody
 * would read it: a jump, goto or verdict ending the line, a target extension and its options
 * (`-j DNAT --to-destination 10.1.2.3:80`) when nothing but those options follows, or null for a
 * line without a target flag. undefined when that is not certain: a second target flag, counters,
 * single quotes, escapes, tabs, unbalanced quotes, or `-j` right after a word that could take it as
 * its value. The caller then reads the whole body.
 */
export function quickTarget(src: string, from: number, to: number): Target | null | undefined {
  const site = locateTarget(src, from, to);
  if (site === null) return undefined;
  if (site === NO_TARGET) return null;
  const rest = src.slice(site.nameEnd, to).trim();
  if (rest === '') {
    if (site.goto) return { kind: 'goto', chain: site.name };
    if (BUILTIN_VERDICTS.has(site.name)) return VERDICTS[site.name]!;
    if (!Object.hasOwn(TARGETS, site.name) && !KNOWN_UNSUPPORTED.has(site.name)) return { kind: 'jump', chain: site.name };
  }
  if (site.goto || !Object.hasOwn(TARGETS, site.name) || GENERIC_AFTER.test(rest)) return undefined;
  // kube-proxy's endpoint DNAT, one per endpoint of a large dump: read without tokenising.
  if (site.name === 'DNAT') {
    const to = ONE_DESTINATION.exec(rest);
    const range = to ? readNatRange(to[1]!) : null;
    if (range) return { kind: 'DNAT', to: [range], random: false, persistent: false };
  }
  // Only the target's own options follow: reading `-j NAME options` alone gives the same target.
  const { tokens, unterminated } = tokenize(src.slice(site.flag, to));
  const alone = parseRuleBody(tokens);
  return unterminated || alone.problems.length > 0 || alone.matches.length > 0 ? undefined : alone.target;
}

/** A line whose words hold no target flag at all (it only counts packets). */
const NO_TARGET: TargetSite = { flag: -1, goto: false, name: '', nameEnd: -1 };

/** The target flag's site, NO_TARGET when there is none, null when the line is not plain enough to tell. */
function locateTarget(src: string, from: number, to: number): TargetSite | null {
  let quotes = 0;
  let flag = -1;
  for (let i = from; i < to; i++) {
    const c = src.charCodeAt(i);
    if (c === 34) quotes++;
    else if (c === 39 || c === 92 || c === 9 || c === 13) return null;
    else if (c === 45 && (quotes & 1) === 0 && (i === from || src.charCodeAt(i - 1) === 32)) {
      const next = src.charCodeAt(i + 1);
      const spaced = i + 2 >= to || src.charCodeAt(i + 2) === 32;
      if ((next === 106 || next === 103) && spaced) {
        if (flag >= 0) return null;
        flag = i;
      } else if (next === 99 && spaced) return null;
      else if (next === 45 && (src.startsWith('--jump', i) || src.startsWith('--goto', i) || src.startsWith('--set-counters', i))) return null;
    }
  }
  if (quotes & 1) return null;
  if (flag < 0) return NO_TARGET;
  if (flag > from) {
    if (!followsValue(src, from, flag)) return null;
  }
  const nameAt = flag + 3;
  let nameEnd = nameAt;
  while (nameEnd < to && src.charCodeAt(nameEnd) !== 32) nameEnd++;
  if (nameEnd === nameAt) return null;
  const name = src.slice(nameAt, nameEnd);
  if (name.includes('"')) return null;
  return { flag, goto: src.charCodeAt(flag + 1) === 103, name, nameEnd };
}

/**
 * True when the word before the word at `at` (after `from`) cannot take that word as its value: it
 * is not `!` and not an option, unless an option that never takes a value (`--rsource`), and the one
 * before it is not an option that takes two.
 */
function followsValue(src: string, from: number, at: number): boolean {
  if (at <= from) return true;
  const w = wordBefore(src, from, at);
  const first = src.charCodeAt(w);
  if (first === 33 || (first === 45 && !FLAGS.has(src.slice(w, at - 1)))) return false;
  // Nor the word before that, when it takes two values (`--match-set NAME -j X` has lost a value).
  if (w <= from) return true;
  const w2 = wordBefore(src, from, w);
  return !TWO_VALUES.has(src.slice(w2, w - 1));
}

/** The start of the word that ends just before the space before `at`. */
function wordBefore(src: string, from: number, at: number): number {
  let w = at - 1;
  while (w > from && src.charCodeAt(w - 1) !== 32) w--;
  return w;
}

const COMMENT_FLAG = '-m comment --comment ';

/**
 * A rule's comment read from its body `src[from, to)` without reading the rest, as parseRuleBody
 * reads it, when the body has one `-m comment --comment` before any target flag, its value one
 * quoted string without escapes or one bare word. null: the body has no comment; undefined: only
 * reading the whole body can tell.
 */
export function quickComment(src: string, from: number, to: number): string | null | undefined {
  const body = src.slice(from, to);
  const at = body.indexOf('--comment');
  if (at < 0) return null;
  const flag = at - 11;
  if (flag < 0 || !body.startsWith(COMMENT_FLAG, flag) || (flag > 0 && body.charCodeAt(flag - 1) !== 32)) return undefined;
  if (body.indexOf('--comment', at + 9) >= 0 || /[\\'\t\r]/.test(body)) return undefined;
  const before = body.slice(0, flag);
  if (/(?:^|\s)(?:-j|-g|-c|--jump|--goto|--set-counters)\s/.test(before) || (before.split('"').length - 1) % 2 !== 0 || !followsValue(body, 0, flag)) return undefined;
  const valueAt = flag + COMMENT_FLAG.length;
  if (body.charCodeAt(valueAt) === 34) {
    const close = body.indexOf('"', valueAt + 1);
    if (close < 0 || (close + 1 < body.length && body.charCodeAt(close + 1) !== 32)) return undefined;
    return body.slice(valueAt + 1, close);
  }
  // A bare word is the whole comment only when an option (or the end) follows it.
  let end = valueAt;
  while (end < body.length && body.charCodeAt(end) !== 32) end++;
  if (end === valueAt || body.charCodeAt(valueAt) === 45 || body.charCodeAt(valueAt) === 33) return undefined;
  const next = body.charCodeAt(end + 1);
  return end >= body.length || next === 45 || next === 33 ? body.slice(valueAt, end) : undefined;
}
