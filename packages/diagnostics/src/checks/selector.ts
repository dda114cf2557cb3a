import type { Pod, Protocol, Service, ServicePortSpec } from '@svcpath/k8s-model';
import { objectRef, serviceId, type DiagnoseContext } from '../context';
import { objectEvidence, type Finding } from '../finding';

type ContainerPort = NonNullable<NonNullable<NonNullable<Pod['spec']>['containers']>[number]['ports']>[number];

function selects(selector: Readonly<Record<string, string>>, pod: Pod): boolean {
  return Object.entries(selector).every(([k, v]) => pod.metadata.labels?.[k] === v);
}

function containerPorts(pod: Pod): ContainerPort[] {
  return (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
}

/**
 * What the EndpointSlice controller does with a Service's selector and targetPorts, checked
 * against the Pods: a selector that matches nothing; a named targetPort no container declares (the
 * controller leaves such Pods out — it matches name and protocol, as podutil.FindPort does); a
 * numeric targetPort the Pods do not declare; a protocol the Pods' ports do not use.
 */
export function checkSelectorAndPorts(ctx: DiagnoseContext): Finding[] {
  const state = ctx.input.clusterState;
  if (!state?.pods) return [];
  const out: Finding[] = [];
  for (const svc of state.services) {
    const selector = svc.spec.selector;
    if (!selector || Object.keys(selector).length === 0 || svc.spec.type === 'ExternalName') continue;
    const inNamespace = state.pods.filter((p) => p.metadata.namespace === svc.metadata.namespace);
    const selected = inNamespace.filter((p) => selects(selector, p) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    if (selected.length === 0) {
      out.push(noPods(svc, selector, inNamespace));
      continue;
    }
    for (const port of svc.spec.ports ?? []) out.push(...portFindings(svc, port, selected));
  }
  return out;
}

function noPods(svc: Service, selector: Readonly<Record<string, string>>, inNamespace: readonly Pod[]): Finding {
  const near = inNamespace.filter((p) => Object.entries(selector).some(([k, v]) => p.metadata.labels?.[k] === v)).slice(0, 5);
  const nearText = near.length
    ? ` Pods sharing part of the selector: ${near.map((p) => `${p.metadata.name} (${Object.entries(p.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',')})`).join('; ')}.`
    : inNamespace.length === 0
      ? ` There are no Pods in namespace ${svc.metadata.namespace} at all.`
      : '';
  return {
    code: 'SVC_SELECTOR_NO_PODS',
    severity: 'critical',
    title: `${serviceId(svc)} selects no running Pod`,
    explanation: `The selector ${JSON.stringify(selector)} matches no running Pod in namespace ${svc.metadata.namespace}, so the Service has no endpoints and kube-proxy rejects its connections.${nearText}`,
    evidence: [objectEvidence(objectRef('Service', svc.metadata), 'spec.selector', selector), ...near.map((p) => objectEvidence(objectRef('Pod', p.metadata), 'metadata.labels', p.metadata.labels ?? {}))],
    nextStep: 'Fix the Service selector or the Pod template labels so they agree (labels are case-sensitive; a Deployment rename often leaves the Service behind).',
    service: serviceId(svc),
  };
}

function portFindings(svc: Service, port: ServicePortSpec, pods: readonly Pod[]): Finding[] {
  const protocol: Protocol = port.protocol ?? 'TCP';
  const target = port.targetPort ?? port.port;
  const portLabel = `${serviceId(svc)}${port.name ? `:${port.name}` : ''}`;
  const svcEv = objectEvidence(objectRef('Service', svc.metadata), `spec.ports[${port.name ?? port.port}].targetPort`, target);
  const byPort = (cp: ContainerPort) => (typeof target === 'string' ? cp.name === target : cp.containerPort === target);
  const sameProto = pods.filter((p) => containerPorts(p).some((cp) => byPort(cp) && (cp.protocol ?? 'TCP') === protocol));
  if (sameProto.length > 0) return [];
  const otherProto = pods.flatMap((p) => containerPorts(p).filter(byPort).map((cp) => ({ pod: p, cp })));
  const first = otherProto[0];
  if (first) {
    const named = typeof target === 'string';
    return [
      {
        code: 'SVC_PROTOCOL_MISMATCH',
        severity: named ? 'critical' : 'warning',
        title: `${portLabel} is ${protocol} but the Pods' port ${target} is ${first.cp.protocol ?? 'TCP'}`,
        explanation: named
          ? `The Service port uses ${protocol}; the Pods name port "${target}" only for ${first.cp.protocol ?? 'TCP'}. The EndpointSlice controller resolves a named targetPort by name and protocol, so it lists no endpoint for this port.`
          : `The Service port uses ${protocol}; the Pods declare ${target} as ${first.cp.protocol ?? 'TCP'}. kube-proxy forwards ${protocol} packets, which nothing listening on ${first.cp.protocol ?? 'TCP'} answers (DNS over UDP vs TCP is the classic case).`,
        evidence: [svcEv, objectEvidence(objectRef('Service', svc.metadata), `spec.ports[${port.name ?? port.port}].protocol`, protocol), objectEvidence(objectRef('Pod', first.pod.metadata), `containers.ports[${target}].protocol`, first.cp.protocol ?? 'TCP')],
        nextStep: `Make the protocols agree, or add a second Service port for ${first.cp.protocol ?? 'TCP'}.`,
        service: portLabel,
      },
    ];
  }
  const declared = pods.flatMap(containerPorts);
  // A numeric targetPort need not be declared on the container; only say so when the Pods declare others.
  if (typeof target === 'number' && declared.length === 0) return [];
  const named = typeof target === 'string';
  const pod = pods[0]!;
  return [
    {
      code: 'SVC_TARGET_PORT_NOT_FOUND',
      severity: named ? 'critical' : 'warning',
      title: `${portLabel}: no container port ${named ? `named "${target}"` : target} on the selected Pods`,
      explanation: named
        ? `The targetPort "${target}" is a port name, and no container of the ${pods.length} selected Pod(s) declares it, so the EndpointSlice controller lists none of them for this port.`
        : `The targetPort is ${target}, but the selected Pods declare ${[...new Set(declared.map((cp) => cp.containerPort))].join(', ')}. Traffic is DNATed to port ${target}, where the application is probably not listening ("connection refused" from the Pod).`,
      evidence: [svcEv, objectEvidence(objectRef('Pod', pod.metadata), 'spec.containers[*].ports', containerPorts(pod).map((cp) => `${cp.name ?? ''}:${cp.containerPort}/${cp.protocol ?? 'TCP'}`))],
      nextStep: named
        ? `Name the container port "${target}" in the Pod template, or set targetPort to the number the application listens on.`
        : `Set targetPort to the port the application listens on (check with \`kubectl exec … -- ss -ltn\`), or declare ${target} on the container if it is right.`,
      service: portLabel,
    },
  ];
}
