import { describe, expect, it } from 'vitest';
import type { Graph, GraphNode } from '@svcpath/graph';
import { nextNode } from './graph-keys';

const node = (id: string): GraphNode => ({ id, kind: 'chain', label: id, detail: '', chainIds: [], rules: [], totalRules: 0, explanation: '', badges: [] });
const edge = (source: string, target: string) => ({ id: `${source}>${target}`, source, target, kind: 'jump' as const, label: '', rules: [] });
const graph: Graph = {
  key: 'k', kind: 'service', title: 't', truncated: null, assumptions: [],
  nodes: ['svc', 'sep1', 'sep2', 'ep1'].map(node),
  edges: [edge('svc', 'sep1'), edge('svc', 'sep2'), edge('sep1', 'ep1')],
};
const order = (a: string, b: string) => a.localeCompare(b);

describe('nextNode (arrow keys along edges)', () => {
  it('moves down an outgoing edge and up an incoming one', () => {
    expect(nextNode(graph, 'svc', 'ArrowDown', order)).toBe('sep1');
    expect(nextNode(graph, 'ep1', 'ArrowUp', order)).toBe('sep1');
    expect(nextNode(graph, 'ep1', 'ArrowDown', order)).toBeUndefined();
  });

  it('steps between siblings across, wrapping', () => {
    expect(nextNode(graph, 'sep1', 'ArrowRight', order)).toBe('sep2');
    expect(nextNode(graph, 'sep2', 'ArrowRight', order)).toBe('sep1');
    expect(nextNode(graph, 'sep1', 'ArrowLeft', order)).toBe('sep2');
  });
});
