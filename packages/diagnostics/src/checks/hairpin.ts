import { actionKind, addressConds, chainKindOf, jumpTarget, natAddress, natDestinations, serviceChains } from '@svcpath/proxy-layout';
import type { RsChain, RsRule } from '@svcpath/ruleset';
import { chainLines, chainsInOrder, type ChainLines } from '../chain-lines';
import type { DiagnoseContext } from '../context';
import { ruleEvidence, type Evidence, type Finding } from '../finding';

/**
 * Hairpin: a Pod reaching itself through its Service only gets replies if the connection is
 * masqueraded (otherwise the reply goes Pod → Pod directly and the client drops it). kube-proxy
 * writes `-s <endpoint IP> -j KUBE-MARK-MASQ` first in every KUBE-SEP chain, and KUBE-POSTROUTING
 * masquerades the marked packets. iptables mode.
 */
export function checkHairpin(ctx: DiagnoseContext): Finding[] {
  const rs = ctx.rs;
  if (rs.dataplane !== 'iptables' || ctx.input.ipvs) return [];
  const owners = serviceChains(rs);
  const byService = new Map<string, Evidence[]>();
  const linesOf = chainLines(rs);
  const chains = chainsInOrder(rs);
  for (let k = 0; k < chains.length; k++) {
    const chain = chains[k]!;
    if (chainKindOf(chain.name) !== 'sep') continue;
    // A scanned dump's KUBE-SEP chain as kube-proxy writes it is told from its lines, with no rule
    // object made (and kept) for each of its rules; anything else is read as rules below.
    if (linesOf && linesMarkAsWritten(linesOf(k), chain.name)) continue;
    // Jumps and DNATs as the rules' shapes tell them, so the ~100,000 KUBE-SEP chains of a large
    // dump are checked without building (and keeping) their targets and conditions.
    const dnat = chain.rules.find((r) => natDestinations(r) !== null);
    if (!dnat || marksAsWritten(chain, dnat)) continue;
    const to = natAddress(dnat);
    if (!to) continue;
    const marks = chain.rules.some(
      (r) => isMarkMasqJump(r) && addressConds(r).some((c) => c.dir === 'src' && !c.negate && c.cidr.text.replace(/\/\d+$/, '') === to.text),
    );
    if (marks) continue;
    const name = owners.get(chain.id) ?? chain.name;
    byService.set(name, [...(byService.get(name) ?? []), ruleEvidence(chain.id, dnat)]);
  }
  const out: Finding[] = [...byService].map(([service, evidence]) => ({
    code: 'HAIRPIN_NO_MASQUERADE',
    severity: 'warning',
    title: `${service}: no hairpin masquerade rule before the DNAT`,
    explanation: 'kube-proxy marks a connection for masquerade when the chosen endpoint is the client itself. Without that rule a Pod that calls its own Service and is picked as the endpoint sends the reply straight to itself from the wrong address, and the connection hangs.',
    evidence,
    nextStep: 'These KUBE-SEP chains were not written by a current kube-proxy (or were edited); restart kube-proxy. Hairpin also needs the bridge to reflect traffic (kubelet --hairpin-mode, or the CNI\'s hairpinMode).',
    service,
  }));
  const post = rs.chains.get('nat/KUBE-POSTROUTING');
  if (post && post.rules.length > 0 && !post.rules.some((r) => r.action?.kind === 'MASQUERADE' || r.action?.kind === 'SNAT'))
    out.push({
      code: 'HAIRPIN_NO_MASQUERADE',
      severity: 'critical',
      title: 'KUBE-POSTROUTING never masquerades',
      explanation: 'Connections kube-proxy marks for masquerade (hairpin, NodePort and external traffic under Cluster policy, traffic from outside the Pod network) leave with their original source, so replies from endpoints do not come back through this node.',
      evidence: post.rules.map((r) => ruleEvidence(post.id, r)),
      nextStep: 'Restart kube-proxy so it rewrites KUBE-POSTROUTING, and find what edited it.',
    });
  return out;
}

function isMarkMasqJump(r: RsRule): boolean {
  return jumpTarget(r) === 'KUBE-MARK-MASQ' && actionKind(r) === 'jump';
}

/** marksAsWritten over a scanned chain's lines: true only when it would say true of the chain's rules. */
function linesMarkAsWritten(lines: ChainLines, name: string): boolean {
  let dnat: readonly string[] | null = null;
  for (let i = 0; i < lines.count && dnat === null; i++) dnat = lines.natDestinations(i);
  const to = dnat?.[0];
  const host = to === undefined ? null : canonicalHost(to);
  if (host === null) return false;
  for (let i = 0; i < lines.count; i++) if (lines.jumpTarget(i) === 'KUBE-MARK-MASQ' && lines.byShape(i, kindOfAction) === 'jump' && isMasqLine(lines.raw(i), name, host)) return true;
  return false;
}

const kindOfAction = (rule: { readonly action: { readonly kind: string } | null }): string | null => rule.action?.kind ?? null;

/** kube-proxy's hairpin rule as it writes it: `-s <endpoint>/32`, its comment (if any), the jump. */
const MASQ_LINE = /^-A (\S+) -s ([0-9.]+)\/32(?: -m comment --comment (?:"[^"\\]*"|[^\s"\\]+))? -j KUBE-MARK-MASQ$/;

/**
 * Whether the chain holds kube-proxy's hairpin rule for the address `dnat` sends to, told from the
 * lines as written (an IPv4 endpoint in its canonical form, the rule exactly as kube-proxy writes
 * it) without reading any address. True only when the full reading would say so too; false means
 * "not told": the caller then reads the rules' addresses.
 */
export function marksAsWritten(chain: RsChain, dnat: RsRule): boolean {
  const to = natDestinations(dnat)?.[0];
  const host = to === undefined ? null : canonicalHost(to);
  return host !== null && chain.rules.some((r) => isMarkMasqJump(r) && isMasqLine(r.raw, chain.name, host));
}

/** The address of a DNAT destination as written (`10.1.2.3:8080`), when it is a canonical dotted quad; else null. */
function canonicalHost(to: string): string | null {
  const colon = to.lastIndexOf(':');
  const host = colon < 0 ? to : to.slice(0, colon);
  return CANONICAL_IPV4.test(host) ? host : null;
}

function isMasqLine(raw: string, chain: string, host: string): boolean {
  const m = MASQ_LINE.exec(raw);
  return m !== null && m[1] === chain && m[2] === host;
}

/** A dotted quad as parseIP writes it back: each part 0-255, no leading zero. */
const CANONICAL_IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
