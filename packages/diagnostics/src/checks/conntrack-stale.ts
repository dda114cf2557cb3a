import type { DiagnoseContext } from '../context';
import { parseConntrack } from '../conntrack-table';
import type { Finding } from '../finding';

/**
 * Conntrack entries that still carry a Service's traffic to an endpoint the Service no longer has.
 * Packets of an existing conntrack entry never reach the nat table again, so they follow the old
 * DNAT whatever the rules say now. kube-proxy deletes UDP entries for endpoints that go away; when it
 * misses one (a restart, a race), a client that keeps sending from the same port — DNS resolvers do —
 * is black-holed until the entry expires. For TCP the old connection just keeps its endpoint.
 */
export function checkStaleConntrack(ctx: DiagnoseContext): Finding[] {
  const ct = ctx.input.conntrack;
  if (!ct) return [];
  const current = currentEndpoints(ctx);
  const byService = new Map<string, { name: string; proto: string; lines: { line: number; raw: string; to: string }[] }>();
  for (const e of parseConntrack(ct.text)) {
    if (e.replySrc === e.origDst) continue; // not translated
    const svc = current.get(`${e.proto}/${e.origDst}:${e.origDport}`);
    if (!svc) continue;
    const to = `${e.replySrc}:${e.replySport}`;
    if (svc.endpoints.has(to)) continue;
    const entry = byService.get(svc.name) ?? { name: svc.name, proto: e.proto, lines: [] };
    entry.lines.push({ line: e.line, raw: e.raw, to });
    byService.set(svc.name, entry);
  }
  return [...byService.values()].map((s) => ({
    code: 'CONNTRACK_STALE_ENTRY',
    severity: s.proto === 'udp' ? 'critical' : 'warning',
    title: `${s.lines.length} conntrack entr${s.lines.length === 1 ? 'y still sends' : 'ies still send'} ${s.name} traffic to an endpoint it no longer has (${[...new Set(s.lines.map((l) => l.to))].join(', ')})`,
    explanation:
      s.proto === 'udp'
        ? "These flows were translated when that endpoint existed. Their later packets never reach kube-proxy's rules again — conntrack rewrites them to the old endpoint — so a client that keeps its source port (a DNS resolver does) gets no answer until the entry times out, although the rules are right."
        : "These connections were translated when that endpoint existed and keep going there; new connections follow the current rules. If the old endpoint is gone they hang until their own timeouts.",
    evidence: s.lines.slice(0, 20).map((l) => ({ kind: 'conntrack' as const, file: ct.file, line: l.line, raw: l.raw })),
    nextStep: `Delete the stale entries: \`conntrack -D -p ${s.proto} --orig-dst <ClusterIP> --reply-src <old endpoint IP>\` (kube-proxy does this for UDP when it sees the endpoint go); check why it did not (kube-proxy restarts, errors in its log).`,
    service: s.name,
  }));
}

/** Each Service address (proto/ip:port) with its endpoints now: from the cluster when known, else from the rules. */
function currentEndpoints(ctx: DiagnoseContext): Map<string, { name: string; endpoints: Set<string> }> {
  const out = new Map<string, { name: string; endpoints: Set<string> }>();
  if (ctx.intended) {
    for (const p of ctx.intended) {
      const eps = new Set(p.categories.allReachableEndpoints.map((e) => `${e.ip.text}:${e.port}`));
      const proto = p.info.name.protocol.toLowerCase();
      for (const ip of [p.info.clusterIP, ...p.info.externalIPs, ...p.info.loadBalancerVIPs]) out.set(`${proto}/${ip.text}:${p.info.port}`, { name: p.info.nameString, endpoints: eps });
    }
    return out;
  }
  for (const p of ctx.programmed?.values() ?? []) {
    if (!p.clusterIP || p.port === null) continue;
    out.set(`${(p.protocol ?? 'tcp').toLowerCase()}/${p.clusterIP}:${p.port}`, { name: p.portName, endpoints: new Set(p.endpoints) });
  }
  return out;
}
