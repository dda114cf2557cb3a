import { describe, expect, it } from 'vitest';
import type { Graph, GraphNode } from '@svcpath/graph';
import { fromElk, toElk } from './elk-input';

const node = (id: string, kind: GraphNode['kind'], parentId?: string): GraphNode => ({
  id, kind, label: id, detail: '', chainIds: [], rules: [], totalRules: 0, explanation: '', badges: [], ...(parentId ? { parentId } : {}),
});

describe('toElk / fromElk', () => {
  const graph: Graph = {
    key: 'k', kind: 'overview', title: 't', truncated: null, assumptions: [],
    nodes: [node('chain:a', 'hook'), node('group:ns1', 'group'), node('service:ns1/s', 'service', 'group:ns1')],
    edges: [{ id: 'e1', source: 'chain:a', target: 'service:ns1/s', kind: 'aggregate', label: '', rules: [] }],
  };

  it('nests Services in their namespace group and lays out left to right', () => {
    const elk = toElk(graph);
    expect(elk.layoutOptions?.['elk.direction']).toBe('RIGHT');
    expect(elk.children?.map((c) => c.id)).toEqual(['chain:a', 'group:ns1']);
    expect(elk.children?.[1]?.children?.[0]).toMatchObject({ id: 'service:ns1/s', width: 200 });
    expect(elk.edges).toEqual([{ id: 'e1', sources: ['chain:a'], targets: ['service:ns1/s'] }]);
  });

  it('runs a Service graph top to bottom and gives every labelled edge a measured ELK label', () => {
    const svc: Graph = { ...graph, kind: 'service', nodes: [node('chain:a', 'hook'), node('service:ns1/s', 'service')], edges: [{ ...graph.edges[0]!, label: 'to 172.30.0.44:80/tcp' }] };
    const elk = toElk(svc, (text) => text.length * 10);
    expect(elk.layoutOptions?.['elk.direction']).toBe('DOWN');
    expect(elk.edges?.[0]?.labels).toEqual([{ id: 'e1#label', text: 'to 172.30.0.44:80/tcp', width: 222, height: 18 }]);
  });

  it('reads positions back, children relative to their group', () => {
    const laid = {
      id: '__root',
      children: [{ id: 'chain:a', x: 1, y: 2, width: 3, height: 4 }, { id: 'group:ns1', x: 10, y: 0, width: 50, height: 60, children: [{ id: 'service:ns1/s', x: 5, y: 6, width: 7, height: 8 }] }],
      edges: [{ id: 'e1', sources: ['chain:a'], targets: ['service:ns1/s'], sections: [{ startPoint: { x: 4, y: 4 }, bendPoints: [{ x: 8, y: 4 }], endPoint: { x: 15, y: 10 } }] }],
    };
    expect(fromElk(laid)).toEqual({
      nodes: { 'chain:a': { x: 1, y: 2, width: 3, height: 4 }, 'group:ns1': { x: 10, y: 0, width: 50, height: 60 }, 'service:ns1/s': { x: 5, y: 6, width: 7, height: 8 } },
      edges: { e1: [{ x: 4, y: 4 }, { x: 8, y: 4 }, { x: 15, y: 10 }] },
      labels: {},
    });
  });
});
