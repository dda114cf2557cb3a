import { parseIP } from '@svcpath/netaddr';
import { describe, expect, it } from 'vitest';
import { categorizeEndpoints } from './categorize-endpoints';
import { toEndpointPort, toServicePort } from './ports';
import type { ServiceEndpoint } from './service-endpoint';
import type { ServicePortInfo } from './service-port-info';

const NODE = 'node-a';

/** ep('10.0.0.1', 'ready' | 'terminating' | 'not-serving', local?, zoneHints?) */
function ep(
  ip: string,
  state: 'ready' | 'terminating' | 'not-serving',
  local = false,
  zones: string[] = [],
): ServiceEndpoint {
  return {
    ip: parseIP(ip)!,
    port: toEndpointPort(8080)!,
    ready: state === 'ready',
    serving: state !== 'not-serving',
    terminating: state !== 'ready',
    nodeName: local ? NODE : 'node-b',
    zone: null,
    zoneHints: new Set(zones),
    nodeHints: new Set(),
    isLocal: local,
  };
}

function svc(p: { eTP?: 'Local'; iTP?: 'Local'; external?: boolean }): ServicePortInfo {
  return {
    name: { namespace: 'ns', name: 'svc', port: 'http', protocol: 'TCP' },
    nameString: 'ns/svc:http',
    clusterIP: parseIP('172.30.0.1')!,
    port: toServicePort(80)!,
    nodePort: null,
    externalIPs: p.external ? [parseIP('192.168.99.1')!] : [],
    loadBalancerVIPs: [],
    loadBalancerSourceRanges: [],
    sessionAffinity: { kind: 'None' },
    externalPolicyLocal: p.eTP === 'Local',
    internalPolicyLocal: p.iTP === 'Local',
    healthCheckNodePort: null,
  };
}

const ips = (eps: readonly ServiceEndpoint[]): string[] => eps.map((e) => e.ip.text);

const cases: {
  name: string;
  svc: ServicePortInfo;
  endpoints: ServiceEndpoint[];
  zone?: string;
  cluster: string[];
  local: string[];
  all: string[];
  hasAny: boolean;
  hasLocal: boolean;
}[] = [
  {
    name: 'no endpoints',
    svc: svc({}),
    endpoints: [],
    cluster: [],
    local: [],
    all: [],
    hasAny: false,
    hasLocal: false,
  },
  {
    name: 'cluster policy uses every ready endpoint',
    svc: svc({}),
    endpoints: [ep('10.0.0.1', 'ready'), ep('10.0.0.2', 'ready', true), ep('10.0.0.3', 'terminating')],
    cluster: ['10.0.0.1', '10.0.0.2'],
    local: [],
    all: ['10.0.0.1', '10.0.0.2'],
    hasAny: true,
    hasLocal: false,
  },
  {
    name: 'cluster policy falls back to serving-terminating when nothing is ready',
    svc: svc({}),
    endpoints: [ep('10.0.0.1', 'terminating'), ep('10.0.0.2', 'not-serving')],
    cluster: ['10.0.0.1'],
    local: [],
    all: ['10.0.0.1'],
    hasAny: true,
    hasLocal: false,
  },
  {
    name: 'not-serving terminating endpoints are never used',
    svc: svc({}),
    endpoints: [ep('10.0.0.1', 'not-serving')],
    cluster: [],
    local: [],
    all: [],
    hasAny: false,
    hasLocal: false,
  },
  {
    name: 'iTP=Local: only local ready endpoints, no cluster list',
    svc: svc({ iTP: 'Local' }),
    endpoints: [ep('10.0.0.1', 'ready'), ep('10.0.0.2', 'ready', true)],
    cluster: [],
    local: ['10.0.0.2'],
    all: ['10.0.0.2'],
    hasAny: true,
    hasLocal: true,
  },
  {
    name: 'iTP=Local without local endpoints: service has endpoints, node has none',
    svc: svc({ iTP: 'Local' }),
    endpoints: [ep('10.0.0.1', 'ready')],
    cluster: [],
    local: [],
    all: [],
    hasAny: true,
    hasLocal: false,
  },
  {
    name: 'eTP=Local with external access: cluster list for short-circuit, local list for external',
    svc: svc({ eTP: 'Local', external: true }),
    endpoints: [ep('10.0.0.1', 'ready'), ep('10.0.0.2', 'ready', true)],
    cluster: ['10.0.0.1', '10.0.0.2'],
    local: ['10.0.0.2'],
    all: ['10.0.0.1', '10.0.0.2'],
    hasAny: true,
    hasLocal: true,
  },
  {
    name: 'eTP=Local: local list falls back to the local terminating endpoint while remote ones are ready',
    svc: svc({ eTP: 'Local', external: true }),
    endpoints: [ep('10.0.0.1', 'ready'), ep('10.0.0.2', 'terminating', true)],
    cluster: ['10.0.0.1'],
    local: ['10.0.0.2'],
    all: ['10.0.0.1', '10.0.0.2'],
    hasAny: true,
    hasLocal: true,
  },
  {
    name: 'eTP=Local: a local ready endpoint wins over a local terminating one',
    svc: svc({ eTP: 'Local', external: true }),
    endpoints: [ep('10.0.0.1', 'ready', true), ep('10.0.0.2', 'terminating', true)],
    cluster: ['10.0.0.1'],
    local: ['10.0.0.1'],
    all: ['10.0.0.1'],
    hasAny: true,
    hasLocal: true,
  },
  {
    name: 'eTP=Local without external access is ignored (no local list)',
    svc: svc({ eTP: 'Local' }),
    endpoints: [ep('10.0.0.1', 'ready')],
    cluster: ['10.0.0.1'],
    local: [],
    all: ['10.0.0.1'],
    hasAny: true,
    hasLocal: false,
  },
  {
    name: 'zone hints narrow cluster endpoints to this zone',
    svc: svc({}),
    zone: 'z1',
    endpoints: [ep('10.0.0.1', 'ready', false, ['z1']), ep('10.0.0.2', 'ready', false, ['z2'])],
    cluster: ['10.0.0.1'],
    local: [],
    all: ['10.0.0.1'],
    hasAny: true,
    hasLocal: false,
  },
  {
    name: 'zone hints are ignored when one ready endpoint has none',
    svc: svc({}),
    zone: 'z1',
    endpoints: [ep('10.0.0.1', 'ready', false, ['z1']), ep('10.0.0.2', 'ready')],
    cluster: ['10.0.0.1', '10.0.0.2'],
    local: [],
    all: ['10.0.0.1', '10.0.0.2'],
    hasAny: true,
    hasLocal: false,
  },
  {
    name: 'zone hints are ignored when none names this zone',
    svc: svc({}),
    zone: 'z3',
    endpoints: [ep('10.0.0.1', 'ready', false, ['z1']), ep('10.0.0.2', 'ready', false, ['z2'])],
    cluster: ['10.0.0.1', '10.0.0.2'],
    local: [],
    all: ['10.0.0.1', '10.0.0.2'],
    hasAny: true,
    hasLocal: false,
  },
  {
    name: 'topology plus eTP=Local: reachable set is the union of both lists',
    svc: svc({ eTP: 'Local', external: true }),
    zone: 'z1',
    endpoints: [ep('10.0.0.1', 'ready', false, ['z1']), ep('10.0.0.2', 'ready', true, ['z2'])],
    cluster: ['10.0.0.1'],
    local: ['10.0.0.2'],
    all: ['10.0.0.1', '10.0.0.2'],
    hasAny: true,
    hasLocal: true,
  },
];

