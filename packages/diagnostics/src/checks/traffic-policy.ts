import { endpointString } from '@svcpath/k8s-model';
import { noEndpointRules, objectRef, type DiagnoseContext, type IntendedPort } from '../context';
import { objectEvidence, ruleEvidence, type Evidence, type Finding } from '../finding';

function dropRules(ctx: DiagnoseContext, name: string): Evidence[] {
  return noEndpointRules(ctx.rs, name, 'local').map((r) => ruleEvidence(r.chain.id, r.rule));
}

function whereEndpointsRun(p: IntendedPort): string {
  const nodes = [...new Set(p.categories.clusterEndpoints.concat(p.endpoints.filter((e) => e.ready)).map((e) => e.nodeName ?? 'unknown node'))];
  return nodes.length ? `its endpoints run on ${nodes.join(', ')}` : 'it has no ready endpoint anywhere';
}

/**
 * externalTrafficPolicy / internalTrafficPolicy Local on a node without a local endpoint: kube-proxy
 * drops that traffic here (its "has no local endpoints" DROPs) instead of forwarding it elsewhere.
 */
export function checkTrafficPolicy(ctx: DiagnoseContext): Finding[] {
  const out: Finding[] = [];
  const node = ctx.input.nodeName;
  for (const p of ctx.intended ?? []) {
    if (!p.categories.hasAnyEndpoints || p.categories.hasLocalEndpoints) continue;
    const name = p.info.nameString;
    const svcRef = objectRef('Service', p.service.metadata);
    const eps: Evidence[] = p.endpoints.slice(0, 5).map((e) => objectEvidence(svcRef, `endpoint ${endpointString(e)}.nodeName`, e.nodeName ?? ''));
    if (p.info.internalPolicyLocal) {
      out.push({
        code: 'POLICY_INTERNAL_NO_LOCAL',
        severity: 'warning',
        title: `${name}: internalTrafficPolicy Local, and no endpoint on ${node}`,
        explanation: `Pods and processes on ${node} that connect to ${p.info.clusterIP.text}:${p.info.port} have their packets dropped: with internalTrafficPolicy Local kube-proxy only uses endpoints on the same node, and ${whereEndpointsRun(p)}. Connections time out here and work on other nodes.`,
        evidence: [objectEvidence(svcRef, 'spec.internalTrafficPolicy', 'Local'), ...eps, ...dropRules(ctx, name)],
        nextStep: 'Run the endpoints on every node that has clients (a DaemonSet), or set internalTrafficPolicy: Cluster.',
        service: name,
      });
    }
    if (p.info.externalPolicyLocal) {
      const lbChecked = p.service.spec.type === 'LoadBalancer' && p.info.healthCheckNodePort !== null;
      out.push({
        code: 'POLICY_EXTERNAL_NO_LOCAL',
        severity: lbChecked ? 'info' : 'warning',
        title: `${name}: externalTrafficPolicy Local, and no endpoint on ${node}`,
        explanation: `External traffic (NodePort${p.info.externalIPs.length ? ', external IPs' : ''}${p.info.loadBalancerVIPs.length ? ', load-balancer IPs' : ''}) arriving at ${node} is dropped, because ${whereEndpointsRun(p)} and Local policy never forwards to another node (it keeps the client's source address).${lbChecked ? ` The load balancer's health check on NodePort ${p.info.healthCheckNodePort} fails on this node, so a working load balancer sends nothing here — this is expected unless clients reach this node directly.` : ' Nothing steers clients away from this node: those who reach it directly time out.'}`,
        evidence: [objectEvidence(svcRef, 'spec.externalTrafficPolicy', 'Local'), ...eps, ...dropRules(ctx, name)],
        nextStep: lbChecked
          ? `If clients still reach ${node}, check that the load balancer uses the health check NodePort ${p.info.healthCheckNodePort}.`
          : 'Send clients only to nodes that run an endpoint, run one on every node, or set externalTrafficPolicy: Cluster (the client source IP is then masqueraded).',
        service: name,
      });
    }
  }
  return out;
}
