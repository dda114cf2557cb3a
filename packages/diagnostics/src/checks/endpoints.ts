import { endpointString } from '@svcpath/k8s-model';
import { jumpTarget } from '@svcpath/proxy-layout';
import type { RsChain } from '@svcpath/ruleset';
import { jumpsByGraph, linesOfChain } from '../chain-lines';
import { noEndpointRules, objectRef, type DiagnoseContext, type IntendedPort } from '../context';
import { objectEvidence, ruleEvidence, type Evidence, type Finding } from '../finding';
import { unreadyEndpoints } from '../pod-readiness';
import { ladderChains } from '../svc-ladder';
import { entryEvidence } from './drift';

/** kube-proxy's REJECT for a Service port without usable endpoints (filter KUBE-SERVICES / KUBE-EXTERNAL-SERVICES). */
function rejectRules(ctx: DiagnoseContext, portName: string): Evidence[] {
  return noEndpointRules(ctx.rs, portName, 'none').map((r) => ruleEvidence(r.chain.id, r.rule));
}

/**
 * Service ports with no endpoints, or only endpoints that are neither ready nor serving-and-
 * terminating: kube-proxy answers their clients with REJECT (ICMP port unreachable, "connection
 * refused"). Only serving-and-terminating ones: kube-proxy still sends traffic, to Pods on their way out.
 */
export function checkEndpoints(ctx: DiagnoseContext): Finding[] {
  if (ctx.intended) return ctx.intended.flatMap((p) => fromCluster(ctx, p));
  // Without cluster state the rules still say which ports kube-proxy found without endpoints.
  const out: Finding[] = [];
  for (const port of ctx.programmed?.values() ?? []) {
    const empty = port.noEndpoints ? null : emptyLadder(ctx, port.portName);
    if (empty) out.push(empty);
    if (!port.noEndpoints || port.endpoints.length > 0) continue;
    out.push({
      code: 'SVC_NO_ENDPOINTS',
      severity: 'critical',
      title: `${port.portName} has no endpoints on this node's rules`,
      explanation: `kube-proxy found no usable endpoint for ${port.portName} when it last synced, so it wrote a rule that rejects every connection to it: clients see "connection refused" (ICMP port unreachable).`,
      evidence: rejectRules(ctx, port.portName),
      nextStep: `Run \`kubectl get endpointslices -n ${port.portName.split('/')[0]} -l kubernetes.io/service-name=${serviceName(port.portName)}\` and check the Service's selector and its Pods' readiness. With the cluster state the doctor can say why.`,
      service: port.portName,
    });
  }
  return out;
}

/** A KUBE-SEP chain by its name (held by the dump or not: a fragment's ladder still says where it goes). */
const SEP = /^KUBE-SEP-/;

/**
 * DRIFT_EMPTY_LADDER, from the rules alone: a port kube-proxy did not mark as having no endpoints
 * whose KUBE-SVC chain jumps to no KUBE-SEP chain at all (not even one the dump lacks). A packet
 * sent into it returns untranslated. kube-proxy never writes such a KUBE-SVC chain (a port without
 * endpoints gets the REJECT and no chain), so it was flushed or written half-way. (An empty
 * KUBE-SVL is kube-proxy's own for a Local-policy port without local endpoints: its filter rules
 * drop that traffic, and other checks speak for it.)
 */
function emptyLadder(ctx: DiagnoseContext, portName: string): Finding | null {
  const empty = ladderChains(ctx.rs, portName).filter(({ chain, kind }) => kind === 'svc' && !jumpsToSep(ctx, chain));
  if (empty.length === 0) return null;
  const names = empty.map(({ chain }) => chain.name).join(' and ');
  return {
    code: 'DRIFT_EMPTY_LADDER',
    severity: 'critical',
    title: `${portName}: ${names} sends to no endpoint`,
    explanation: `${names} jumps to no KUBE-SEP chain, and kube-proxy wrote no "has no endpoints" rule for ${portName}: a connection sent into it comes back out untranslated, goes to the Service's own address and times out. kube-proxy never writes a chain like that (a port without endpoints gets a REJECT and no chain); it was flushed by hand or written half-way.`,
    evidence: [...entryEvidence(ctx, { portName }), ...empty.flatMap(({ chain }) => chain.rules.slice(0, 4).map((r) => ruleEvidence(chain.id, r)))],
    nextStep: `Run \`iptables -t nat -S ${empty[0]!.chain.name}\` on the node, then look at kube-proxy's logs there (a failed iptables-restore); restarting kube-proxy rewrites the chain.`,
    service: portName,
  };
}

