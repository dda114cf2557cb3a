import type { ChainKind } from './model';

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

/** Classifies a chain by kube-proxy's naming (pkg/proxy/iptables/proxier.go chain prefixes). */
export function chainKindOf(name: string): ChainKind {
  if (BUILTIN.has(name)) return 'builtin';
  const fixed = FIXED[name];
  if (fixed) return fixed;
  const m = /^KUBE-(SVC|SVL|EXT|FW|XLB|SEP)-[A-Z0-9]{16}$/.exec(name);
  return (m && PER_SERVICE[m[1]!]) || 'other';
}

/** Per-Service chains: one set per ServicePort (SEP: per endpoint). */
export function isPerServiceKind(kind: ChainKind): boolean {
  return kind === 'svc' || kind === 'svl' || kind === 'ext' || kind === 'fw' || kind === 'xlb' || kind === 'sep';
}
