import { objectRef, type DiagnoseContext } from '../context';
import { objectEvidence, type Finding } from '../finding';

/**
 * Headless and ExternalName Services: kube-proxy writes no rules for them (its informers skip
 * them), so there is nothing on the node to trace; DNS answers instead.
 */
export function checkNotProxied(ctx: DiagnoseContext): Finding[] {
  const state = ctx.input.clusterState;
  if (!state) return [];
  const out: Finding[] = [];
  for (const note of ctx.proxyNotes) {
    if (note.kind !== 'service-skipped') continue;
    const skip = note.skip;
    const [ns = '', name = ''] = skip.service.split('/');
    const svc = state.services.find((s) => s.metadata.namespace === ns && s.metadata.name === name);
    if (!svc) continue;
    const ref = objectRef('Service', svc.metadata);
    if (skip.kind === 'headless') {
      out.push({
        code: 'SVC_HEADLESS',
        severity: 'info',
        title: `${skip.service} is headless: no proxying`,
        explanation: `clusterIP is None, so kube-proxy programs nothing for it. ${name}.${ns}.svc returns the addresses of its ${svc.spec.publishNotReadyAddresses ? 'endpoints, ready or not (publishNotReadyAddresses)' : 'ready endpoints'} as A/AAAA records, and clients connect to the Pods directly — on the Pods' own ports: a Service port-to-targetPort mapping does not apply.`,
        evidence: [objectEvidence(ref, 'spec.clusterIP', svc.spec.clusterIP ?? '')],
        nextStep: `Check DNS from a client Pod (\`nslookup ${name}.${ns}.svc.cluster.local\`) and connect to the Pod port itself; an empty answer means no ready endpoints.`,
        service: skip.service,
      });
    } else if (skip.kind === 'external-name') {
      out.push({
        code: 'SVC_EXTERNAL_NAME',
        severity: 'info',
        title: `${skip.service} is ExternalName: DNS only`,
        explanation: `kube-proxy programs nothing for it. ${name}.${ns}.svc answers with a CNAME to ${svc.spec.externalName ?? '(no externalName set)'}; the client resolves that and connects there itself. Service ports are ignored, and HTTP Host headers and TLS SNI still carry the Service name, which the external server may refuse.`,
        evidence: [objectEvidence(ref, 'spec.externalName', svc.spec.externalName ?? '')],
        nextStep: `Resolve and reach ${svc.spec.externalName ?? 'the external name'} from a client Pod; set the Host header / SNI the external server expects.`,
        service: skip.service,
      });
    }
  }
  return out;
}
