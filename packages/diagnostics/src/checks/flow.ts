import { endpointString } from '@svcpath/k8s-model';
import { parseIP, type IP } from '@svcpath/netaddr';
import { trace, type L4Proto, type Outcome, type PacketSpec } from '@svcpath/tracer';
import type { DiagnoseContext } from '../context';
import type { Finding } from '../finding';
import { decidingStep, isKubeChain, packetText, stepRule, traceEvidence } from '../trace-evidence';
import { probeSource } from './probe';

interface Target {
  readonly dst: IP;
  readonly dport: number;
  readonly proto: L4Proto;
  /** `ns/svc:port` when the destination is a Service port the cluster or the rules know. */
  readonly service: string | null;
  /** Every endpoint the cluster lists for it (ready or not), `ip:port`; null without cluster state. */
  readonly endpoints: ReadonlySet<string> | null;
  readonly usable: ReadonlySet<string> | null;
}

/** What the flow check found, and the Service (`ns/svc`) the rest of the report should focus on. */
export interface FlowReport {
  readonly findings: Finding[];
  readonly focus: string | null;
}

function unknown(what: string, text: string, why: string): FlowReport {
  return {
    findings: [{ code: 'FLOW_UNKNOWN_TARGET', severity: 'warning', title: `Cannot trace: ${what} "${text}" not found`, explanation: why, evidence: [], nextStep: 'Give an IP address, a Pod as ns/name, a Service as ns/name[:port], or IP:PORT.' }],
    focus: null,
  };
}

function resolveTo(ctx: DiagnoseContext, text: string, proto: L4Proto | undefined): Target | string {
  const addr = /^\[?([0-9a-fA-F.:]+?)\]?:(\d+)$/.exec(text);
  const ip = addr ? parseIP(addr[1]!) : null;
  if (ip && addr) {
    const dport = Number(addr[2]);
    const p = ctx.intended?.find((q) => q.info.clusterIP.text === ip.text && q.info.port === dport && (!proto || q.info.name.protocol.toLowerCase() === proto));
    const programmed = [...(ctx.programmed?.values() ?? [])].find((q) => q.clusterIP === ip.text && q.port === dport);
    return {
      dst: ip,
      dport,
      proto: proto ?? ((p?.info.name.protocol.toLowerCase() ?? programmed?.protocol ?? 'tcp') as L4Proto),
      service: p?.info.nameString ?? programmed?.portName ?? null,
      endpoints: p ? new Set(p.endpoints.map(endpointString)) : null,
      usable: p ? new Set(p.categories.allReachableEndpoints.map(endpointString)) : null,
    };
  }
  const m = /^([^/\s]+)\/([^/:\s]+)(?::(\S+))?$/.exec(text);
  if (!m) return `"${text}" is neither IP:PORT nor ns/name[:port].`;
  const [, ns, name, port] = m;
  const matchesPort = (portName: string, number: number) => port === undefined || port === portName || port === String(number);
  const p = ctx.intended?.find((q) => q.info.name.namespace === ns && q.info.name.name === name && matchesPort(q.info.name.port, q.info.port));
  if (p)
    return { dst: p.info.clusterIP, dport: p.info.port, proto: p.info.name.protocol.toLowerCase() as L4Proto, service: p.info.nameString, endpoints: new Set(p.endpoints.map(endpointString)), usable: new Set(p.categories.allReachableEndpoints.map(endpointString)) };
  const q = [...(ctx.programmed?.values() ?? [])].find((x) => x.portName.split(':')[0] === `${ns}/${name}` && matchesPort(x.portName.split(':')[1] ?? '', x.port ?? 0));
  const qip = q?.clusterIP ? parseIP(q.clusterIP) : null;
  if (q && qip && q.port !== null) return { dst: qip, dport: q.port, proto: (q.protocol ?? 'tcp') as L4Proto, service: q.portName, endpoints: null, usable: null };
  const skipped = ctx.proxyNotes.some((n) => n.kind === 'service-skipped' && n.skip.service === `${ns}/${name}`);
  return skipped
    ? `${ns}/${name} is not proxied by kube-proxy (headless, ExternalName or another proxy's): there is no rule to trace; see its SVC_ finding.`
    : `No Service ${ns}/${name}${port ? ` with port ${port}` : ''} in the cluster state or in the node's rules.`;
}

