import { describe, expect, it } from 'vitest';
import type { EndpointSlice, Endpoints, Service } from './api-objects';
import { endpointSlicesFromEndpoints } from './legacy-endpoints';
import { proxiedServicePorts } from './proxied-service-ports';
import { endpointString } from './service-endpoint';

const svc: Service = {
  metadata: { namespace: 'ns', name: 'db' },
  spec: { clusterIP: '172.30.0.5', ports: [{ name: 'sql', port: 5432 }] },
};
const slice = (name: string, ips: string[], extra: Partial<EndpointSlice> = {}): EndpointSlice => ({
  metadata: { namespace: 'ns', name, labels: { 'kubernetes.io/service-name': 'db' } },
  addressType: 'IPv4',
  endpoints: ips.map((ip) => ({ addresses: [ip], nodeName: ip.endsWith('.9') ? 'me' : 'other' })),
  ports: [{ name: 'sql', port: 15432, protocol: 'TCP' }],
  ...extra,
});

describe('proxiedServicePorts', () => {
  it('joins slices by service-name label, dedupes endpoints and sorts them by "ip:port" string', () => {
    // A selector-less Service with manual slices is proxied like any other.
    const r = proxiedServicePorts(
      {
        services: [svc],
        endpointSlices: [slice('b', ['10.0.0.10', '10.0.0.9']), slice('a', ['10.0.0.9', '10.0.0.2'])],
      },
      { nodeName: 'me' },
    );
    const eps = r.servicePorts[0]!.endpoints;
    expect(eps.map(endpointString)).toEqual(['10.0.0.10:15432', '10.0.0.2:15432', '10.0.0.9:15432']);
    expect(eps.find((e) => e.ip.text === '10.0.0.9')?.isLocal).toBe(true);
  });

  it('reads absent conditions as ready and serving, not terminating', () => {
    const [sp] = proxiedServicePorts(
      { services: [svc], endpointSlices: [slice('a', ['10.0.0.1'])] },
      { nodeName: 'me' },
    ).servicePorts;
    expect(sp?.endpoints[0]).toMatchObject({ ready: true, serving: true, terminating: false });
  });

  it('ignores ports without a name, FQDN slices, and slices without the label, and says so', () => {
    const unnamed = slice('a', ['10.0.0.1'], { ports: [{ port: 15432 }] });
    const fqdn = slice('b', ['db.example'], { addressType: 'FQDN' });
    const unlabelled: EndpointSlice = {
      ...slice('c', ['10.0.0.3']),
      metadata: { namespace: 'ns', name: 'c' },
    };
    const r = proxiedServicePorts(
      { services: [svc], endpointSlices: [unnamed, fqdn, unlabelled] },
      { nodeName: 'me' },
    );
    expect(r.servicePorts[0]?.endpoints).toEqual([]);
    expect(r.notes.map((n) => (n.kind === 'endpoint-slice-skipped' ? n.skip.kind : n.kind)).sort()).toEqual([
      'no-service-label',
      'port-without-name',
      'unsupported-address-type',
    ]);
  });

  it('mirrors legacy Endpoints into slices (notReadyAddresses become not-ready endpoints)', () => {
    const eps: Endpoints = {
      metadata: { namespace: 'ns', name: 'db' },
      subsets: [
        {
          addresses: [{ ip: '10.0.0.1' }],
          notReadyAddresses: [{ ip: '10.0.0.2' }],
          ports: [{ name: 'sql', port: 15432 }],
        },
      ],
    };
    const [sp] = proxiedServicePorts(
      { services: [svc], endpointSlices: endpointSlicesFromEndpoints(eps) },
      { nodeName: 'me' },
    ).servicePorts;
    expect(sp?.endpoints.map((e) => [e.ip.text, e.ready])).toEqual([
      ['10.0.0.1', true],
      ['10.0.0.2', false],
    ]);
  });
});
