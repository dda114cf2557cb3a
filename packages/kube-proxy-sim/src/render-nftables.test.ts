import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EndpointSlice, Service } from '@svcpath/k8s-model';
import { nftHashAndTruncate } from './nft-chain-names';
import { overallEndpointSlices, overallServices } from './overall-rules.fixture';
import { renderNftablesRules, renderNftablesTransaction, type NftablesProxierOptions } from './render-nftables';

// kube-proxy's expected transaction for TestOverallNFTablesRules (pkg/proxy/nftables/proxier_test.go,
// Apache-2.0): the same six Services as TestOverallIPTablesRules. See the fixture folder's README.
const expectedText = readFileSync(
  new URL('../../tracer/src/fixtures/kube-proxy-conformance/nftables-TestOverallNFTablesRules/nft-ruleset.txt', import.meta.url),
  'utf8',
);
const OVERALL: NftablesProxierOptions = {
  nodeName: 'test-node',
  nodeIPs: ['192.168.0.2'],
  clusterCIDR: '10.0.0.0/8',
  nodePortAddresses: ['192.168.0.2/32'],
  serviceCIDRs: ['172.30.0.0/16'],
};

/** As kube-proxy's test compares: objects sorted by type and name, rules in order within a chain. */
function objects(text: string) {
  const out = { other: [] as string[], rules: new Map<string, string[]>() };
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const rule = /^add rule ip kube-proxy (\S+) (.*)$/.exec(line);
    if (rule) out.rules.set(rule[1]!, [...(out.rules.get(rule[1]!) ?? []), rule[2]!]);
    else out.other.push(line);
  }
  return { other: [...new Set(out.other)].sort(), rules: Object.fromEntries([...out.rules].sort(([a], [b]) => a.localeCompare(b))) };
}

describe('renderNftablesTransaction', () => {
  it("matches kube-proxy's TestOverallNFTablesRules expectation object by object and rule by rule", () => {
    const actual = objects(renderNftablesTransaction({ services: overallServices, endpointSlices: overallEndpointSlices }, OVERALL));
    const expected = objects(expectedText);
    expect(actual.other).toEqual(expected.other);
    expect(actual.rules).toEqual(expected.rules);
  });

  it('prints in an order nft -f accepts: table, sets and maps, chains, rules, elements', () => {
    const kinds = renderNftablesTransaction({ services: overallServices, endpointSlices: overallEndpointSlices }, OVERALL)
      .trim()
      .split('\n')
      .map((l) => /^add (\w+)/.exec(l)![1]!.replace('map', 'set'));
    const firstOf = (k: string) => kinds.indexOf(k);
    const lastOf = (k: string) => kinds.lastIndexOf(k);
    expect(lastOf('table')).toBeLessThan(firstOf('set'));
    expect(lastOf('set')).toBeLessThan(firstOf('chain'));
    expect(lastOf('chain')).toBeLessThan(firstOf('rule'));
    expect(lastOf('rule')).toBeLessThan(firstOf('element'));
  });

  it('names chains as kube-proxy does (hash of the readable name, then the name)', () => {
    expect(nftHashAndTruncate('ns1/svc1/tcp/p80')).toBe('ULMVA6XW-ns1/svc1/tcp/p80');
    expect(nftHashAndTruncate('ns1/svc1/tcp/p80__10.180.0.1/80')).toBe('5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80');
  });

  it('defaults --nodeport-addresses to the primary node IP, and never adds 127.0.0.1', () => {
    const r = renderNftablesRules({ services: [], endpointSlices: [] }, { nodeName: 'n', nodeIPs: ['192.168.0.2', '192.168.1.2'], clusterCIDR: '10.0.0.0/8' });
    expect(r.transaction.parts().elements).toEqual(['add element ip kube-proxy nodeport-ips { 192.168.0.2 }']);
    const all = renderNftablesRules({ services: [], endpointSlices: [] }, { nodeName: 'n', nodeIPs: ['192.168.0.2'], nodePortAddresses: ['0.0.0.0/0'] });
    expect(all.transaction.parts().rules.get('services')).toContain('add rule ip kube-proxy services fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports');
    expect(all.transaction.parts().sets.some((s) => s.includes('nodeport-ips'))).toBe(false);
  });

  it('--masquerade-all masquerades every ClusterIP connection; eTP Local with a local endpoint goes to the local- chain', () => {
    const svc: Service = { metadata: { namespace: 'ns', name: 'web' }, spec: { type: 'NodePort', clusterIP: '172.30.0.10', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] } };
    const slice: EndpointSlice = { metadata: { namespace: 'ns', name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.1.1'], nodeName: 'n' }, { addresses: ['10.0.2.1'], nodeName: 'other' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] };
    const rules = renderNftablesRules({ services: [svc], endpointSlices: [slice] }, { nodeName: 'n', nodeIPs: ['192.168.0.2'], clusterCIDR: '10.0.0.0/8', masqueradeAll: true }).transaction.parts().rules;
    const chain = (prefix: string) => [...rules].find(([c]) => c.startsWith(prefix) && c.includes('/'))!;
    expect(chain('service-')[1][0]).toMatch(/ip daddr 172.30.0.10 jump mark-for-masquerade$/);
    expect(chain('external-')[1].at(-1)).toMatch(/goto local-\w+-ns\/web\/tcp\/http$/);
    expect(chain('local-')[1]).toEqual([expect.stringMatching(/numgen random mod 1 vmap \{ 0 : goto endpoint-\w+-ns\/web\/tcp\/http__10.0.1.1\/8080 \}$/)]);
  });
});