function resolveFrom(ctx: DiagnoseContext, text: string | undefined): { ip: IP; label: string } | string {
  if (text === undefined) {
    const s = probeSource(ctx);
    return { ip: s.ip, label: s.why };
  }
  const ip = parseIP(text);
  if (ip) {
    // An address that is a Pod's is named as that Pod, with where it runs.
    const owner = ctx.input.clusterState?.pods?.find((p) => p.status?.podIP === ip.text && !p.spec?.hostNetwork);
    if (!owner) return { ip, label: text };
    const where = owner.spec?.nodeName ? (owner.spec.nodeName === ctx.input.nodeName ? ', on this node' : `, on node ${owner.spec.nodeName}`) : '';
    return { ip, label: `Pod ${owner.metadata.namespace}/${owner.metadata.name} (${ip.text}${where})` };
  }
  const [ns, name] = text.split('/');
  const pod = ctx.input.clusterState?.pods?.find((p) => p.metadata.namespace === ns && p.metadata.name === name);
  const podIP = pod?.status?.podIP ? parseIP(pod.status.podIP) : null;
  return podIP ? { ip: podIP, label: `Pod ${text} (${podIP.text})` } : `No Pod ${text} with an IP in the cluster state.`;
}

/** Traces the flow `from` → `to` and explains each outcome that does not arrive. */
export function checkFlow(ctx: DiagnoseContext): FlowReport {
  const { to, from, proto } = ctx.input;
  if (to === undefined) return { findings: [], focus: null };
  const target = resolveTo(ctx, to, proto);
  if (typeof target === 'string') return { ...unknown('destination', to, target), focus: /^[^/]+\/[^/:]+/.exec(to)?.[0] ?? null };
  const source = resolveFrom(ctx, from);
  if (typeof source === 'string') return { ...unknown('source', from ?? '', source), focus: target.service?.split(':')[0] ?? null };
  const packet: PacketSpec = { src: source.ip, dst: target.dst, dport: target.dport, proto: target.proto };
  const result = trace(ctx.rs, packet, { localAddresses: ctx.localAddresses });
  const findings: Finding[] = [];
  const delivered: Outcome[] = [];
  for (const o of result.outcomes) {
    const f = explainOutcome(ctx, packet, o, target, source.label);
    if (f) findings.push(f);
    else delivered.push(o);
  }
  if (delivered.length > 0) {
    const share = delivered.reduce((t, o) => t + o.probability, 0);
    findings.push({
      code: 'FLOW_DELIVERED',
      severity: 'info',
      title: `${(share * 100).toFixed(1)}% of new connections from ${source.label} reach an endpoint`,
      explanation: `${packetText(packet)} is translated to ${delivered.map((o) => `${o.destination} (${(o.probability * 100).toFixed(1)}%${o.masquerade ? ', masqueraded' : ''})`).join(', ')}. If these still fail, the problem is past this node's rules: routing to the endpoint's node, a NetworkPolicy at the Pod, or the application itself.`,
      evidence: delivered.slice(0, 3).map((o) => traceEvidence(packet, o)),
      nextStep: 'Connect to an endpoint address directly from the same source to take the Service out of the picture.',
      ...(target.service ? { service: target.service } : {}),
    });
  }
  return { findings, focus: target.service?.split(':')[0] ?? null };
}

