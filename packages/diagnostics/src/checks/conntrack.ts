import { chainsInOrder } from '../chain-lines';
import type { DiagnoseContext } from '../context';
import { ruleEvidence, type Evidence, type Finding } from '../finding';

const COUNT = 'net.netfilter.nf_conntrack_count';
const MAX = 'net.netfilter.nf_conntrack_max';

/**
 * Conntrack: rules outside kube-proxy's chains that drop INVALID packets, and (with sysctls) a
 * conntrack table close to full, where the kernel drops new connections ("nf_conntrack: table
 * full, dropping packet").
 */
export function checkConntrack(ctx: DiagnoseContext): Finding[] {
  const out: Finding[] = [];
  const foreign: Evidence[] = [];
  for (const chain of chainsInOrder(ctx.rs)) {
    if (chain.name.startsWith('KUBE-') || ctx.rs.dataplane !== 'iptables') continue;
    for (const r of chain.rules) {
      const invalid = r.conds.some((c) => c.kind === 'ctstate' && !c.negate && c.states.includes('INVALID'));
      if (invalid && (r.action?.kind === 'DROP' || r.action?.kind === 'REJECT')) foreign.push(ruleEvidence(chain.id, r));
    }
  }
  if (foreign.length > 0)
    out.push({
      code: 'CONNTRACK_INVALID_DROP',
      severity: 'warning',
      title: `${foreign.length} rule(s) outside kube-proxy's chains drop conntrack INVALID packets`,
      explanation:
        'Packets conntrack cannot place (out-of-window TCP segments, replies that took another path, entries evicted under load) are dropped here. kube-proxy drops them only in KUBE-FORWARD, for forwarded traffic; a host firewall doing it on INPUT or PREROUTING also hits NodePort and hairpin traffic and shows as stalls and resets on long-lived connections.',
      evidence: foreign,
      nextStep: 'Check `conntrack -S` (invalid, insert_failed) while the problem happens; consider net.netfilter.nf_conntrack_tcp_be_liberal=1, and look for asymmetric routing.',
    });
  const count = Number(ctx.input.sysctls?.[COUNT]);
  const max = Number(ctx.input.sysctls?.[MAX]);
  if (Number.isFinite(count) && Number.isFinite(max) && max > 0 && count / max >= 0.9)
    out.push({
      code: 'CONNTRACK_TABLE_FULL',
      severity: 'critical',
      title: `Conntrack table ${Math.round((count / max) * 100)}% full (${count} of ${max})`,
      explanation: 'When the table is full the kernel drops the first packet of every new connection, Service traffic included: connections time out at random while established ones keep working. Short UDP flows (DNS) are the usual culprit.',
      evidence: [
        { kind: 'sysctl', name: COUNT, value: String(count) },
        { kind: 'sysctl', name: MAX, value: String(max) },
      ],
      nextStep: 'Look for "nf_conntrack: table full" in dmesg; raise nf_conntrack_max (kube-proxy --conntrack-max-per-core / --conntrack-min) and find what opens so many flows (`conntrack -L | sort | uniq -c`).',
    });
  return out;
}
