import { endpointString } from '@svcpath/k8s-model';
import { ipsetMatch, type VirtualService } from '@svcpath/parse-ipvs';
import { objectRef, type DiagnoseContext } from '../context';
import { objectEvidence, type Evidence, type Finding, type IpvsEvidence } from '../finding';

function vsEvidence(vs: VirtualService): IpvsEvidence {
  return { kind: 'ipvs', file: vs.span.file, line: vs.span.start.line, raw: vs.raw };
}

function vsName(vs: VirtualService): string {
  return `${vs.protocol ?? 'fwmark'} ${vs.vip?.family === 6 ? `[${vs.vip.text}]` : (vs.vip?.text ?? `fwmark ${vs.fwmark}`)}:${vs.port ?? ''}`;
}

/**
 * IPVS mode: virtual services whose VIP is not on kube-ipvs0 (the kernel then does not treat it as
 * local and IPVS never sees the packet), cluster IPs missing from the KUBE-CLUSTER-IP ipset (which
 * kube-proxy's iptables rules use to accept and masquerade Service traffic), real servers all at
 * weight 0, schedulers that spread load by client, and virtual services or real servers that
 * differ from the cluster.
 */
export function checkIpvs(ctx: DiagnoseContext): Finding[] {
  const ipvs = ctx.input.ipvs;
  if (!ipvs) return [];
  const out: Finding[] = [];
  const local = new Set(ctx.localAddresses.map((ip) => ip.text));
  const dummy = ipvs.dummyAddresses ? new Set(ipvs.dummyAddresses.map((a) => a.address)) : null;
  for (const vs of ipvs.virtualServices) {
    if (!vs.vip) continue;
    const name = vsName(vs);
    if (dummy && !local.has(vs.vip.text) && !dummy.has(vs.vip.text))
      out.push({
        code: 'IPVS_VIP_NOT_ON_DUMMY',
        severity: 'critical',
        title: `${vs.vip.text} is not on kube-ipvs0`,
        explanation: `IPVS only handles packets the kernel delivers locally; kube-proxy binds every Service VIP to the kube-ipvs0 dummy interface for that. ${vs.vip.text} is missing there, so packets to ${name} are routed away instead of being load-balanced, and connections time out.`,
        evidence: [vsEvidence(vs)],
        nextStep: 'Check `ip addr show kube-ipvs0` and kube-proxy\'s logs (netlink errors); something (NetworkManager, a network reset) may have removed the addresses — restarting kube-proxy re-adds them.',
        service: name,
      });
    const available = vs.realServers.filter((r) => r.weight > 0);
    if (vs.realServers.length > 0 && available.length === 0)
      out.push({
        code: 'IPVS_ALL_WEIGHT_ZERO',
        severity: 'critical',
        title: `${name}: every real server has weight 0`,
        explanation: 'kube-proxy sets a real server\'s weight to 0 while its endpoint terminates (graceful termination); with all of them at 0 IPVS finds no destination for new connections, drops the packet and answers ICMP port unreachable ("connection refused").',
        evidence: [vsEvidence(vs), ...vs.realServers.slice(0, 5).map((r): Evidence => ({ kind: 'ipvs', file: r.span.file, line: r.span.start.line, raw: r.raw }))],
        nextStep: 'Check that the Service has ready endpoints; if it does, kube-proxy has not synced the new ones to IPVS (see its logs).',
        service: name,
      });
    else if (vs.persistence !== null || ['sh', 'dh', 'mh'].includes(vs.scheduler) || new Set(available.map((r) => r.weight)).size > 1)
      out.push(unevenFinding(vs, name));
  }
  out.push(...intendedDrift(ctx));
  return out;
}

function unevenFinding(vs: VirtualService, name: string): Finding {
  const why = vs.persistence
    ? `persistence (-p ${vs.persistence.timeout}, kube-proxy's ClientIP session affinity) keeps each client${vs.persistence.prefix < 32 ? ` network (/${vs.persistence.prefix})` : ''} on one real server for ${vs.persistence.timeout} s`
    : ['sh', 'dh', 'mh'].includes(vs.scheduler)
      ? `the ${vs.scheduler} scheduler hashes the ${vs.scheduler === 'dh' ? 'destination' : 'source'} address, so a few busy clients map to a few real servers`
      : `the real servers have different weights (${vs.realServers.map((r) => r.weight).join(', ')}), and the ${vs.scheduler} scheduler shares by weight`;
  return {
    code: 'IPVS_UNEVEN_SCHEDULING',
    severity: 'info',
    title: `${name}: load is not spread per connection`,
    explanation: `New connections are not spread evenly: ${why}.`,
    evidence: [vsEvidence(vs)],
    nextStep: 'Expect uneven load with few clients; kube-proxy --ipvs-scheduler sets the scheduler for every Service.',
    service: name,
  };
}

