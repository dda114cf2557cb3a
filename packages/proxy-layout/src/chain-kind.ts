/** What a chain is in kube-proxy's layout (pkg/proxy/iptables); `builtin` is a netfilter hook chain. */
export type ChainKind =
  | 'builtin'
  | 'services'
  | 'nodeports'
  | 'external-services'
  | 'svc'
  | 'svl'
  | 'ext'
  | 'fw'
  | 'xlb'
  | 'sep'
  | 'mark-masq'
  | 'postrouting'
  | 'proxy-firewall'
  | 'firewall'
  | 'forward'
  | 'other';


const BUILTIN = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);
const FIXED: Readonly<Record<string, ChainKind>> = {
  'KUBE-SERVICES': 'services',
  'KUBE-NODEPORTS': 'nodeports',
  'KUBE-EXTERNAL-SERVICES': 'external-services',
  'KUBE-MARK-MASQ': 'mark-masq',
  'KUBE-POSTROUTING': 'postrouting',
  'KUBE-PROXY-FIREWALL': 'proxy-firewall',
  'KUBE-FIREWALL': 'firewall',
  'KUBE-FORWARD': 'forward',
};
const PER_SERVICE: Readonly<Record<string, ChainKind>> = {
  SVC: 'svc',
  SVL: 'svl',
  EXT: 'ext',
  FW: 'fw',
  XLB: 'xlb',
  SEP: 'sep',
};

/**
 * kube-proxy's nftables chains (pkg/proxy/nftables/proxier.go), mapped onto the iptables kinds
 * that do the same job, so ranks, badges and explanations carry over.
 */
const NFT_FIXED: Readonly<Record<string, ChainKind>> = {
  services: 'services',
  'mark-for-masquerade': 'mark-masq',
  masquerading: 'postrouting',
  'firewall-check': 'proxy-firewall',
};
const NFT_PER_SERVICE: Readonly<Record<string, ChainKind>> = {
  service: 'svc',
  external: 'ext',
  firewall: 'fw',
  endpoint: 'sep',
};
/** kube-proxy's nft base chains: `nat-prerouting`, `filter-output-pre-dnat`, … */
const NFT_BASE = /^(?:nat|filter)-(?:prerouting|input|forward|output|postrouting)(?:-pre-dnat)?$/;

/**
 * Classifies a chain by kube-proxy's naming: pkg/proxy/iptables/proxier.go chain prefixes, and the
 * nftables proxier's chain names (`service-<hash>-ns/svc/tcp/port`, `endpoint-…`, `services`, …).
 */
export function chainKindOf(name: string): ChainKind {
  // Most chains of a large dump are per-Service ones: read them without a regular expression.
  const perService = kubePerServiceKind(name);
  if (perService !== null) return perService;
  if (BUILTIN.has(name) || NFT_BASE.test(name)) return 'builtin';
  const fixed = FIXED[name] ?? NFT_FIXED[name];
  if (fixed) return fixed;
  const m = /^KUBE-(SVC|SVL|EXT|FW|XLB|SEP)-[A-Z0-9]{16}$/.exec(name);
  if (m) return PER_SERVICE[m[1]!] ?? 'other';
  const n = /^(service|external|firewall|endpoint)-[A-Z0-9]{8}-[^/]+\/[^/]+\//.exec(name);
  return (n && NFT_PER_SERVICE[n[1]!]) || 'other';
}

/** `KUBE-(SVC|SVL|EXT|FW|XLB|SEP)-` and 16 of [A-Z0-9]: that kind; anything else null. */
function kubePerServiceKind(name: string): ChainKind | null {
  if (name.charCodeAt(0) !== 75 /* K */ || !name.startsWith('KUBE-')) return null;
  const dash = name.indexOf('-', 5);
  if (dash < 0 || name.length - dash - 1 !== 16) return null;
  for (let i = dash + 1; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57))) return null;
  }
  const prefix = name.slice(5, dash);
  return Object.hasOwn(PER_SERVICE, prefix) ? PER_SERVICE[prefix]! : null;
}

/**
 * kubePerServiceKind of a name held as bytes (a scanned dump's name table: see JumpGraph.names):
 * `KUBE-`, SVC/SVL/EXT/FW/XLB/SEP, `-` and 16 of [A-Z0-9]; null for any other name.
 */
export function perServiceKindAt(bytes: Uint8Array, at: number, length: number): ChainKind | null {
  // `KUBE-FW-` and 16 is 24 bytes, the others 25.
  if ((length !== 24 && length !== 25) || bytes[at] !== 75 || bytes[at + 1] !== 85 || bytes[at + 2] !== 66 || bytes[at + 3] !== 69 || bytes[at + 4] !== 45) return null;
  const dash = at + length - 17;
  if (bytes[dash] !== 45) return null;
  for (let i = dash + 1; i < at + length; i++) {
    const c = bytes[i]!;
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57))) return null;
  }
  const a = bytes[at + 5]!;
  const b = bytes[at + 6]!;
  if (length === 24) return a === 70 && b === 87 ? 'fw' : null; // FW
  const c = bytes[at + 7]!;
  if (a === 83 && b === 86) return c === 67 ? 'svc' : c === 76 ? 'svl' : null; // SVC, SVL
  if (a === 83 && b === 69 && c === 80) return 'sep'; // SEP
  if (a === 69 && b === 88 && c === 84) return 'ext'; // EXT
  if (a === 88 && b === 76 && c === 66) return 'xlb'; // XLB
  return null;
}

/** The hook an iptables built-in chain or a kube-proxy nft base chain is called from, or null. */
export function hookOfChainName(name: string): string | null {
  return /(prerouting|input|forward|output|postrouting)/i.exec(name)?.[1]?.toLowerCase() ?? null;
}

/** The chain that sets kube-proxy's masquerade mark, in iptables and nftables mode. */
export function isMarkMasqChain(name: string): boolean {
  return name === 'KUBE-MARK-MASQ' || name === 'mark-for-masquerade';
}

/** Per-Service chains: one set per ServicePort (SEP: per endpoint). */
export function isPerServiceKind(kind: ChainKind): boolean {
  return kind === 'svc' || kind === 'svl' || kind === 'ext' || kind === 'fw' || kind === 'xlb' || kind === 'sep';
}
