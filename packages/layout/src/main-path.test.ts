import { describe, expect, it } from 'vitest';
import type { Graph, GraphNode } from '@svcpath/graph';
import { mainPath } from './main-path';

const node = (id: string, kind: GraphNode['kind'], chainKind?: GraphNode['chainKind'], label = id): GraphNode => ({
  id, kind, label, detail: '', chainIds: [], rules: [], totalRules: 0, explanation: '', badges: [], ...(chainKind ? { chainKind } : {}),
});
const edge = (source: string, target: string) => ({ id: `${source}->${target}`, source, target, kind: 'jump' as const, label: '', rules: [] });

const graph: Graph = {
  key: 'k', kind: 'service', title: 'shop/frontend', truncated: null, assumptions: [],
  nodes: [
    node('pre', 'hook', 'builtin', 'PREROUTING'),
    node('post', 'hook', 'builtin', 'POSTROUTING'),
    node('services', 'chain', 'services'),
    node('svc', 'chain', 'svc'),
    node('sep', 'chain', 'sep'),
    node('ep', 'endpoint'),
    node('masq', 'chain', 'mark-masq'),
    node('kpost', 'chain', 'postrouting'),
  ],
  edges: [edge('pre', 'services'), edge('services', 'svc'), edge('svc', 'sep'), edge('sep', 'ep'), edge('svc', 'masq'), edge('post', 'kpost')],
};

describe('mainPath', () => {
  it('is hook → KUBE-SERVICES → the Service chains → endpoints, without the masquerade side', () => {
    expect([...mainPath(graph, null)].sort()).toEqual(['ep', 'pre', 'sep', 'services', 'svc']);
  });

  it('is the traced path when a trace lights one, still without the masquerade side', () => {
    const overlay = { nodes: { pre: 1, services: 1, svc: 1, post: 1, kpost: 1 }, edges: {}, outcomes: [], unmatchedSteps: 0 };
    expect([...mainPath(graph, overlay)].sort()).toEqual(['pre', 'services', 'svc']);
  });
});
