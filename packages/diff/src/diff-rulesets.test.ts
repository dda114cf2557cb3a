/**
 * Every diff kind on dumps rendered by @svcpath/kube-proxy-sim (kube-proxy's iptables layout) from
 * two states of one small cluster; the foreign-rule cases add hand-written lines to a rendered dump.
 */
import { describe, expect, it } from 'vitest';
import type { EndpointSlice, Service } from '@svcpath/k8s-model';
import { renderIptablesSave, type IptablesProxierOptions } from '@svcpath/kube-proxy-sim';
import { loadRuleset } from '@svcpath/ruleset';
import { diffRulesets } from './diff-rulesets';
import { describeChange } from './describe-change';
import type { DiffSide, ServicePortChange } from './model';

const svc = (spec: Partial<Service['spec']>, name = 'web'): Service => ({
  metadata: { namespace: 'shop', name },
  spec: { clusterIP: '172.30.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP' }], selector: { app: name }, ...spec },
});
const slice = (ips: [ip: string, node?: string][], name = 'web'): EndpointSlice => ({
  metadata: { namespace: 'shop', name: `${name}-1`, labels: { 'kubernetes.io/service-name': name } },
  addressType: 'IPv4',
  endpoints: ips.map(([ip, node]) => ({ addresses: [ip], nodeName: node ?? 'other', conditions: { ready: true, serving: true, terminating: false } })),
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
});
const OPTS: IptablesProxierOptions = { nodeName: 'me', nodeIPs: ['192.168.0.2'], clusterCIDR: '10.180.0.0/16' };
const THREE = slice([['10.180.0.1'], ['10.180.0.2'], ['10.180.0.3']]);
/** A second Service, so probes from a Pod have a Pod that is not web's own endpoint. */
const DB = [svc({ clusterIP: '172.30.0.20' }, 'db'), slice([['10.180.9.9']], 'db')] as const;

function side(label: string, services: Service[], slices: EndpointSlice[], o: Partial<IptablesProxierOptions> = {}, edit = (t: string) => t): DiffSide {
  const text = edit(renderIptablesSave({ services: [...services, DB[0]], endpointSlices: [...slices, DB[1]] }, { ...OPTS, ...o }));
  const rs = loadRuleset([{ name: `${label}.txt`, text }]).ruleset!;
  return { label, ruleset: rs, nodeIPs: ['192.168.0.2'] };
}
const kinds = (cs: readonly ServicePortChange[]) => cs.map((c) => c.kind);
function webChanges(before: DiffSide, after: DiffSide): readonly ServicePortChange[] {
  const r = diffRulesets(before, after);
  return r.servicePorts.find((p) => p.portName === 'shop/web:http')?.changes ?? [];
}

