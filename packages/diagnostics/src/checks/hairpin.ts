import { actionKind, addressConds, chainKindOf, jumpTarget, natAddress, natDestinations, serviceChains } from '@svcpath/proxy-layout';
import type { RsChain, RsRule } from '@svcpath/ruleset';
import { chainsInOrder } from '../chain-lines';
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
  for (const chain of chainsInOrder(rs)) {
    if (chainKindOf(chain.name) !== 'sep') continue;
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
  if (to === undefined) return false;
  const colon = to.lastIndexOf(':');
  const host = colon < 0 ? to : to.slice(0, colon);
  if (!CANONICAL_IPV4.test(host)) return false;
  return chain.rules.some((r) => {
    if (!isMarkMasqJump(r)) return false;
    const m = MASQ_LINE.exec(r.raw);
    return m !== null && m[1] === chain.name && m[2] === host;
  });
}

/** A dotted quad as parseIP writes it back: each part 0-255, no leading zero. */
const CANONICAL_IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
