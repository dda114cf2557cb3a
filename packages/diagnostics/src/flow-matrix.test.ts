import { describe, expect, it } from 'vitest';
import { flowMatrix } from './flow-matrix';
import { WEB, endpointSlice, renderRules, service, type SvcSpec } from './scenario.fixture';

// A NodePort Service with externalTrafficPolicy Local whose one endpoint runs on node-b.
const LB: SvcSpec = { ...WEB, type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }] };
const state = { services: [service(LB)], endpointSlices: [endpointSlice(LB, [{ ip: '10.244.1.5', node: 'node-b' }], { http: 8080 })] };
const node = (nodeName: string, ip: string) => ({ nodeName, ruleset: renderRules(state, { nodeName, nodeIPs: [ip] }).ruleset, nodeIPs: [ip] });
const nodes = [node('node-a', '192.168.0.10'), node('node-b', '192.168.0.11')];

describe('flowMatrix', () => {
  it('a cluster IP: every node sends the packet to the endpoint', () => {
    const m = flowMatrix(nodes, { src: '10.244.9.9', dst: '10.96.0.20', dport: 80, proto: 'tcp' });
    expect(m.differs).toBe(false);
    expect(m.rows).toEqual([expect.objectContaining({ outcome: 'DNAT 10.244.1.5:8080', shares: { 'node-a': 1, 'node-b': 1 }, same: true })]);
    expect(m.nodes.map((n) => n.delivered)).toEqual([1, 1]);
  });

  it('eTP Local on a NodePort from outside: only the node with a local endpoint delivers', () => {
    const m = flowMatrix(nodes, { src: '203.0.113.7', dst: '192.168.0.10', dport: 30080, proto: 'tcp' });
    // node-a's own address is the destination only on node-a; trace each node's own address instead.
    const perNode = nodes.map((n) => flowMatrix([n], { src: '203.0.113.7', dst: n.nodeIPs[0]!, dport: 30080, proto: 'tcp' }).nodes[0]!);
    expect(perNode.map((s) => [s.node, s.delivered, s.dropped])).toEqual([['node-a', 0, 1], ['node-b', 1, 0]]);
    expect(m.nodes[0]).toMatchObject({ node: 'node-a', dropped: 1 });
  });

  it('from the node itself: each node sends from its first address; a node without one is said', () => {
    const m = flowMatrix([...nodes, { ...nodes[0]!, nodeName: 'node-x', nodeIPs: [] }], { src: null, dst: '10.96.0.20', dport: 80, proto: 'tcp' });
    expect(m.nodes.map((n) => n.src)).toEqual(['192.168.0.10', '192.168.0.11', null]);
    expect(m.differs).toBe(true);
  });
});