describe('diffRulesets', () => {
  it('reports nothing for a dump diffed with itself', () => {
    const s = side('a', [svc({ type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }], sessionAffinity: 'ClientIP' })], [THREE]);
    const r = diffRulesets(s, s);
    expect(r.servicePorts).toEqual([]);
    expect(r.node).toEqual([]);
    expect(r.compared).toBe(2);
  });

  it('an endpoint removed: 33% → 50% for the others, with rule lines on both sides', () => {
    const changes = webChanges(side('before', [svc({})], [THREE]), side('after', [svc({})], [slice([['10.180.0.1'], ['10.180.0.3']])]));
    expect(changes.map(describeChange)).toEqual([
      'endpoint 10.180.0.2:8080 removed (had 33.3%)',
      'endpoint 10.180.0.1:8080: share 33.3% → 50%',
      'endpoint 10.180.0.3:8080: share 33.3% → 50%',
    ]);
    const share = changes[1]!;
    const dnat = /DNAT --to-destination 10.180.0.1:8080/;
    expect(share.evidence.before.find((l) => dnat.test(l.text))).toMatchObject({ file: 'before.txt', chain: expect.stringMatching(/^nat\/KUBE-SEP-/) });
    expect(share.evidence.after.find((l) => dnat.test(l.text))).toMatchObject({ file: 'after.txt' });
    expect(share.evidence.after.some((l) => /--probability 0.5/.test(l.text))).toBe(true);
    expect(share.evidence.before[0]!.line).toBeGreaterThan(0);
  });

  it('an endpoint added', () => {
    const changes = webChanges(side('b', [svc({})], [slice([['10.180.0.1']])]), side('a', [svc({})], [slice([['10.180.0.1'], ['10.180.0.5']])]));
    expect(changes.map(describeChange)).toEqual(['endpoint 10.180.0.5:8080 added (50% of new connections)', 'endpoint 10.180.0.1:8080: share 100% → 50%']);
    expect(changes[0]!.evidence.before).toEqual([]);
  });

  it('session affinity turned on', () => {
    const changes = webChanges(side('b', [svc({})], [THREE]), side('a', [svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } } })], [THREE]));
    expect(changes.map(describeChange)).toEqual(['session affinity none → ClientIP, 600 s']);
    expect(changes[0]!.evidence.after.some((l) => /recent/.test(l.text))).toBe(true);
  });

  it('a NodePort added, then changed', () => {
    const np = (n: number) => svc({ type: 'NodePort', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: n }] });
    const plain = side('b', [svc({})], [THREE]);
    expect(webChanges(plain, side('a', [np(30080)], [THREE])).map(describeChange)).toEqual(['NodePort none → 30080']);
    const moved = webChanges(side('b', [np(30080)], [THREE]), side('a', [np(30081)], [THREE]));
    expect(moved.map(describeChange)).toEqual(['NodePort 30080 → 30081']);
    expect(moved[0]!.evidence.before.some((l) => /--dport 30080/.test(l.text))).toBe(true);
  });

  it('external and load-balancer IPs added', () => {
    const lb = svc({ type: 'LoadBalancer', externalIPs: ['198.51.100.7'], ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] });
    const withIngress: Service = { ...lb, status: { loadBalancer: { ingress: [{ ip: '198.51.100.9' }] } } };
    const changes = webChanges(side('b', [{ ...lb, spec: { ...lb.spec, externalIPs: [] } }], [THREE]), side('a', [withIngress], [THREE]));
    expect(kinds(changes)).toEqual(['address-added', 'address-added']);
    expect(changes.map(describeChange)).toEqual(['external IP 198.51.100.7 added', 'load-balancer IP 198.51.100.9 added']);
  });

  it('REJECT added when the last endpoint goes, removed when one comes back', () => {
    const empty = side('b', [svc({})], []);
    const full = side('a', [svc({})], [slice([['10.180.0.1']])]);
    const gone = webChanges(full, empty);
    expect(kinds(gone)).toEqual(['endpoint-removed', 'verdict-added', 'verdict-added']);
    expect(describeChange(gone[1]!)).toBe('REJECT added: cluster-ip 172.30.0.10:80/tcp from a Pod (10.180.9.9) is now rejected (100%)');
    expect(gone[1]!.evidence.after.some((l) => /has no endpoints.* -j REJECT/.test(l.text))).toBe(true);
    expect(kinds(webChanges(empty, full))).toEqual(['endpoint-added', 'verdict-removed', 'verdict-removed']);
  });

  it('DROP added for outside traffic when externalTrafficPolicy Local loses its local endpoint', () => {
    const np = (etp: 'Local' | 'Cluster') => svc({ type: 'NodePort', externalTrafficPolicy: etp, ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] });
    const here = slice([['10.180.0.1', 'me'], ['10.180.0.2']]);
    const elsewhere = slice([['10.180.0.1'], ['10.180.0.2']]);
    const changes = webChanges(side('b', [np('Local')], [here]), side('a', [np('Local')], [elsewhere]));
    const drops = changes.filter((c) => c.kind === 'verdict-added');
    expect(drops.map(describeChange)).toEqual(['DROP added: node-port 192.168.0.2:30080/tcp from outside (203.0.113.10) is now dropped (100%)']);
  });

  it('masquerade changed (--masquerade-all)', () => {
    const changes = webChanges(side('b', [svc({})], [THREE]), side('a', [svc({})], [THREE], { masqueradeAll: true }));
    expect(changes.map(describeChange)).toEqual(['masquerade 0% → 100% of cluster-ip 172.30.0.10:80/tcp from a Pod (10.180.9.9)']);
  });

  it('NodePorts on 127.0.0.1 stop answering (--iptables-localhost-nodeports=false)', () => {
    const np = svc({ type: 'NodePort', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] });
    const changes = webChanges(side('b', [np], [THREE]), side('a', [np], [THREE], { localhostNodePorts: false }));
    expect(changes.map(describeChange)).toEqual(['node-port 127.0.0.1:30080/tcp from the node (127.0.0.1): DNAT to 3 endpoints → not translated (ACCEPT to the node)']);
  });

  it('a Service port added and one removed', () => {
    const r = diffRulesets(side('b', [svc({})], [THREE]), side('a', [svc({ clusterIP: '172.30.0.30' }, 'api')], [slice([['10.180.0.7']], 'api')]));
    expect(r.servicePorts.map((p) => [p.portName, kinds(p.changes)])).toEqual([
      ['shop/api:http', ['service-port-added']],
      ['shop/web:http', ['service-port-removed']],
    ]);
  });

  it('a rule added before KUBE-SERVICES that is not kube-proxy\'s', () => {
    const steal = (t: string) => t.replace('-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES', '-A PREROUTING -d 172.30.0.10/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.99.0.1:80\n$&');
    const before = side('b', [svc({})], [THREE]);
    const after = side('a', [svc({})], [THREE], {}, steal);
    const r = diffRulesets(before, after);
    expect(r.node).toHaveLength(1);
    expect(r.node[0]).toMatchObject({ kind: 'foreign-rule-added', hook: 'prerouting', evidence: { after: [{ chain: 'nat/PREROUTING', text: expect.stringMatching(/DNAT --to-destination 10.99.0.1:80/) }] } });
    // And the Service's traffic from Pods no longer reaches its endpoints.
    expect(kinds(r.servicePorts.find((p) => p.portName === 'shop/web:http')!.changes)).toContain('endpoint-added');
    expect(diffRulesets(after, before).node.map((c) => c.kind)).toEqual(['foreign-rule-removed']);
  });
});
