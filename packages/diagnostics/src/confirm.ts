import { endpointString } from '@svcpath/k8s-model';
import { parseIP, type IP } from '@svcpath/netaddr';
import { trace, type L4Proto, type Outcome, type PacketSpec } from '@svcpath/tracer';
import { probeSource } from './checks/probe';
import type { DiagnoseContext, IntendedPort } from './context';
import type { Finding } from './finding';
import { packetText, traceEvidence } from './trace-evidence';

/** At most this many Service ports are traced to confirm findings; the rest keep their rule evidence. */
export const MAX_CONFIRMATIONS = 256;

interface PortTarget {
  readonly dst: IP;
  readonly dport: number;
  readonly proto: L4Proto;
  /** `ip:port` of the endpoints kube-proxy should use; null without cluster state. */
  readonly usable: ReadonlySet<string> | null;
}

/** What each code claims about the traced packet, as a test of its outcomes. */
const CLAIMS: Partial<Record<Finding['code'], { readonly holds: (o: readonly Outcome[], t: PortTarget, f: Finding) => boolean; readonly says: string }>> = {
  // No usable endpoint: no outcome reaches one (REJECT; or, on a stale node, an old address).
  SVC_NO_ENDPOINTS: { holds: (o, t) => !o.some((x) => reaches(x, t)), says: 'no outcome reaches an endpoint' },
  SVC_NO_READY_ENDPOINTS: { holds: (o, t) => !o.some((x) => reaches(x, t)), says: 'no outcome reaches an endpoint' },
  // Missing from the rules: nothing translates the packet.
  DRIFT_SERVICE_MISSING: { holds: (o) => !o.some((x) => x.verdict === 'DNAT'), says: 'no rule translates the packet' },
  DRIFT_EMPTY_LADDER: { holds: (o) => !o.some((x) => x.verdict === 'DNAT'), says: 'no rule translates the packet' },
  // Stale endpoints: some share goes to an address the cluster no longer lists.
  DRIFT_ENDPOINT_STALE: { holds: (o, t) => o.some((x) => x.verdict === 'DNAT' && x.destination !== null && t.usable !== null && !t.usable.has(x.destination)), says: 'some connections go to an address no EndpointSlice lists' },
  // Missing endpoints: some usable endpoint gets no share.
  DRIFT_ENDPOINT_MISSING: { holds: (o, t) => t.usable !== null && [...t.usable].some((e) => !o.some((x) => x.destination === e)), says: 'an endpoint gets no connection' },
};

function reaches(o: Outcome, t: PortTarget): boolean {
  return o.verdict === 'DNAT' && o.destination !== null && (t.usable === null || t.usable.has(o.destination));
}

/**
 * Each Service port's trace target by ServicePortName, made when a finding first asks for it: a
 * large node has ~10,000 ports and few loud findings. The last port of a name wins, as in a map
 * of them all.
 */
function targetFinder(ctx: DiagnoseContext): (name: string) => PortTarget | undefined {
  const made = new Map<string, PortTarget | undefined>();
  let intended: Map<string, IntendedPort> | null = null;
  return (name) => {
    if (made.has(name)) return made.get(name);
    let t: PortTarget | undefined;
    if (ctx.intended) {
      intended ??= new Map(ctx.intended.map((p) => [p.info.nameString, p] as const));
      const p = intended.get(name);
      if (p) t = { dst: p.info.clusterIP, dport: p.info.port, proto: lower(p.info.name.protocol), usable: new Set(p.categories.clusterEndpoints.map(endpointString)) };
    } else {
      const p = ctx.programmed?.get(name);
      const dst = p?.clusterIP ? parseIP(p.clusterIP) : null;
      if (p && dst && p.port !== null) t = { dst, dport: p.port, proto: lower(p.protocol ?? 'tcp'), usable: null };
    }
    made.set(name, t);
    return t;
  };
}

/** The first intended port of each ServicePortName (as a search through them finds it). */
function firstIntended(ctx: DiagnoseContext): Map<string, IntendedPort> {
  const out = new Map<string, IntendedPort>();
  for (const p of ctx.intended ?? []) if (!out.has(p.info.nameString)) out.set(p.info.nameString, p);
  return out;
}

function lower(p: string): L4Proto {
  const l = p.toLowerCase();
  return l === 'udp' || l === 'sctp' ? l : 'tcp';
}

/**
 * Confirms each loud finding about a Service port's path with a trace of a Pod's connection to the
 * port's cluster IP: the trace becomes evidence (the path the kernel would take), and a finding the
 * trace contradicts is lowered to info and says why — a wrong critical costs an incident its time.
 * Ports whose Service has internalTrafficPolicy Local are skipped (the answer depends on the source).
 */
export function confirmByTrace(ctx: DiagnoseContext, findings: readonly Finding[]): Finding[] {
  if (ctx.input.ipvs) return [...findings];
  const targetOf = targetFinder(ctx);
  const source = probeSource(ctx);
  let intendedOf: Map<string, IntendedPort> | null = null;
  const traced = new Map<string, { packet: PacketSpec; outcomes: readonly Outcome[] } | null>();
  const run = (name: string) => {
    if (traced.has(name)) return traced.get(name)!;
    const t = targetOf(name);
    const intended = (intendedOf ??= firstIntended(ctx)).get(name);
    const result = t && !intended?.info.internalPolicyLocal && traced.size < MAX_CONFIRMATIONS ? { packet: { src: source.ip, dst: t.dst, dport: t.dport, proto: t.proto }, outcomes: [] as readonly Outcome[] } : null;
    if (result) result.outcomes = trace(ctx.rs, result.packet, { localAddresses: ctx.localAddresses }).outcomes;
    traced.set(name, result);
    return result;
  };
  return findings.map((f) => {
    const claim = CLAIMS[f.code];
    if (!claim || f.severity === 'info' || !f.service) return f;
    const t = targetOf(f.service);
    const r = t ? run(f.service) : null;
    if (!t || !r) return f;
    const evidence = [...f.evidence, ...r.outcomes.slice(0, 3).map((o) => traceEvidence(r.packet, o))];
    if (claim.holds(r.outcomes, t, f)) return { ...f, evidence };
    return {
      ...f,
      severity: 'info',
      evidence,
      explanation: `${f.explanation} A trace of ${packetText(r.packet)} on this node does not show it (the finding says ${claim.says}), so it is reported as info: check the evidence before acting on it.`,
    };
  });
}
