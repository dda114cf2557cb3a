import type { NodeProblem } from './model';

/** Nodes that were not compared for the same reason: one line however many nodes. */
export interface ProblemGroup {
  readonly reason: string;
  /** Sorted. */
  readonly nodes: readonly string[];
}

/** A problem's reason, without what differs per node only by name (the digest Pod's generated name). */
export function problemReason(p: NodeProblem): string {
  switch (p.kind) {
    case 'no-digest':
      return p.reason.replace(/svcpath-digest-[a-z0-9.-]+?-[0-9a-f]{8}\b/g, 'svcpath-digest-…');
    case 'unsupported-mode':
      return `kube-proxy mode ${p.mode} has no per-Service digest`;
    case 'duplicate-digest':
      return 'a second digest for the node was ignored';
    default: {
      const never: never = p;
      return never;
    }
  }
}

/** Problems grouped by reason, most nodes first: 5,000 nodes refused the same way are one line. */
export function groupProblems(problems: readonly NodeProblem[]): ProblemGroup[] {
  const by = new Map<string, string[]>();
  for (const p of problems) {
    const r = problemReason(p);
    (by.get(r) ?? by.set(r, []).get(r)!).push(p.node);
  }
  return [...by].map(([reason, nodes]) => ({ reason, nodes: nodes.sort() })).sort((a, b) => b.nodes.length - a.nodes.length || a.reason.localeCompare(b.reason));
}
