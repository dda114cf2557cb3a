/**
 * The whole view lives in the URL, so a link reproduces it: snapshot, drilled-in namespace,
 * Service, selected graph node, the trace inputs (with the outcome in focus), the finding shown and
 * the earlier snapshot whose counters the graph is coloured against.
 */
export type Proto = 'tcp' | 'udp' | 'sctp';

export interface ViewState {
  readonly snapshot?: string;
  readonly ns?: string;
  readonly service?: string;
  readonly node?: string;
  readonly src?: string;
  readonly dst?: string;
  readonly dport?: number;
  readonly proto?: Proto;
  /** Trace a returning client of this endpoint (`ip:port`) under ClientIP affinity. */
  readonly ret?: string;
  /** The outcome in focus (index), or all. */
  readonly outcome?: number;
  /** The doctor's finding whose evidence is lit on the graph (index in the findings list). */
  readonly finding?: number;
  /** An earlier snapshot of the same node: the graph is coloured by the rule counters that moved since. */
  readonly since?: string;
}

const KEYS = ['snapshot', 'ns', 'service', 'node', 'src', 'dst', 'dport', 'proto', 'ret', 'outcome', 'finding', 'since'] as const;

export function parseView(search: string): ViewState {
  const p = new URLSearchParams(search);
  const s = (k: string) => p.get(k)?.trim() || undefined;
  const n = (k: string) => {
    const v = s(k);
    return v !== undefined && /^\d{1,5}$/.test(v) ? Number(v) : undefined;
  };
  const proto = s('proto');
  const out: Record<string, string | number | undefined> = {
    snapshot: s('snapshot'),
    ns: s('ns'),
    service: s('service'),
    node: s('node'),
    src: s('src'),
    dst: s('dst'),
    dport: n('dport'),
    proto: proto === 'tcp' || proto === 'udp' || proto === 'sctp' ? proto : undefined,
    ret: s('ret'),
    outcome: n('outcome'),
    finding: n('finding'),
    since: s('since'),
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as ViewState;
}

export function formatView(v: ViewState): string {
  const p = new URLSearchParams();
  for (const k of KEYS) {
    const value = v[k];
    if (value !== undefined && value !== '') p.set(k, String(value));
  }
  const text = p.toString().replace(/%2F/g, '/').replace(/%3A/g, ':').replace(/%7E/g, '~');
  return text ? `?${text}` : '';
}

/** The trace inputs, when complete. */
export function flowOf(v: ViewState): { src: string; dst: string; dport: number; proto: Proto; returningTo?: string } | null {
  if (!v.src || !v.dst || !v.dport) return null;
  return { src: v.src, dst: v.dst, dport: v.dport, proto: v.proto ?? 'tcp', ...(v.ret ? { returningTo: v.ret } : {}) };
}
