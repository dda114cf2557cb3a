import type { DiagnoseContext } from '../context';
import { ruleEvidence, type Finding } from '../finding';

const ROUTE_LOCALNET = 'net.ipv4.conf.all.route_localnet';

/**
 * NodePorts on localhost (`curl 127.0.0.1:<NodePort>` on the node): kube-proxy writes
 * `-d 127.0.0.0/8` NodePort rules and sets route_localnet=1 so the kernel routes the DNATed
 * packet out of lo. If something resets the sysctl (a hardening baseline — it was tightened after
 * CVE-2020-8558), those connections fail while the node IP works.
 */
export function checkRouteLocalnet(ctx: DiagnoseContext): Finding[] {
  const value = ctx.input.sysctls?.[ROUTE_LOCALNET];
  if (value === undefined || value.trim() === '1') return [];
  const rules = (ctx.rs.chains.get('nat/KUBE-NODEPORTS')?.rules ?? []).filter((r) =>
    r.conds.some((c) => c.kind === 'addr' && c.dir === 'dst' && !c.negate && c.cidr.text.startsWith('127.')),
  );
  if (rules.length === 0) return [];
  return [
    {
      code: 'SYSCTL_ROUTE_LOCALNET',
      severity: 'warning',
      title: `NodePorts on 127.0.0.1 cannot work: ${ROUTE_LOCALNET} is ${value.trim()}`,
      explanation: `kube-proxy programs NodePorts on localhost (${rules.length} rule(s)), but the kernel will not route a packet from 127.0.0.0/8 to a Pod unless route_localnet is 1, so \`curl localhost:<NodePort>\` on the node times out while the node's own IP works.`,
      evidence: [{ kind: 'sysctl', name: ROUTE_LOCALNET, value: value.trim() }, ...rules.slice(0, 3).map((r) => ruleEvidence('nat/KUBE-NODEPORTS', r))],
      nextStep: 'Use the node IP instead of localhost, or let kube-proxy keep route_localnet=1 (it sets it at start when --iptables-localhost-nodeports is on) and find what resets it; or turn localhost NodePorts off with --iptables-localhost-nodeports=false.',
    },
  ];
}
