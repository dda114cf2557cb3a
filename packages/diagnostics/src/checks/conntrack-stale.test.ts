import { describe, expect, it } from 'vitest';
import { diagnose } from '../diagnose';
import { parseConntrack } from '../conntrack-table';
import { endpointSlice, input, renderRules, service, type SvcSpec } from '../scenario.fixture';

const DNS: SvcSpec = { ns: 'kube-system', name: 'dns', clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' }] };
const state = { services: [service(DNS)], endpointSlices: [endpointSlice(DNS, [{ ip: '10.244.1.5', node: 'node-b' }, { ip: '10.244.2.6', node: 'node-c' }], { dns: 53 })] };
const { ruleset } = renderRules(state);

/** `conntrack -L -o extended` lines as the tool prints them. */
const table = [
  'ipv4     2 udp      17 29 src=10.244.3.7 dst=10.96.0.10 sport=41234 dport=53 src=10.244.1.5 dst=10.244.3.7 sport=53 dport=41234 mark=0 use=1',
  'ipv4     2 udp      17 27 src=10.244.3.8 dst=10.96.0.10 sport=5353 dport=53 [UNREPLIED] src=10.244.9.9 dst=10.244.3.8 sport=53 dport=5353 mark=0 use=1',
  'ipv4     2 tcp      6 431999 ESTABLISHED src=10.244.3.7 dst=10.244.5.5 sport=40000 dport=80 src=10.244.5.5 dst=10.244.3.7 sport=80 dport=40000 [ASSURED] mark=0 use=1',
  'conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.',
].join('\n');

describe('stale conntrack entries', () => {
  it('reads both tuples of each entry', () => {
    const e = parseConntrack(table);
    expect(e).toHaveLength(3);
    expect(e[1]).toMatchObject({ proto: 'udp', origDst: '10.96.0.10', origDport: 53, replySrc: '10.244.9.9', replySport: 53, unreplied: true, line: 2 });
  });

  it('CONNTRACK_STALE_ENTRY: a UDP flow still sent to an endpoint the Service no longer has', () => {
    const f = diagnose(input(ruleset, state, { conntrack: { file: 'conntrack.txt', text: table } })).findings.find((x) => x.code === 'CONNTRACK_STALE_ENTRY');
    expect(f).toMatchObject({ severity: 'critical', service: 'kube-system/dns:dns' });
    expect(f!.title).toContain('10.244.9.9:53');
    expect(f!.evidence).toEqual([{ kind: 'conntrack', file: 'conntrack.txt', line: 2, raw: expect.stringContaining('src=10.244.9.9') }]);
  });

  it('stays silent when every translated flow goes to a current endpoint, and without a table', () => {
    const fresh = table.split('\n').filter((l) => !l.includes('10.244.9.9')).join('\n');
    expect(diagnose(input(ruleset, state, { conntrack: { file: 'c', text: fresh } })).findings.some((x) => x.code === 'CONNTRACK_STALE_ENTRY')).toBe(false);
    expect(diagnose(input(ruleset, state)).findings.some((x) => x.code === 'CONNTRACK_STALE_ENTRY')).toBe(false);
  });

  it('judges from the rules when there is no cluster state', () => {
    const f = diagnose(input(ruleset, undefined, { conntrack: { file: 'c', text: table } })).findings.find((x) => x.code === 'CONNTRACK_STALE_ENTRY');
    expect(f?.service).toBe('kube-system/dns:dns');
  });
});