function intendedDrift(ctx: DiagnoseContext): Finding[] {
  const ipvs = ctx.input.ipvs!;
  if (!ctx.intended) return [];
  const out: Finding[] = [];
  const clusterSet = ipvs.ipsets?.find((s) => s.name === 'KUBE-CLUSTER-IP');
  for (const p of ctx.intended) {
    const proto = p.info.name.protocol.toLowerCase();
    const name = p.info.nameString;
    const vs = ipvs.virtualServices.find((v) => v.vip?.text === p.info.clusterIP.text && v.port === p.info.port && v.protocol === proto);
    const svcEv = objectEvidence(objectRef('Service', p.service.metadata), 'spec.clusterIP', `${p.info.clusterIP.text}:${p.info.port}/${p.info.name.protocol}`);
    if (!vs) {
      out.push({
        code: 'DRIFT_VIRTUAL_SERVICE_MISSING',
        severity: 'critical',
        title: `${name}: no IPVS virtual service for ${p.info.clusterIP.text}:${p.info.port}`,
        explanation: 'The Service exists, but this node has no virtual service for its cluster IP: kube-proxy here has not synced since it was created, and connections to it fail.',
        evidence: [svcEv],
        nextStep: 'Check kube-proxy on this node (logs, restarts) and `ipvsadm -Ln -t <VIP>:<port>`.',
        service: name,
      });
      continue;
    }
    if (clusterSet && ipsetMatch(clusterSet, { ip: p.info.clusterIP, proto, port: p.info.port }).kind !== 'match')
      out.push({
        code: 'IPVS_VIP_NOT_IN_IPSET',
        severity: 'warning',
        title: `${name}: ${p.info.clusterIP.text},${proto}:${p.info.port} is not in KUBE-CLUSTER-IP`,
        explanation: 'kube-proxy\'s iptables rules in IPVS mode match Service traffic through the KUBE-CLUSTER-IP ipset (to masquerade traffic from outside the Pod network and to accept it past filter rules). Without the entry, connections from the node and from outside the cluster CIDR are not masqueraded and their replies get lost.',
        evidence: [svcEv, { kind: 'ipvs', file: clusterSet.span.file, line: clusterSet.span.start.line, raw: clusterSet.raw }],
        nextStep: 'Restart kube-proxy so it resyncs its ipsets; check `ipset list KUBE-CLUSTER-IP`.',
        service: name,
      });
    const intended = new Set(p.categories.allReachableEndpoints.map(endpointString));
    const programmed = new Set(vs.realServers.filter((r) => r.weight > 0).map((r) => `${r.address.family === 6 ? `[${r.address.text}]` : r.address.text}:${r.port}`));
    const missing = [...intended].filter((e) => !programmed.has(e));
    const stale = vs.realServers.filter((r) => !intended.has(`${r.address.family === 6 ? `[${r.address.text}]` : r.address.text}:${r.port}`) && r.weight > 0);
    if (missing.length)
      out.push({
        code: 'DRIFT_ENDPOINT_MISSING',
        severity: missing.length === intended.size ? 'critical' : 'warning',
        title: `${name}: ${missing.length} endpoint(s) are not real servers of ${vsName(vs)}`,
        explanation: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} ready in the cluster but not in IPVS on this node (or have weight 0): kube-proxy here has not caught up.`,
        evidence: [svcEv, vsEvidence(vs)],
        nextStep: 'Check kube-proxy on this node (logs, restarts).',
        service: name,
      });
    if (stale.length)
      out.push({
        code: 'DRIFT_ENDPOINT_STALE',
        severity: 'critical',
        title: `${name}: IPVS sends traffic to ${stale.length} real server(s) that are no longer endpoints`,
        explanation: `${stale.map((r) => `${r.address.text}:${r.port}`).join(', ')} still take${stale.length === 1 ? 's' : ''} new connections but no EndpointSlice lists ${stale.length === 1 ? 'it' : 'them'}: those connections fail.`,
        evidence: stale.map((r): Evidence => ({ kind: 'ipvs', file: r.span.file, line: r.span.start.line, raw: r.raw })),
        nextStep: 'Check kube-proxy on this node (logs, restarts).',
        service: name,
      });
  }
  return out;
}
