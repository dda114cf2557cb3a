import type { EndpointSlice, Service } from '@svcpath/k8s-model';
import { describe, expect, it } from 'vitest';
import type { IptablesProxierOptions } from './proxier-options';
import { formatKubeProxyRule } from './restore-format';
import { renderIptablesRules, renderIptablesSave } from './render-iptables';

const svc = (spec: Partial<Service['spec']>, name = 'web'): Service => ({
  metadata: { namespace: 'ns', name },
  spec: { clusterIP: '172.30.0.10', ports: [{ name: 'http', port: 80 }], ...spec },
});
type Ep = { ip: string; node?: string; ready?: boolean; serving?: boolean; terminating?: boolean };
const slice = (eps: Ep[], name = 'web'): EndpointSlice => ({
  metadata: { namespace: 'ns', name: `${name}-1`, labels: { 'kubernetes.io/service-name': name } },
  addressType: 'IPv4',
  endpoints: eps.map((e) => ({
    addresses: [e.ip],
    nodeName: e.node ?? 'other',
    conditions: { ready: e.ready ?? true, serving: e.serving ?? true, terminating: e.terminating ?? false },
  })),
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
});
const opts: IptablesProxierOptions = { nodeName: 'me', nodeIPs: ['192.168.0.2'], clusterCIDR: '10.0.0.0/8' };

/** Rules of one table in kube-proxy's order, as text, for readable assertions. */
function rules(
  services: Service[],
  slices: EndpointSlice[],
  o: Partial<IptablesProxierOptions> = {},
  table = 'nat',
): string[] {
  const r = renderIptablesRules({ services, endpointSlices: slices }, { ...opts, ...o });
  return r.tables.find((t) => t.name === table)!.rules.map(formatKubeProxyRule);
}
const matching = (lines: string[], re: RegExp): string[] => lines.filter((l) => re.test(l));

