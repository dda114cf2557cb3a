import { chainsNamed, type RsChain, type Ruleset } from '@svcpath/ruleset';

const IPTABLES_TABLES = ['raw', 'mangle', 'nat', 'filter', 'security'];

/** Whether the ruleset's first chain is in an nft table (`family name`): one dump's chains all are, or none. */
function firstChainIsNft(rs: Ruleset): boolean {
  const first = rs.chains.values().next();
  return !first.done && first.value.table.includes(' ');
}

function someChain(rs: Ruleset, test: (c: RsChain) => boolean): boolean {
  for (const c of rs.chains.values()) if (test(c)) return true;
  return false;
}

/**
 * Whether a chain whose name matches `name` passes `test`. A lazily read ruleset's chains are tested
 * by name first (see chainsNamed), so its other chains are never made.
 */
function someNamed(rs: Ruleset, name: RegExp, test: (c: RsChain) => boolean = () => true, prefix?: string): boolean {
  for (const c of chainsNamed(rs.chains, (n) => name.test(n), prefix)) if (test(c)) return true;
  return false;
}

/** Which kube-proxy mode programmed a node, as its dumps show it. */
export type ProxyMode = 'iptables' | 'nftables' | 'ipvs' | 'userspace' | 'none' | 'mixed';

export interface ModeReport {
  readonly mode: ProxyMode;
  /** Why, in words, pointing at what was seen. */
  readonly evidence: readonly string[];
  /** Conditions that cause outages on their own (two iptables backends, two modes' leftovers). */
  readonly warnings: readonly string[];
}

/**
 * Reads the proxy mode from the rules: kube-proxy's KUBE-SVC/KUBE-SEP chains (iptables), its
 * `kube-proxy` nft table (nftables), virtual services or KUBE-CLUSTER-IP ipset rules (IPVS), or the
 * KUBE-PORTALS chains that REDIRECT to kube-proxy itself (the userspace mode removed in 1.26).
 * `backends` names each iptables file's backend when known (`legacy`/`nft`), so rules in both are
 * reported: both sets of tables run, and the stale one wins or loses by accident.
 */
export function detectProxyMode(rs: Ruleset, backends: readonly { file: string; backend: 'legacy' | 'nft' | null }[] = []): ModeReport {
  const evidence: string[] = [];
  const warnings: string[] = [];
  // Chains one at a time, stopping at the first that tells: a scanned dump makes chains when asked.
  const some = (test: (c: RsChain) => boolean) => someChain(rs, test);
  // A scanned iptables dump's chains are iptables tables' (no nft table), its ipset rules known.
  // A lazily read nft dump knows its ipset rules too; its tables (`ip kube-proxy`) have a family.
  const scanned = rs.kubeIpsetRules !== undefined && !firstChainIsNft(rs);
  const found = new Set<ProxyMode>();
  if (someNamed(rs, /^KUBE-(SVC|SEP)-/, undefined, 'KUBE-S')) {
    found.add('iptables');
    evidence.push('KUBE-SVC-*/KUBE-SEP-* chains: kube-proxy in iptables mode');
  }
  if (!scanned && some((c) => c.table.endsWith(' kube-proxy'))) {
    found.add('nftables');
    evidence.push('an nftables table named kube-proxy: kube-proxy in nftables mode');
  }
  const ipvsRules = rs.kubeIpsetRules ?? some((c) => c.rules.some((r) => /--match-set KUBE-(CLUSTER-IP|LOOP-BACK|NODE-PORT)/.test(r.raw)));
  if ((rs.ipvs?.services.length ?? 0) > 0 || ipvsRules) {
    found.add('ipvs');
    evidence.push(rs.ipvs?.services.length ? `${rs.ipvs.services.length} IPVS virtual services` : 'rules matching KUBE-CLUSTER-IP / KUBE-LOOP-BACK ipsets: kube-proxy in IPVS mode');
  }
  const PORTALS = /^KUBE-PORTALS-(CONTAINER|HOST)$/;
  const portals = (c: RsChain | undefined) => c !== undefined && PORTALS.test(c.name) && c.rules.length > 0;
  // A scanned dump's chains are found by id: iptables' tables are known.
  const portalIds = IPTABLES_TABLES.flatMap((t) => [`${t}/KUBE-PORTALS-CONTAINER`, `${t}/KUBE-PORTALS-HOST`]);
  if (scanned ? portalIds.some((id) => portals(rs.chains.get(id))) : someNamed(rs, PORTALS, portals)) {
    found.add('userspace');
    evidence.push('KUBE-PORTALS-CONTAINER/HOST chains REDIRECT Service traffic to kube-proxy itself: the legacy userspace mode (removed in Kubernetes 1.26); kube-proxy then opens its own connection to an endpoint, which no rule shows');
  }
  const withKube = backends.filter((b) => b.backend && someNamed(rs, /^KUBE-/, (c) => c.rules.some((r) => r.span.file === b.file)));
  const kinds = new Set(withKube.map((b) => b.backend));
  if (kinds.has('legacy') && kinds.has('nft'))
    warnings.push(`kube-proxy rules exist in both iptables-legacy (${withKube.filter((b) => b.backend === 'legacy').map((b) => b.file).join(', ')}) and iptables-nft (${withKube.filter((b) => b.backend === 'nft').map((b) => b.file).join(', ')}): both run on every packet, so a stale copy in one can decide before the live one. Remove the stale backend's rules (iptables-legacy -t nat -F … or kube-proxy --cleanup with that backend).`);
  if (found.size > 1) warnings.push(`rules of several kube-proxy modes are present (${[...found].join(', ')}): leftovers of an earlier mode still steer traffic until cleaned up (kube-proxy --cleanup).`);
  const mode: ProxyMode = found.size === 0 ? 'none' : found.size === 1 ? [...found][0]! : 'mixed';
  if (mode === 'none') evidence.push('no kube-proxy rules found in these dumps');
  return { mode, evidence, warnings };
}

/** The backend a dump file came from, by its name or its iptables-save header. */
export function iptablesBackend(file: string, text: string): 'legacy' | 'nft' | null {
  if (/legacy/i.test(file) || /iptables-save v[\d.]+ \(legacy\)/.test(text.slice(0, 4096))) return 'legacy';
  if (/(^|[^a-z])nft/i.test(file) || /iptables-save v[\d.]+ \(nf_tables\)/.test(text.slice(0, 4096))) return 'nft';
  return null;
}
