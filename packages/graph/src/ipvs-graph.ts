import { hostPort } from '@svcpath/tracer';
import type { Ruleset } from '@svcpath/ruleset';
import { ipvsServiceId as serviceId, ipvsShares as shares, ipvsWhere as where } from '@svcpath/proxy-layout';
import { formatShare, GraphBuilder } from './graph-builder';
import type { Graph, RuleRef } from './model';

// The virtual services as catalogue entries are read with the catalogue, in @svcpath/proxy-layout.
export { IPVS_NAMESPACE, ipvsCatalog } from '@svcpath/proxy-layout';

/** One virtual service: the hook that hands it to IPVS, the service, its real servers with their shares. */
export function buildIpvsServiceGraph(rs: Ruleset, service: string): Graph | null {
  const vs = (rs.ipvs?.services ?? []).find((v) => serviceId(v) === service);
  if (!vs) return null;
  const chainId = `ipvs/${where(vs)}`;
  const refs: RuleRef[] = vs.realServers.map((r, i) => ({ chainId, index: i + 1, file: r.span.file, line: r.span.start.line, raw: r.raw, assumed: false }));
  const b = new GraphBuilder();
  const hookId = 'hook:input';
  b.addNode({
    id: hookId,
    kind: 'hook',
    chainKind: 'builtin',
    label: 'INPUT / OUTPUT',
    detail: 'IPVS hooks: LOCAL_IN (98), LOCAL_OUT (-98)',
    chainIds: ['filter/INPUT', 'filter/OUTPUT'],
    rules: [],
    totalRules: 0,
    explanation:
      'In IPVS mode every Service address is bound to the kube-ipvs0 dummy interface, so packets to it are for the node itself. IPVS takes them at the LOCAL_IN hook (or LOCAL_OUT for the node\'s own traffic), after the filter table, and hands them to the virtual service.',
    badges: [],
  });
  const vsId = `chain:${chainId}`;
  b.addNode({
    id: vsId,
    kind: 'chain',
    chainKind: 'svc',
    label: where(vs),
    detail: `IPVS ${vs.scheduler}${vs.persistence ? ` · persistent ${vs.persistence.timeout}s` : ''}`,
    chainIds: [chainId],
    rules: refs,
    totalRules: refs.length,
    explanation: `A virtual service: IPVS picks a real server for each new connection with the ${vs.scheduler} scheduler${vs.persistence ? `, and keeps a client on the same one for ${vs.persistence.timeout}s (ClientIP session affinity)` : ''}, then rewrites the destination to it (masquerading forward method). Real servers with weight 0 take no new connections.`,
    badges: [
      ...(vs.persistence ? [{ kind: 'affinity' as const, text: `persistent ${vs.persistence.timeout}s` }] : []),
      ...(vs.realServers.length === 0 ? [{ kind: 'no-endpoints' as const, text: 'no real servers' }] : []),
    ],
    service,
  });
  b.addEdge({ source: hookId, target: vsId, kind: 'jump', label: 'to a virtual service address' });
  const s = shares(vs);
  vs.realServers.forEach((r, i) => {
    const ep = hostPort(r.address, r.port);
    const epId = `endpoint:${ep}`;
    b.addNode({ id: epId, kind: 'endpoint', label: ep, detail: `weight ${r.weight}${r.weight === 0 ? ' · no new connections' : ''}`, chainIds: [], rules: [refs[i]!], totalRules: 1, explanation: 'A real server: the ServiceEndpoint IPVS sends the connection to.', badges: [], service });
    const p = s[i] ?? 0;
    const estimate = vs.scheduler !== 'rr' && vs.scheduler !== 'wrr';
    b.addEdge({ source: vsId, target: epId, kind: 'dnat', label: `${formatShare(p)}${estimate ? ` (${vs.scheduler}: by load or hash)` : ''}`, rule: { chainId, index: i + 1 }, probability: p });
  });
  return { key: `service:${service}`, kind: 'service', title: service, nodes: b.nodes(), edges: b.edges(), truncated: null, assumptions: rs.assumptions };
}
