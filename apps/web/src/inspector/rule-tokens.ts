/** Token classes of an iptables-save / nft rule line, for highlighting in the inspector. */
export type RuleTokenKind = 'flag' | 'string' | 'chain' | 'address' | 'target' | 'text';

export interface RuleToken {
  readonly kind: RuleTokenKind;
  readonly text: string;
}

// One alternation, tried left to right: quoted strings first (a comment may hold anything), then
// the jump target (`-j X` / `--to-destination`), options, kube-proxy chain names, addresses.
const TOKEN = /("(?:[^"\\]|\\.)*")|(-[jg] [^\s]+)|(--?[a-zA-Z][\w-]*)|(\bKUBE-[A-Z0-9-]+)|(\b\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?(?::\d+)?)/g;

/** Splits a rule's raw text into highlighted tokens; joining the texts gives the raw text back. */
export function ruleTokens(raw: string): RuleToken[] {
  const out: RuleToken[] = [];
  let last = 0;
  for (const m of raw.matchAll(TOKEN)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ kind: 'text', text: raw.slice(last, at) });
    const kind: RuleTokenKind = m[1] ? 'string' : m[2] ? 'target' : m[3] ? 'flag' : m[4] ? 'chain' : 'address';
    out.push({ kind, text: m[0] });
    last = at + m[0].length;
  }
  if (last < raw.length) out.push({ kind: 'text', text: raw.slice(last) });
  return out;
}