describe('renderIptablesRules', () => {
  it('spreads traffic with a 1/n ladder in "ip:port" order, the last rule unconditional', () => {
    const nat = rules([svc({})], [slice([{ ip: '10.0.0.3' }, { ip: '10.0.0.1' }, { ip: '10.0.0.2' }])]);
    const ladder = matching(nat, /^-A KUBE-SVC-\S+ -m comment --comment "ns\/web:http -> /);
    expect(ladder.map((l) => l.replace(/ -j KUBE-SEP-\w+$/, ''))).toEqual([
      '-A KUBE-SVC-HMALVVKA6APKJPPY -m comment --comment "ns/web:http -> 10.0.0.1:8080" -m statistic --mode random --probability 0.3333333333',
      '-A KUBE-SVC-HMALVVKA6APKJPPY -m comment --comment "ns/web:http -> 10.0.0.2:8080" -m statistic --mode random --probability 0.5000000000',
      '-A KUBE-SVC-HMALVVKA6APKJPPY -m comment --comment "ns/web:http -> 10.0.0.3:8080"',
    ]);
  });

  it('REJECTs in filter and writes no nat chains for a Service without endpoints', () => {
    const r = renderIptablesRules(
      {
        services: [svc({ type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] })],
        endpointSlices: [],
      },
      opts,
    );
    const nat = r.tables[1]!;
    expect(nat.chains.filter((c) => /KUBE-(SVC|EXT|SEP)/.test(c))).toEqual([]);
    const filter = r.tables[0]!.rules.map(formatKubeProxyRule);
    expect(matching(filter, /has no endpoints/)).toEqual([
      '-A KUBE-SERVICES -m comment --comment "ns/web:http has no endpoints" -m tcp -p tcp -d 172.30.0.10 --dport 80 -j REJECT',
      '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns/web:http has no endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j REJECT',
    ]);
  });

  it('iTP=Local without local endpoints DROPs cluster-IP traffic; with one, routes via KUBE-SVL', () => {
    const remote = rules(
      [svc({ internalTrafficPolicy: 'Local' })],
      [slice([{ ip: '10.0.0.1' }])],
      {},
      'filter',
    );
    expect(matching(remote, /has no local endpoints/)[0]).toMatch(/-d 172\.30\.0\.10 --dport 80 -j DROP$/);
    const local = rules(
      [svc({ internalTrafficPolicy: 'Local' })],
      [slice([{ ip: '10.0.0.1' }, { ip: '10.0.0.2', node: 'me' }])],
    );
    expect(matching(local, /^-A KUBE-SERVICES .*cluster IP/)[0]).toMatch(/-j KUBE-SVL-\w+$/);
    expect(matching(local, /^-A KUBE-SVL-/).filter((l) => l.includes('->'))).toHaveLength(1);
  });

  it('falls back to a local terminating endpoint for eTP=Local and sends external traffic to KUBE-SVL', () => {
    const s = svc({
      type: 'NodePort',
      externalTrafficPolicy: 'Local',
      ports: [{ name: 'http', port: 80, nodePort: 30080 }],
    });
    const nat = rules(
      [s],
      [slice([{ ip: '10.0.0.1' }, { ip: '10.0.0.2', node: 'me', ready: false, terminating: true }])],
    );
    const ext = matching(nat, /^-A KUBE-EXT-/);
    expect(ext.at(-1)).toMatch(/^-A KUBE-EXT-(\w+) -j KUBE-SVL-\1$/);
    expect(matching(nat, /^-A KUBE-SVL-.*->/)).toEqual([expect.stringContaining('10.0.0.2:8080')]);
    expect(matching(nat, /^-A KUBE-SVC-.*->/)).toEqual([expect.stringContaining('10.0.0.1:8080')]);
  });

  it('masquerades all cluster-IP traffic with masqueradeAll, none without a local detector', () => {
    const masq = (o: Partial<IptablesProxierOptions>): string[] =>
      matching(
        rules([svc({})], [slice([{ ip: '10.0.0.1' }])], o),
        /^-A KUBE-SVC-.*cluster IP.*KUBE-MARK-MASQ$/,
      );
    expect(masq({})[0]).toContain('! -s 10.0.0.0/8');
    expect(masq({ masqueradeAll: true })[0]).not.toContain('-s ');
    expect(masq({ clusterCIDR: undefined })).toEqual([]);
    expect(
      masq({ clusterCIDR: undefined, localDetector: { kind: 'interface', name: 'veth+' } })[0],
    ).toContain('! -i veth+');
  });

  it('uses the masquerade bit, --random-fully and the nodePortAddresses / localhost options', () => {
    const nat = rules([svc({})], [slice([{ ip: '10.0.0.1' }])], {
      masqueradeBit: 5,
      localhostNodePorts: false,
    });
    expect(nat).toContain('-A KUBE-MARK-MASQ -j MARK --or-mark 0x20');
    expect(nat).toContain(
      '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    );
    expect(nat.at(-1)).toBe(
      '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS',
    );
    const restricted = rules([svc({})], [], { nodePortAddresses: ['192.168.0.0/24'] });
    expect(matching(restricted, /nodeports; NOTE/)).toEqual([
      expect.stringMatching(/-d 192\.168\.0\.2 -j KUBE-NODEPORTS$/),
    ]);
    const filter = rules([svc({})], [], { nodePortAddresses: ['192.168.0.0/24'] }, 'filter');
    expect(matching(filter, /^-A KUBE-FIREWALL/)).toEqual([]);
  });

  it('lets the node itself through KUBE-FW when a source range contains the node IP', () => {
    const s = svc({
      type: 'LoadBalancer',
      loadBalancerSourceRanges: ['192.168.0.0/16'],
      ports: [{ name: 'http', port: 80, nodePort: 30080 }],
    });
    const nat = rules(
      [{ ...s, status: { loadBalancer: { ingress: [{ ip: '5.6.7.8' }] } } }],
      [slice([{ ip: '10.0.0.1' }])],
    );
    expect(matching(nat, /^-A KUBE-FW-/).map((l) => l.replace(/KUBE-(FW|EXT)-\w+/g, 'X'))).toEqual([
      '-A X -m comment --comment "ns/web:http loadbalancer IP" -s 192.168.0.0/16 -j X',
      '-A X -m comment --comment "ns/web:http loadbalancer IP" -s 5.6.7.8 -j X',
      '-A X -m comment --comment "other traffic to ns/web:http will be dropped by KUBE-PROXY-FIREWALL"',
    ]);
  });

  it('drops per-endpoint comments above the large-cluster threshold, as kube-proxy does', () => {
    const nat = rules([svc({})], [slice([{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }])], {
      largeClusterEndpointsThreshold: 1,
    });
    expect(matching(nat, /^-A KUBE-SEP-/)[0]).toMatch(/^-A KUBE-SEP-\w+ -s 10\.0\.0\.1 -j KUBE-MARK-MASQ$/);
    expect(matching(nat, /->/)).toEqual([]);
  });

  it('skips headless and ExternalName Services and reports them', () => {
    const r = renderIptablesRules(
      {
        services: [
          svc({ clusterIP: 'None' }, 'h'),
          svc({ type: 'ExternalName', externalName: 'x.example' }, 'x'),
        ],
        endpointSlices: [],
      },
      opts,
    );
    expect(r.notes.map((n) => (n.kind === 'service-skipped' ? n.skip.kind : n.kind))).toEqual([
      'headless',
      'external-name',
    ]);
    expect(r.tables[1]!.rules.some((rule) => rule.args.join(' ').includes('ns/h'))).toBe(false);
  });

  it('renders the same text for the same input', () => {
    const state = { services: [svc({})], endpointSlices: [slice([{ ip: '10.0.0.1' }])] };
    expect(renderIptablesSave(state, opts)).toBe(renderIptablesSave(state, opts));
  });
});