describe('categorizeEndpoints', () => {
  it.each(cases)('$name', (c) => {
    const r = categorizeEndpoints(c.endpoints, c.svc, { nodeName: NODE, zone: c.zone ?? null });
    expect({
      cluster: ips(r.clusterEndpoints),
      local: ips(r.localEndpoints),
      all: ips(r.allReachableEndpoints),
    }).toEqual({
      cluster: c.cluster,
      local: c.local,
      all: c.all,
    });
    expect(r.hasAnyEndpoints).toBe(c.hasAny);
    expect(r.hasLocalEndpoints).toBe(c.hasLocal);
  });

  it('reports the topology mode and which lists fell back to terminating endpoints', () => {
    const r = categorizeEndpoints(
      [ep('10.0.0.1', 'terminating', true)],
      svc({ eTP: 'Local', external: true }),
      { nodeName: NODE },
    );
    expect(r.terminatingFallback).toEqual({ cluster: true, local: true });
    const z = categorizeEndpoints([ep('10.0.0.1', 'ready', false, ['z1'])], svc({}), {
      nodeName: NODE,
      zone: 'z1',
    });
    expect(z.topologyMode).toBe('PreferSameZone');
  });

  it('prefers same-node hints over zone hints when every ready endpoint has one', () => {
    const a = { ...ep('10.0.0.1', 'ready', false, ['z1']), nodeHints: new Set([NODE]) };
    const b = { ...ep('10.0.0.2', 'ready', false, ['z1']), nodeHints: new Set(['node-b']) };
    const r = categorizeEndpoints([a, b], svc({}), { nodeName: NODE, zone: 'z1' });
    expect(r.topologyMode).toBe('PreferSameNode');
    expect(ips(r.clusterEndpoints)).toEqual(['10.0.0.1']);
    expect(
      categorizeEndpoints([a, b], svc({}), { nodeName: NODE, zone: 'z1', nodeHints: false }).topologyMode,
    ).toBe('PreferSameZone');
  });
});
