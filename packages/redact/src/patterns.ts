/** The textual shapes redaction looks for, shared by collection and rewriting. */

/** kube-proxy's iptables per-Service chains. */
export const IPT_CHAIN = /\bKUBE-(?:SVC|SVL|EXT|FW|SEP|XLB)-[A-Z2-7]{16}(?![A-Z0-9])/;
/** Dotted-quad IPv4, optionally with a prefix length; not part of a longer dotted run or word. */
export const IPV4 = /(?<![0-9A-Za-z.])(?:\d{1,3}\.){3}\d{1,3}(?:\/\d{1,3})?(?![0-9A-Za-z]|\.\d)/;
/** Something that may be IPv6 (checked by parseIP before it is mapped), optionally with a prefix. */
export const IPV6 = /(?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4})(?:\/\d{1,3})?(?![0-9A-Za-z:])/;
/** A ServicePortName `ns/svc` or `ns/svc:port`, as kube-proxy writes it in comments. */
export const SPN = /(?<![-A-Za-z0-9./:])[a-z0-9][-a-z0-9]*\/[a-z0-9][-a-z0-9]*(?::[a-z0-9][-a-z0-9]*)?(?![-A-Za-z0-9/])/;
/** A name-like word: letters, digits, `-`, `.` inside. */
export const WORD = /(?<![-A-Za-z0-9])[A-Za-z0-9](?:[-A-Za-z0-9.]*[A-Za-z0-9])?(?![-A-Za-z0-9])/;

/**
 * Where a dump holds free text: iptables `--comment`, nft `comment "…"`, nft JSON `"comment": "…"`
 * and `#` lines. Names are rewritten only there (and in kube-proxy's chain names), so a Service
 * called `nat` or `filter` cannot break the dump's syntax.
 */
export const COMMENT_SPAN = /--comment (?:"(?:[^"\\\n]|\\.)*"|[^\s"]+)|\bcomment "(?:[^"\\\n]|\\.)*"|"comment":\s*"(?:[^"\\\n]|\\.)*"|^[ \t]*#.*$/gm;

export const anchored = (re: RegExp): RegExp => new RegExp(`^(?:${re.source})$`);
export const either = (res: readonly RegExp[], flags = 'g'): RegExp => new RegExp(res.map((r) => `(?:${r.source})`).join('|'), flags);
