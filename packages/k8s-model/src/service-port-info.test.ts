import { describe, expect, it } from 'vitest';
import type { Service } from './api-objects';
import { servicePortInfos } from './service-port-info';
import { servicePortNameString } from './service-port-name';

const base = (spec: Partial<Service['spec']>, status?: Service['status']): Service => ({
  metadata: { namespace: 'ns', name: 'web' },
  spec: { clusterIP: '172.30.0.10', ports: [{ name: 'http', port: 80 }], ...spec },
  ...(status ? { status } : {}),
});

describe('servicePortNameString', () => {
  it('is "ns/name:port", or "ns/name" for an unnamed port, as kube-proxy prints it', () => {
    expect(servicePortNameString({ namespace: 'ns', name: 'web', port: 'http' })).toBe('ns/web:http');
    expect(servicePortNameString({ namespace: 'ns', name: 'web', port: '' })).toBe('ns/web');
  });
});

describe('servicePortInfos', () => {
  it('skips headless, ExternalName, other-proxy and wrong-family Services', () => {
    expect(servicePortInfos(base({ clusterIP: 'None' })).skipped[0]?.kind).toBe('headless');
    expect(servicePortInfos(base({ clusterIP: '' })).skipped[0]?.kind).toBe('headless');
    expect(servicePortInfos(base({ type: 'ExternalName', externalName: 'x.example' })).skipped[0]?.kind).toBe(
      'external-name',
    );
    const other: Service = {
      ...base({}),
      metadata: {
        namespace: 'ns',
        name: 'web',
        labels: { 'service.kubernetes.io/service-proxy-name': 'cilium' },
      },
    };
    expect(servicePortInfos(other).skipped[0]?.kind).toBe('other-proxy');
    expect(servicePortInfos(base({}), 'IPv6').skipped[0]?.kind).toBe('no-cluster-ip-for-family');
  });

  it('defaults protocol TCP and ClientIP timeout 10800s; has no health check port unless LB + eTP Local', () => {
    const [p] = servicePortInfos(
      base({
        sessionAffinity: 'ClientIP',
        type: 'NodePort',
        externalTrafficPolicy: 'Local',
        healthCheckNodePort: 30000,
      }),
    ).ports;
    expect(p?.name.protocol).toBe('TCP');
    expect(p?.nameString).toBe('ns/web:http');
    expect(p?.sessionAffinity).toEqual({ kind: 'ClientIP', timeoutSeconds: 10800 });
    expect(p?.externalPolicyLocal).toBe(true);
    expect(p?.healthCheckNodePort).toBeNull();
    const [lb] = servicePortInfos(
      base({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 30000 }),
    ).ports;
    expect(lb?.healthCheckNodePort).toBe(30000);
  });

  it('ignores externalTrafficPolicy on a ClusterIP Service without external IPs', () => {
    expect(servicePortInfos(base({ externalTrafficPolicy: 'Local' })).ports[0]?.externalPolicyLocal).toBe(
      false,
    );
    expect(
      servicePortInfos(base({ externalTrafficPolicy: 'Local', externalIPs: ['192.168.99.1'] })).ports[0]
        ?.externalPolicyLocal,
    ).toBe(true);
  });

  it('captures only VIP-mode ingress IPs of the family, and filters source ranges by family', () => {
    const svc = base(
      { type: 'LoadBalancer', loadBalancerSourceRanges: ['203.0.113.0/25', '2001:db8::/64'] },
      {
        loadBalancer: {
          ingress: [
            { ip: '1.2.3.4' },
            { ip: '5.6.7.8', ipMode: 'Proxy' },
            { hostname: 'lb.example' },
            { ip: '2001:db8::9' },
          ],
        },
      },
    );
    const [p] = servicePortInfos(svc).ports;
    expect(p?.loadBalancerVIPs.map((ip) => ip.text)).toEqual(['1.2.3.4']);
    expect(p?.loadBalancerSourceRanges.map((c) => c.text)).toEqual(['203.0.113.0/25']);
  });

  it('picks the cluster IP of the family from clusterIPs (dual stack)', () => {
    const svc = base({
      clusterIP: '172.30.0.10',
      clusterIPs: ['172.30.0.10', 'fd00::10'],
      ipFamilies: ['IPv4', 'IPv6'],
    });
    expect(servicePortInfos(svc, 'IPv6').ports[0]?.clusterIP.text).toBe('fd00::10');
  });

  it('reports ports with an invalid number instead of proxying them', () => {
    const r = servicePortInfos(
      base({
        ports: [
          { name: 'bad', port: 0 },
          { name: 'ok', port: 443 },
        ],
      }),
    );
    expect(r.ports.map((p) => p.name.port)).toEqual(['ok']);
    expect(r.skipped).toEqual([{ kind: 'invalid-port', service: 'ns/web', port: 'bad' }]);
  });
});
