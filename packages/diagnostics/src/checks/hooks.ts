import type { Ruleset } from '@svcpath/ruleset';
import { trace, type PacketSpec } from '@svcpath/tracer';
import type { DiagnoseContext } from '../context';
import { ruleEvidence, type Evidence, type Finding } from '../finding';
import { traceEvidence } from '../trace-evidence';
import { probeSource, probeTargets } from './probe';

/** Whether `start` leads to `target` through jumps and gotos; stops as soon as it does. */
function reaches(rs: Ruleset, start: string, target: string): boolean {
  if (start === target) return true;
  const seen = new Set<string>([start]);
  const todo = [start];
  while (todo.length) {
    const id = todo.pop()!;
    const chain = rs.chains.get(id);
    if (!chain) continue;
    for (const r of chain.rules) {
      const a = r.action;
      if (!a || (a.kind !== 'jump' && a.kind !== 'goto')) continue;
      const next = `${chain.table}/${a.chain}`;
      if (next === target) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      todo.push(next);
    }
  }
  return false;
}

const HOOK_JUMPS: readonly { from: string; to: string; why: string }[] = [
  { from: 'nat/PREROUTING', to: 'nat/KUBE-SERVICES', why: 'traffic from Pods and from outside the node is never translated to an endpoint' },
  { from: 'nat/OUTPUT', to: 'nat/KUBE-SERVICES', why: 'connections the node itself opens (host-network Pods, kubelet probes, curl on the node) are never translated' },
  { from: 'nat/POSTROUTING', to: 'nat/KUBE-POSTROUTING', why: 'marked traffic is never masqueraded, so replies from endpoints bypass the node (hairpin and NodePort traffic breaks)' },
];

/**
 * kube-proxy's entry points (iptables mode): the nat table's PREROUTING and OUTPUT must reach
 * KUBE-SERVICES, POSTROUTING must reach KUBE-POSTROUTING. A flushed table (`iptables -t nat -F`,
 * a firewall service restarting) removes the jumps while the KUBE-* chains remain.
 */
export function checkHooks(ctx: DiagnoseContext): Finding[] {
  const rs = ctx.rs;
  if (rs.dataplane !== 'iptables' || !rs.chains.has('nat/KUBE-SERVICES')) return [];
  const out: Finding[] = [];
  for (const h of HOOK_JUMPS) {
    if (!rs.chains.has(h.to) || reaches(rs, h.from, h.to)) continue;
    const chain = rs.chains.get(h.from);
    const evidence: Evidence[] = [...(chain?.rules ?? []).slice(0, 5).map((r) => ruleEvidence(h.from, r)), ...untranslated(ctx, h.from)];
    out.push({
      code: 'HOOK_KUBE_SERVICES_UNREACHED',
      severity: 'critical',
      title: `${h.from} does not lead to ${h.to}`,
      explanation: `kube-proxy's ${h.to.split('/')[1]} chain exists but no rule of ${h.from} jumps to it (directly or through other chains), so ${h.why}.${chain && chain.rules.length === 0 ? ` ${h.from} has no rules at all: the table was probably flushed.` : ''}`,
      evidence,
      nextStep: 'Find what rewrote the nat table (firewalld/ufw reload, a CNI or security agent, `iptables -t nat -F`), stop it, and restart kube-proxy so it re-adds its jumps.',
    });
  }
  return out;
}

/**
 * The path that shows it: a Pod's connection (PREROUTING) or the node's own (OUTPUT) to a Service
 * the node programs, traced; untranslated outcomes only (the kernel's walk that never meets
 * KUBE-SERVICES). POSTROUTING's masquerade is not shown by a first packet's verdict.
 */
function untranslated(ctx: DiagnoseContext, hook: string): Evidence[] {
  if (hook === 'nat/POSTROUTING') return [];
  const target = probeTargets(ctx)[0];
  const src = hook === 'nat/OUTPUT' ? ctx.localAddresses[0] : probeSource(ctx).ip;
  if (!target || !src) return [];
  const packet: PacketSpec = { src, dst: target.dst, dport: target.dport, proto: target.proto };
  return trace(ctx.rs, packet, { localAddresses: ctx.localAddresses })
    .outcomes.filter((o) => o.destination === null && o.verdict === 'ACCEPT')
    .slice(0, 1)
    .map((o) => traceEvidence(packet, o));
}
