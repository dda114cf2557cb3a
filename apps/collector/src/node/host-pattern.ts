// OpenSSH host patterns (ssh_config `Host`, known_hosts host lists): `*` matches any run of
// characters, `?` exactly one, a leading `!` negates. Mirrors OpenSSH's match_pattern_list with
// dolower: host names compare case-insensitively, and one matching negation vetoes the whole list.

/** True when `host` matches the single pattern `pattern` (no negation handling). */
export function matchHostPattern(host: string, pattern: string): boolean {
  let source = '^';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.+()[\]{}|/-]/g, '\\$&');
  }
  return new RegExp(source + '$', 'is').test(host);
}

/**
 * Result of matching a host against a pattern list: `negated` when a `!pattern` matched (which
 * OpenSSH treats as "definitely not this block/line", even if another pattern matched).
 */
export type PatternListMatch = 'match' | 'negated' | 'none';

export function matchHostPatternList(host: string, patterns: readonly string[]): PatternListMatch {
  let matched = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const pattern = negate ? raw.slice(1) : raw;
    if (!matchHostPattern(host, pattern)) continue;
    if (negate) return 'negated';
    matched = true;
  }
  return matched ? 'match' : 'none';
}