function explainOutcome(ctx: DiagnoseContext, packet: PacketSpec, o: Outcome, target: Target, source: string): Finding | null {
  const share = `${(o.probability * 100).toFixed(1)}% of new connections`;
  const ev = traceEvidence(packet, o);
  const service = target.service ? { service: target.service } : {};
  if (o.verdict === 'DROP' || o.verdict === 'REJECT') {
    const step = decidingStep(o);
    const rule = step ? stepRule(ctx.rs, step) : null;
    const comment = step ? (ctx.rs.chains.get(`${step.table}/${step.chain}`)?.rules[step.rule - 1]?.comment ?? '') : '';
    const why = !step
      ? 'no rule on the path says why'
      : !isKubeChain(step)
        ? `${step.table}/${step.chain} ${step.rule === 0 ? 'policy' : `rule ${step.rule}`} is not kube-proxy's — a CNI, network-policy or host-firewall rule`
        : /has no endpoints/.test(comment)
          ? 'kube-proxy found no usable endpoint for the Service'
          : /has no local endpoints/.test(comment)
            ? 'the Service\'s traffic policy is Local and this node has no endpoint'
            : /not accepted by/.test(comment)
              ? 'the source is outside the Service\'s loadBalancerSourceRanges'
              : `kube-proxy's ${step.chain} ${o.verdict === 'DROP' ? 'drops' : 'rejects'} it`;
    return {
      code: 'FLOW_BLOCKED',
      severity: 'critical',
      title: `${share} from ${source} are ${o.verdict === 'DROP' ? 'dropped' : 'rejected'}: ${why}`,
      explanation: `${packetText(packet)} ends in ${o.verdict}${o.verdict === 'DROP' ? ' (the client times out)' : ' (the client sees "connection refused")'} because ${why}. The other findings for this Service say why.`,
      evidence: [...(rule ? [rule] : []), ev],
      nextStep: 'Fix the cause named above; then trace the same flow again.',
      ...service,
    };
  }
  if (o.verdict === 'DNAT' && o.destination !== null) {
    if (target.usable && !target.usable.has(o.destination))
      return {
        code: 'FLOW_BLOCKED',
        severity: 'critical',
        title: `${share} from ${source} go to ${o.destination}, ${target.endpoints?.has(o.destination) ? 'an endpoint that is not ready' : 'which is no longer an endpoint'}`,
        explanation: `This node's rules still DNAT ${packetText(packet)} to ${o.destination}; the cluster ${target.endpoints?.has(o.destination) ? 'marks it not ready' : 'lists it in no EndpointSlice'}. Those connections fail. kube-proxy on this node is behind.`,
        evidence: [ev],
        nextStep: 'See the DRIFT_ findings: check kube-proxy on this node.',
        ...service,
      };
    const dstIP = o.destination.replace(/^\[/, '').replace(/\]?:\d+$/, '');
    if (dstIP === packet.src.text && !o.masquerade)
      return {
        code: 'FLOW_BLOCKED',
        severity: 'critical',
        title: `${share} from ${source} hairpin back to it without masquerade`,
        explanation: `The source is itself the chosen endpoint ${o.destination}, and nothing masquerades the connection: the reply goes straight back inside the Pod from the Pod's own address, and the client drops it.`,
        evidence: [ev],
        nextStep: 'See HAIRPIN_NO_MASQUERADE: restart kube-proxy; check the bridge hairpin mode.',
        ...service,
      };
    return null;
  }
  return {
    code: 'FLOW_NOT_A_SERVICE',
    severity: target.service ? 'critical' : 'info',
    title: `${share} from ${source} pass the node untranslated`,
    explanation: target.service
      ? `${packetText(packet)} is ${target.service}'s address, but no rule translates it to an endpoint on this node: the packet is routed to the cluster IP itself, which nothing answers.`
      : `${packetText(packet)} matches no Service rule on this node, so it is routed as it is. If it should be a Service, check the address and port.`,
    evidence: [ev],
    nextStep: target.service ? 'See the DRIFT_ and HOOK_ findings.' : 'Check `kubectl get svc -A` for the address.',
    ...service,
  };
}
