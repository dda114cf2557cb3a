/** What grouping needs of a finding (the doctor's Finding has these fields and more). */
export interface GroupableFinding {
  readonly code: string;
  readonly severity: 'critical' | 'warning' | 'info';
  /** `ns/svc:port` or `ns/svc`. */
  readonly service?: string;
}

/** Findings sharing a code or a namespace: indices into the list they came from, in its order. */
export interface FindingGroup {
  readonly key: string;
  /** The most severe finding's severity in the group. */
  readonly severity: GroupableFinding['severity'];
  readonly indices: readonly number[];
}

const RANK = { critical: 0, warning: 1, info: 2 } as const;
/** Findings about the node itself (no Service) are grouped under this namespace key. */
export const NODE_WIDE = '(node)';

/** `ns/svc` of a finding's `ns/svc:port`, or undefined. */
export function findingServiceOf(f: GroupableFinding): string | undefined {
  if (!f.service) return undefined;
  const i = f.service.indexOf(':');
  return i < 0 ? f.service : f.service.slice(0, i);
}

/**
 * Groups findings by code or by namespace, most severe group first, then the biggest, then by key:
 * hundreds of findings read as a few lines with counts.
 */
export function groupFindings(findings: readonly GroupableFinding[], by: 'code' | 'namespace'): FindingGroup[] {
  const groups = new Map<string, { severity: GroupableFinding['severity']; indices: number[] }>();
  findings.forEach((f, i) => {
    const key = by === 'code' ? f.code : (findingServiceOf(f)?.split('/')[0] ?? NODE_WIDE);
    const g = groups.get(key);
    if (!g) groups.set(key, { severity: f.severity, indices: [i] });
    else {
      g.indices.push(i);
      if (RANK[f.severity] < RANK[g.severity]) g.severity = f.severity;
    }
  });
  return [...groups]
    .map(([key, g]) => ({ key, severity: g.severity, indices: g.indices }))
    .sort((a, b) => RANK[a.severity] - RANK[b.severity] || b.indices.length - a.indices.length || a.key.localeCompare(b.key));
}

/** How many findings each Service (`ns/svc`) and each namespace has. */
export function findingCounts(findings: readonly GroupableFinding[]): { byService: Map<string, number>; byNamespace: Map<string, number> } {
  const byService = new Map<string, number>();
  const byNamespace = new Map<string, number>();
  for (const f of findings) {
    const svc = findingServiceOf(f);
    if (!svc) continue;
    byService.set(svc, (byService.get(svc) ?? 0) + 1);
    const ns = svc.split('/')[0] ?? '';
    byNamespace.set(ns, (byNamespace.get(ns) ?? 0) + 1);
  }
  return { byService, byNamespace };
}
