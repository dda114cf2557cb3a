import { describe, expect, it } from 'vitest';
import { compareNodes } from './compare-nodes';
import { WEB, endpointSlice, renderRules, service, type SvcSpec } from './scenario.fixture';

const API: SvcSpec = { ns: 'shop', name: 'api', clusterIP: '10.96.0.30', ports: [{ name: 'grpc', port: 9000, targetPort: 9000, protocol: 'TCP' }] };
const now = {
  services: [service(WEB), service(API)],
  endpointSlices: [endpointSlice(WEB, [{ ip: '10.244.1.5', node: 'node-b' }, { ip: '10.244.3.8', node: 'node-c' }], { http: 8080 }), endpointSlice(API, [{ ip: '10.244.1.7', node: 'node-b' }], { grpc: 9000 })],
};
const earlier = { ...now, endpointSlices: [endpointSlice(WEB, [{ ip: '10.244.1.5', node: 'node-b' }, { ip: '10.244.2.6', node: 'node-c' }], { http: 8080 }), now.endpointSlices[1]!] };
const nodeRules = (nodeName: string, state: typeof now) => ({ nodeName, ruleset: renderRules(state, { nodeName }).ruleset });

describe('compareNodes', () => {
  it('NODE_ODD_ONE_OUT: the node whose kube-proxy kept the old endpoint', () => {
    const f = compareNodes([nodeRules('node-a', now), nodeRules('node-b', now), nodeRules('node-c', earlier)]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ code: 'NODE_ODD_ONE_OUT', severity: 'warning', node: 'node-c', service: 'shop/web:http' });
    expect(f[0]!.explanation).toContain('node-c sends it to 10.244.1.5:8080, 10.244.2.6:8080, while node-a, node-b sends it to 10.244.1.5:8080, 10.244.3.8:8080');
  });

  it('two nodes, no cluster state: one finding saying they cannot be ranked, with the difference', () => {
    const f = compareNodes([nodeRules('node-a', now), nodeRules('node-b', earlier)]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ code: 'NODE_ODD_ONE_OUT', service: 'shop/web:http', title: 'The nodes program shop/web:http differently, and two nodes cannot be ranked' });
    expect(f[0]!.node).toBeUndefined();
    expect(f[0]!.explanation).toContain('node-a sends it to 10.244.1.5:8080, 10.244.3.8:8080; node-b sends it to 10.244.1.5:8080, 10.244.2.6:8080');
    expect(f[0]!.nextStep).toContain('with the cluster state');
  });

  it('two nodes with the cluster state: the one that disagrees with the EndpointSlices is the odd one', () => {
    const f = compareNodes([nodeRules('node-a', now), nodeRules('node-b', earlier)], { clusterState: now });
    expect(f.map((x) => [x.node, x.service])).toEqual([['node-b', 'shop/web:http']]);
    expect(f[0]!.explanation).toContain('node-b sends it to 10.244.1.5:8080, 10.244.2.6:8080, while the EndpointSlices say it should send it to 10.244.1.5:8080, 10.244.3.8:8080');
  });

  it('with the cluster state, a node missing a Service is named', () => {
    const f = compareNodes([nodeRules('node-a', now), nodeRules('node-b', { ...now, services: [service(WEB)] })], { clusterState: now });
    expect(f.map((x) => [x.node, x.service])).toEqual([['node-b', 'shop/api:grpc']]);
    expect(f[0]!.explanation).toContain('node-b has no rules for it');
  });

  it('stays silent when every node programs the same, whatever their local endpoints', () => {
    expect(compareNodes([nodeRules('node-a', now), nodeRules('node-b', now), nodeRules('node-c', now)])).toEqual([]);
    expect(compareNodes([nodeRules('node-a', now), nodeRules('node-b', now)], { clusterState: now })).toEqual([]);
  });
});
