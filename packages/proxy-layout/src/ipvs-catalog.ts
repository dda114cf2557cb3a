import type { VirtualService } from '@svcpath/parse-ipvs';
import type { Ruleset } from '@svcpath/ruleset';
import { hostPort } from '@svcpath/tracer';
import type { ServiceInfo } from './service-catalog';

/**
 * IPVS mode: a virtual service is what a Service port becomes. IPVS keeps no Service names, so each
 * is listed under the pseudo-namespace `ipvs` as `ipvs/<proto>:<vip>:<port>`; its chain id matches
 * the tracer's path steps (`ipvs/TCP 10.96.0.1:443`), so traces light it up.
 */
export const IPVS_NAMESPACE = 'ipvs';

export function where(vs: VirtualService): string {
  return `${vs.protocol ? vs.protocol.toUpperCase() : 'FWM'} ${vs.vip ? hostPort(vs.vip, vs.port ?? 0) : String(vs.fwmark)}`;
}

export function serviceId(vs: VirtualService): string {
  return `${IPVS_NAMESPACE}/${vs.protocol ?? 'fwmark'}:${vs.vip ? hostPort(vs.vip, vs.port ?? 0) : String(vs.fwmark)}`;
}

/**
 * The share of new connections each real server takes, as drawn: rr splits equally over servers
 * with weight > 0, wrr by weight; the others depend on live load or on a hash of each client, so
 * the weight share is drawn and the edge says which scheduler decides.
 */
export function shares(vs: VirtualService): number[] {
  const usable = vs.realServers.map((r) => (r.weight > 0 ? (vs.scheduler === 'rr' ? 1 : r.weight) : 0));
  const total = usable.reduce((a, b) => a + b, 0);
  return usable.map((w) => (total > 0 ? w / total : 0));
}

/** The virtual services of an IPVS-mode node as catalogue entries. */
export function ipvsCatalog(rs: Ruleset): ServiceInfo[] {
  return (rs.ipvs?.services ?? []).map((vs) => {
    const id = serviceId(vs);
    const s = shares(vs);
    return {
      id,
      namespace: IPVS_NAMESPACE,
      name: id.slice(IPVS_NAMESPACE.length + 1),
      ports: [
        {
          portName: id,
          protocol: vs.protocol,
          clusterIP: vs.vip?.text ?? null,
          port: vs.port,
          nodePort: null,
          externalIPs: [],
          loadBalancerIPs: [],
          endpoints: vs.realServers.filter((_, i) => (s[i] ?? 0) > 0).map((r) => hostPort(r.address, r.port)),
          noEndpoints: vs.realServers.length === 0,
          affinitySeconds: vs.persistence?.timeout ?? null,
        },
      ],
      chainIds: [`ipvs/${where(vs)}`],
    };
  });
}

