import type { ClusterState, EndpointSlice, Service } from '@svcpath/k8s-model';

/**
 * Ways a node's kube-proxy can be out of date, planted for simulations and tests: the node's rules
 * are rendered from a changed copy of the cluster state (what a kube-proxy with a stale watch
 * would program), or edited after rendering (`wrong-shares`: someone changed a probability).
 */
export type DriftKind = 'stale-endpoint' | 'missing-endpoint' | 'missing-service' | 'stale-service' | 'node-port' | 'wrong-shares';

export const DRIFT_KINDS: readonly DriftKind[] = ['stale-endpoint', 'missing-endpoint', 'missing-service', 'stale-service', 'node-port', 'wrong-shares'];

/** A planted drift: the state the node's kube-proxy saw, and what a fleet report must say. */
export interface PlantedDrift {
  readonly kind: DriftKind;
  /** The ServicePortName the drift is on. */
  readonly portName: string;
  /** The cluster state as the drifting node saw it. */
  readonly nodeView: ClusterState;
  /** The lines {@link describeDisagreement} must give for that port, sorted. */
  readonly expected: readonly string[];
  /** For `wrong-shares`: rewrite the rendered iptables rules with this. */
  readonly editRules?: (text: string) => string;
}

const STALE_IP = '10.255.0.1';

interface Candidate {
  readonly svc: Service;
  readonly slice: EndpointSlice;
  readonly portName: string;
}

/**
 * Single-port Services with Cluster traffic policy, no affinity and at least three ready
 * endpoints: what a drift planted on them looks like does not depend on which node hosts what.
 */
function candidates(state: ClusterState): Candidate[] {
  const slices = new Map(state.endpointSlices.map((s) => [`${s.metadata.namespace}/${s.metadata.labels?.['kubernetes.io/service-name']}`, s]));
  const out: Candidate[] = [];
  for (const svc of state.services) {
    const spec = svc.spec;
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const slice = slices.get(key);
    if (!spec || spec.ports?.length !== 1 || spec.sessionAffinity === 'ClientIP' || spec.externalTrafficPolicy === 'Local') continue;
    if (!slice?.endpoints || slice.endpoints.length < 3 || slice.endpoints.some((e) => e.conditions?.ready !== true)) continue;
    out.push({ svc, slice, portName: `${key}:${spec.ports[0]!.name}` });
  }
  return out;
}

const replaceSlice = (state: ClusterState, from: EndpointSlice, to: EndpointSlice): ClusterState => ({
  ...state,
  endpointSlices: state.endpointSlices.map((s) => (s === from ? to : s)),
});
const replaceService = (state: ClusterState, from: Service, to: Service | null): ClusterState => ({
  ...state,
  services: state.services.flatMap((s) => (s === from ? (to ? [to] : []) : [s])),
});

/** Plants one drift of `kind` on the `index`-th suitable Service (different indexes, different Services). */
export function plantDrift(state: ClusterState, kind: DriftKind, index: number): PlantedDrift {
  const all = candidates(state);
  const pool = kind === 'node-port' ? all.filter((c) => c.svc.spec?.type === 'NodePort') : all;
  const c = pool[index % pool.length];
  if (!c) throw new Error(`no Service suits a ${kind} drift`);
  const port = c.slice.ports?.[0]?.port ?? 0;
  const eps = c.slice.endpoints ?? [];
  switch (kind) {
    case 'stale-endpoint': {
      const extra = { ...eps[0]!, addresses: [STALE_IP] };
      return { kind, portName: c.portName, nodeView: replaceSlice(state, c.slice, { ...c.slice, endpoints: [...eps, extra] }), expected: [`stale endpoint ${STALE_IP}:${port}`] };
    }
    case 'missing-endpoint': {
      const gone = eps[eps.length - 1]!;
      return { kind, portName: c.portName, nodeView: replaceSlice(state, c.slice, { ...c.slice, endpoints: eps.slice(0, -1) }), expected: [`missing endpoint ${gone.addresses[0]}:${port}`] };
    }
    case 'missing-service':
      return { kind, portName: c.portName, nodeView: replaceService(state, c.svc, null), expected: ['missing Service: no rules for it'] };
    case 'stale-service': {
      // A Service deleted from the cluster that the node still programs: a copy under a new name.
      const name = `${c.svc.metadata.name}-deleted`;
      const svc: Service = { ...c.svc, metadata: { ...c.svc.metadata, name }, spec: { ...c.svc.spec!, clusterIP: `10.95.${(index >> 8) & 255}.${index & 255}` } };
      const slice: EndpointSlice = { ...c.slice, metadata: { ...c.slice.metadata, name: `${name}-x`, labels: { 'kubernetes.io/service-name': name } } };
      const nodeView = { ...state, services: [...state.services, svc], endpointSlices: [...state.endpointSlices, slice] };
      return { kind, portName: `${c.svc.metadata.namespace}/${name}:${c.svc.spec!.ports![0]!.name}`, nodeView, expected: ['stale Service: rules for a port the cluster no longer has'] };
    }
    case 'node-port': {
      const p = c.svc.spec!.ports![0]!;
      const moved = (p.nodePort ?? 30000) === 32767 ? 32766 : 32767;
      const svc: Service = { ...c.svc, spec: { ...c.svc.spec!, ports: [{ ...p, nodePort: moved }] } };
      return { kind, portName: c.portName, nodeView: replaceService(state, c.svc, svc), expected: [`NodePort ${moved} (expected ${p.nodePort})`] };
    }
    case 'wrong-shares':
      return { kind, portName: c.portName, nodeView: state, expected: wrongShareLines(eps.map((e) => `${e.addresses[0]}:${port}`)), editRules: (text) => halveFirstProbability(text, c.portName) };
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/**
 * The first endpoint of the ladder made to take half the traffic (kube-proxy writes 1/n): the
 * rest share the other half evenly, so every endpoint is off.
 */
function wrongShareLines(endpoints: readonly string[]): string[] {
  const n = endpoints.length;
  const sorted = [...endpoints].sort();
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return sorted
    // kube-proxy's ladder follows the endpoints sorted as "ip:port" strings.
    .map((e) => `wrong share ${e} ${pct(e === sorted[0] ? 0.5 : 0.5 / (n - 1))} (expected ${pct(1 / n)})`)
    .sort();
}

/** In iptables-save text: the first statistic rule of the port's KUBE-SVC chain gets probability 0.5. */
function halveFirstProbability(text: string, portName: string): string {
  const lines = text.split('\n');
  const svc = lines.find((l) => l.startsWith('-A KUBE-SERVICES ') && l.includes(`"${portName} cluster IP"`) && / -j KUBE-SVC-/.test(l));
  const chain = svc ? / -j (KUBE-SVC-\S+)/.exec(svc)?.[1] : undefined;
  const i = chain ? lines.findIndex((l) => l.startsWith(`-A ${chain} `) && l.includes('--probability')) : -1;
  if (i < 0) throw new Error(`no probability rule for ${portName}`);
  lines[i] = lines[i]!.replace(/--probability \S+/, '--probability 0.50000000000');
  return lines.join('\n');
}
