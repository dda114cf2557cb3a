import { loadRuleset } from '@svcpath/ruleset';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../diagnose';
import { WEB, endpointSlice, input, renderRules, service, type SvcSpec } from '../scenario.fixture';

const NODEPORT: SvcSpec = { ...WEB, type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }] };
const state = { services: [service(NODEPORT)], endpointSlices: [endpointSlice(NODEPORT, [{ ip: '10.244.1.5', node: 'node-b' }], { http: 8080 })] };
const { text: healthy } = renderRules(state);

/** Appends rules to one table of an iptables-save text, just before its COMMIT. */
function addToTable(text: string, table: 'filter' | 'nat', lines: string[]): string {
  const start = text.indexOf(`*${table}\n`);
  const commit = text.indexOf('COMMIT\n', start);
  return text.slice(0, commit) + lines.join('\n') + '\n' + text.slice(commit);
}

function run(text: string, extra: Parameters<typeof input>[2] = {}) {
  const rs = loadRuleset([{ name: 'node-a.txt', text }]).ruleset!;
  return diagnose(input(rs, state, extra)).findings;
}

describe('netfilter around kube-proxy', () => {
  it('stays silent on the rules kube-proxy renders', () => {
    expect(run(healthy, { sysctls: { 'net.ipv4.conf.all.route_localnet': '1', 'net.netfilter.nf_conntrack_count': '100', 'net.netfilter.nf_conntrack_max': '131072' } })).toEqual([]);
  });

  it('HOOK_KUBE_SERVICES_UNREACHED: nat PREROUTING lost its jump (a flushed chain)', () => {
    const f = run(healthy.replace(/^-A PREROUTING .*-j KUBE-SERVICES\n/m, '')).filter((x) => x.code === 'HOOK_KUBE_SERVICES_UNREACHED');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'critical', title: 'nat/PREROUTING does not lead to nat/KUBE-SERVICES' });
    // Confirmed by a trace: a Pod's connection to the Service leaves untranslated.
    expect(f[0]!.evidence).toContainEqual(expect.objectContaining({ kind: 'trace', verdict: 'ACCEPT', destination: null }));
  });

  it('HOOK_KUBE_SERVICES_UNREACHED: an early ACCEPT in nat PREROUTING, seen by tracing', () => {
    const text = healthy.replace(/^(-A PREROUTING .*-j KUBE-SERVICES)$/m, '-A PREROUTING -s 10.244.0.0/16 -j ACCEPT\n$1');
    const f = run(text).find((x) => x.code === 'HOOK_KUBE_SERVICES_UNREACHED')!;
    expect(f.title).toBe('Traffic to shop/web:http passes the node untranslated');
    expect(f.evidence[0]).toMatchObject({ kind: 'rule', chain: 'nat/PREROUTING', raw: '-A PREROUTING -s 10.244.0.0/16 -j ACCEPT' });
  });

  it('FILTER_DROP_BEFORE_KUBE: a CNI chain dropping Pod traffic to the Service', () => {
    const text = addToTable(healthy.replace(':KUBE-EXTERNAL-SERVICES', ':CNI-FW - [0:0]\n:KUBE-EXTERNAL-SERVICES'), 'filter', ['-A FORWARD -j CNI-FW', '-A CNI-FW -d 10.244.1.0/24 -j DROP']);
    const f = run(text).find((x) => x.code === 'FILTER_DROP_BEFORE_KUBE')!;
    expect(f).toMatchObject({ severity: 'critical', service: 'shop/web:http', title: 'filter/CNI-FW rule 1 drops traffic to shop/web:http' });
    expect(f.evidence[0]).toMatchObject({ kind: 'rule', raw: '-A CNI-FW -d 10.244.1.0/24 -j DROP' });
    expect(f.evidence[1]).toMatchObject({ kind: 'trace', verdict: 'DROP', destination: '10.244.1.5:8080' });
  });

  it('FILTER_DROP_BEFORE_KUBE: FORWARD policy DROP (Docker)', () => {
    const f = run(healthy.replace(':FORWARD ACCEPT', ':FORWARD DROP')).find((x) => x.code === 'FILTER_DROP_BEFORE_KUBE')!;
    expect(f.title).toBe('filter/FORWARD policy drops traffic to shop/web:http');
  });

  it('CONNTRACK_INVALID_DROP outside kube-proxy, CONNTRACK_TABLE_FULL from sysctls', () => {
    const text = addToTable(healthy, 'filter', ['-A INPUT -m conntrack --ctstate INVALID -j DROP']);
    const f = run(text, { sysctls: { 'net.netfilter.nf_conntrack_count': '130000', 'net.netfilter.nf_conntrack_max': '131072' } });
    expect(f.find((x) => x.code === 'CONNTRACK_INVALID_DROP')).toMatchObject({ severity: 'warning', evidence: [{ kind: 'rule', chain: 'filter/INPUT' }] });
    expect(f.find((x) => x.code === 'CONNTRACK_TABLE_FULL')).toMatchObject({ severity: 'critical', title: 'Conntrack table 99% full (130000 of 131072)' });
  });

  it('HAIRPIN_NO_MASQUERADE: a KUBE-SEP chain without its -s <endpoint> KUBE-MARK-MASQ rule', () => {
    const f = run(healthy.replace(/^-A KUBE-SEP-\S+ -s 10\.244\.1\.5\/32 .*\n/m, '')).find((x) => x.code === 'HAIRPIN_NO_MASQUERADE')!;
    expect(f).toMatchObject({ severity: 'warning', service: 'shop/web:http' });
    expect(f.evidence[0]).toMatchObject({ kind: 'rule', raw: expect.stringContaining('DNAT --to-destination 10.244.1.5:8080') });
  });

  it('SYSCTL_ROUTE_LOCALNET: localhost NodePorts programmed, route_localnet off', () => {
    const f = run(healthy, { sysctls: { 'net.ipv4.conf.all.route_localnet': '0' } }).find((x) => x.code === 'SYSCTL_ROUTE_LOCALNET')!;
    expect(f.severity).toBe('warning');
    expect(f.evidence).toContainEqual({ kind: 'sysctl', name: 'net.ipv4.conf.all.route_localnet', value: '0' });
    // Without localhost NodePort rules the sysctl does not matter.
    const { text } = renderRules(state, { localhostNodePorts: false });
    expect(run(text, { sysctls: { 'net.ipv4.conf.all.route_localnet': '0' } }).map((x) => x.code)).not.toContain('SYSCTL_ROUTE_LOCALNET');
  });
});
