import type { Disagreement, PortState } from './model';

function missingAndStale(policy: 'cluster' | 'local', expected: readonly string[], actual: readonly string[]): Disagreement[] {
  const want = new Set(expected);
  const have = new Set(actual);
  return [
    ...expected.filter((e) => !have.has(e)).map((endpoint): Disagreement => ({ kind: 'missing-endpoint', policy, endpoint })),
    ...actual.filter((e) => !want.has(e)).map((endpoint): Disagreement => ({ kind: 'stale-endpoint', policy, endpoint })),
  ];
}

/**
 * How a node's state of one Service port differs from what the cluster state asks: endpoints
 * missing or stale in each traffic policy's list, shares other than 1/n, affinity, NodePort and
 * ClusterIP. `undefined` on either side is a Service port missing from the rules or from the cluster.
 */
export function comparePort(expected: PortState | undefined, actual: PortState | undefined): Disagreement[] {
  if (!expected && !actual) return [];
  if (!actual) return [{ kind: 'missing-service' }];
  if (!expected) return [{ kind: 'stale-service' }];
  const out: Disagreement[] = [];
  if (expected.clusterIP !== actual.clusterIP) out.push({ kind: 'cluster-ip', expected: expected.clusterIP, actual: actual.clusterIP });
  if (expected.nodePort !== actual.nodePort) out.push({ kind: 'node-port', expected: expected.nodePort, actual: actual.nodePort });
  if (expected.affinitySeconds !== actual.affinitySeconds) out.push({ kind: 'affinity', expected: expected.affinitySeconds, actual: actual.affinitySeconds });
  out.push(...missingAndStale('cluster', expected.cluster, actual.cluster), ...missingAndStale('local', expected.local, actual.local));
  for (const u of actual.unequalShares) {
    const list = u.policy === 'cluster' ? actual.cluster : actual.local;
    out.push({ kind: 'wrong-shares', policy: u.policy, endpoint: u.endpoint, share: u.share, expected: 1 / list.length });
  }
  return out;
}

/** One line naming a disagreement, also its grouping key. */
export function describeDisagreement(d: Disagreement): string {
  switch (d.kind) {
    case 'missing-service':
      return 'missing Service: no rules for it';
    case 'stale-service':
      return 'stale Service: rules for a port the cluster no longer has';
    case 'missing-endpoint':
      return `missing endpoint ${d.endpoint}${d.policy === 'local' ? ' (Local policy)' : ''}`;
    case 'stale-endpoint':
      return `stale endpoint ${d.endpoint}${d.policy === 'local' ? ' (Local policy)' : ''}`;
    case 'wrong-shares':
      return `wrong share ${d.endpoint} ${pct(d.share)} (expected ${pct(d.expected)})`;
    case 'affinity':
      return `affinity ${secs(d.actual)} (expected ${secs(d.expected)})`;
    case 'node-port':
      return `NodePort ${d.actual ?? 'none'} (expected ${d.expected ?? 'none'})`;
    case 'cluster-ip':
      return `ClusterIP ${d.actual ?? 'none'} (expected ${d.expected ?? 'none'})`;
    default: {
      const never: never = d;
      return never;
    }
  }
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function secs(x: number | null): string {
  return x === null ? 'none' : `${x}s`;
}
