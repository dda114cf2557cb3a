import type { EdgeRule, GraphEdge, GraphEdgeKind, GraphNode } from './model';

interface EdgeDraft {
  readonly source: string;
  readonly target: string;
  readonly kind: GraphEdgeKind;
  readonly label: string;
  readonly rule?: EdgeRule;
  readonly probability?: number;
  readonly affinity?: boolean;
}

/**
 * Collects nodes and edges while a graph is built. Several rules between the same two nodes (a
 * ClusterIP and a load-balancer IP both jumping to one KUBE-EXT chain; an affinity check and a
 * ladder rung to one KUBE-SEP) become one edge carrying all of them, so renderers never draw
 * parallel edges on top of each other.
 */
export class GraphBuilder {
  private readonly nodeMap = new Map<string, GraphNode>();
  private readonly edgeMap = new Map<string, { edge: GraphEdge; labels: Set<string> }>();

  hasNode(id: string): boolean {
    return this.nodeMap.has(id);
  }

  addNode(node: GraphNode): void {
    if (!this.nodeMap.has(node.id)) this.nodeMap.set(node.id, node);
  }

  addEdge(d: EdgeDraft): void {
    // A returning client's shortcut (ClientIP affinity) is its own edge: merged with the first
    // connection's edge, each would be drawn and lit with the other's label.
    const id = `${d.source}->${d.target}${d.affinity ? '#affinity' : ''}`;
    const prev = this.edgeMap.get(id);
    if (!prev) {
      const edge: GraphEdge = {
        id,
        source: d.source,
        target: d.target,
        kind: d.kind,
        label: d.label,
        rules: d.rule ? [d.rule] : [],
        ...(d.probability !== undefined ? { probability: d.probability } : {}),
        ...(d.affinity ? { affinity: true } : {}),
      };
      this.edgeMap.set(id, { edge, labels: new Set(d.label ? [d.label] : []) });
      return;
    }
    if (d.label) prev.labels.add(d.label);
    const probability = d.probability === undefined ? prev.edge.probability : (prev.edge.probability ?? 0) + d.probability;
    prev.edge = {
      ...prev.edge,
      label: joinLabels(prev.labels),
      rules: d.rule ? [...prev.edge.rules, d.rule] : prev.edge.rules,
      ...(probability !== undefined ? { probability } : {}),
      ...(d.affinity || prev.edge.affinity ? { affinity: true } : {}),
    };
  }

  nodes(): GraphNode[] {
    return [...this.nodeMap.values()];
  }

  edges(): GraphEdge[] {
    return [...this.edgeMap.values()].map((e) => e.edge).filter((e) => this.nodeMap.has(e.source) && this.nodeMap.has(e.target));
  }
}

function joinLabels(labels: Set<string>): string {
  const list = [...labels];
  return list.length <= 2 ? list.join(' · ') : `${list.slice(0, 2).join(' · ')} +${list.length - 2}`;
}

/** Percent text for a share: 50%, 33.3%, 0.1%, <0.1%. */
export function formatShare(p: number): string {
  if (p >= 0.9995) return '100%';
  if (p > 0 && p < 0.001) return '<0.1%';
  const pct = p * 100;
  return `${Number.isInteger(Math.round(pct * 10) / 10) ? Math.round(pct) : (Math.round(pct * 10) / 10).toFixed(1)}%`;
}