/** Whether a rule of `chain` jumps to a KUBE-SEP chain (its jumps by the scan's graph, else as its rules name them). */
function jumpsToSep(ctx: DiagnoseContext, chain: RsChain): boolean {
  if (jumpsByGraph(ctx.rs, chain, (name) => SEP.test(name))) return true;
  const lines = linesOfChain(ctx.rs, chain);
  if (!lines) return chain.rules.some((r) => SEP.test(jumpTarget(r) ?? ''));
  for (let i = 0; i < lines.count; i++) if (SEP.test(lines.jumpTarget(i) ?? '')) return true;
  return false;
}

function serviceName(portName: string): string {
  return portName.split('/')[1]?.split(':')[0] ?? '';
}

function fromCluster(ctx: DiagnoseContext, p: IntendedPort): Finding[] {
  const name = p.info.nameString;
  const svcRef = objectRef('Service', p.service.metadata);
  if (p.endpoints.length === 0) {
    const selector = p.service.spec.selector;
    const selectorless = !selector || Object.keys(selector).length === 0;
    return [
      {
        code: 'SVC_NO_ENDPOINTS',
        severity: 'critical',
        title: `${name} has no endpoints`,
        explanation: selectorless
          ? `The Service has no selector, so no controller creates EndpointSlices for it; none labelled kubernetes.io/service-name=${p.info.name.name} carry the port "${p.info.name.port}". kube-proxy rejects every connection ("connection refused").`
          : `No EndpointSlice lists an address for port "${p.info.name.port || p.info.port}" of this Service. kube-proxy rejects every connection ("connection refused"). Usually the selector matches no Pod, or the matching Pods do not expose the targetPort.`,
        evidence: [objectEvidence(svcRef, 'spec.selector', selector ?? null), ...rejectRules(ctx, name)],
        nextStep: selectorless
          ? 'Create an EndpointSlice for the Service (with the kubernetes.io/service-name label and a port named like the Service port), or add a selector.'
          : `Compare \`kubectl get pods -n ${p.info.name.namespace} -l ${labelQuery(selector)}\` with the Service's selector and targetPort.`,
        service: name,
      },
    ];
  }
  if (!p.categories.hasAnyEndpoints) {
    const unready = unreadyEndpoints(p.info.name.namespace, p.info.name.name, ctx.input.clusterState?.endpointSlices ?? [], ctx.input.clusterState?.pods);
    return [
      {
        code: 'SVC_NO_READY_ENDPOINTS',
        severity: 'critical',
        title: `${name} has ${p.endpoints.length} endpoint(s), none ready`,
        explanation: `Every endpoint is not ready and none is serving while terminating, so kube-proxy uses none of them and rejects connections ("connection refused").${unready.length ? ` ${unready.map((u) => u.reason).join('; ')}.` : ''}`,
        evidence: [...unready.flatMap((u) => u.evidence), ...rejectRules(ctx, name)],
        nextStep: `Find out why the Pods fail their readiness probes: \`kubectl describe pod\` (Events, Conditions) and the container logs.${p.service.spec.publishNotReadyAddresses ? '' : ' publishNotReadyAddresses only affects DNS and EndpointSlices, not this.'}`,
        service: name,
      },
    ];
  }
  if (p.categories.terminatingFallback.cluster) {
    return [
      {
        code: 'SVC_TERMINATING_ONLY',
        severity: 'warning',
        title: `${name} is served only by terminating endpoints`,
        explanation: `No endpoint is ready; kube-proxy falls back to the ones still serving while they terminate (${p.categories.clusterEndpoints.map(endpointString).join(', ')}). Connections work until those Pods exit, then are rejected.`,
        evidence: p.categories.clusterEndpoints.map((ep) => objectEvidence(svcRef, `endpoint ${endpointString(ep)}`, 'serving, terminating')),
        nextStep: 'Check the rollout: the new Pods are not becoming ready (`kubectl rollout status`, `kubectl describe pod`).',
        service: name,
      },
    ];
  }
  return [];
}

function labelQuery(selector: Readonly<Record<string, string>> | undefined): string {
  return Object.entries(selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
}
