import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIpset, parseIpvsadm } from '@svcpath/parse-ipvs';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../diagnose';
import { parseDummyAddresses } from '../dummy-addresses';
import { endpointSlice, input, renderRules, service, type SvcSpec } from '../scenario.fixture';

// parse-ipvs' kube-proxy fixtures (hand-written in ipvsadm's own formats; see their README).
const FIXTURES = join(import.meta.dirname, '../../../parse-ipvs/src/fixtures');
const ipvsText = readFileSync(join(FIXTURES, 'kube-proxy-ipvsadm-Sn.txt'), 'utf8');
const ipsetText = readFileSync(join(FIXTURES, 'kube-proxy-ipset-save.txt'), 'utf8');
const virtualServices = parseIpvsadm(ipvsText, { file: 'ipvsadm-Sn.txt' }).virtualServices;
const ipsets = parseIpset(ipsetText, { file: 'ipset-save.txt' }).sets;
// kube-ipvs0 as `ip -o addr show kube-ipvs0` prints it, every VIP of the fixture but 10.108.7.7.
const VIPS = ['10.96.0.1', '10.96.0.10', '10.101.23.45', '10.102.0.50', '172.18.255.200'];
const dummyText = [...VIPS, 'fd00:10:96::1']
  .map((ip, i) => `${i + 5}: kube-ipvs0    ${ip.includes(':') ? 'inet6' : 'inet'} ${ip}/${ip.includes(':') ? 128 : 32} scope global kube-ipvs0\\       valid_lft forever preferred_lft forever`)
  .join('\n');
const dummyAddresses = parseDummyAddresses(dummyText, 'kube-ipvs0.txt');
const nodeIPs = ['192.168.49.2', '10.244.0.1'];

const WEB: SvcSpec = { ns: 'default', name: 'web', clusterIP: '10.101.23.45', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] };
const NEW: SvcSpec = { ns: 'default', name: 'new', clusterIP: '10.103.3.3', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] };

function run(withState: boolean) {
  const state = {
    services: [service(WEB), service(NEW)],
    endpointSlices: [
      endpointSlice(WEB, [{ ip: '10.244.1.5', node: 'n1' }, { ip: '10.244.1.6', node: 'n1' }, { ip: '10.244.3.3', node: 'n2' }], { http: 8080 }),
      endpointSlice(NEW, [{ ip: '10.244.1.9', node: 'n1' }], { http: 8080 }),
    ],
  };
  const { ruleset } = renderRules({ services: [], endpointSlices: [] });
  return diagnose({ ...input(ruleset, withState ? state : undefined), nodeIPs, ipvs: { virtualServices, ipsets, dummyAddresses } }).findings;
}

describe('IPVS checks', () => {
  it('reads kube-ipvs0 addresses from ip addr output', () => {
    expect(dummyAddresses.map((a) => a.address)).toEqual([...VIPS, 'fd00:10:96::1']);
    expect(dummyAddresses[0]).toMatchObject({ file: 'kube-ipvs0.txt', line: 1 });
  });

  it('IPVS_VIP_NOT_ON_DUMMY and IPVS_UNEVEN_SCHEDULING from the dumps alone', () => {
    const f = run(false);
    expect(f.filter((x) => x.code === 'IPVS_VIP_NOT_ON_DUMMY').map((x) => x.title)).toEqual(['10.108.7.7 is not on kube-ipvs0']);
    const vipEv = f.find((x) => x.code === 'IPVS_VIP_NOT_ON_DUMMY')!.evidence[0]!;
    expect(vipEv).toMatchObject({ kind: 'ipvs', file: 'ipvsadm-Sn.txt', raw: '-A -t 10.108.7.7:8080 -s rr -p 10800' });
    expect(f.find((x) => x.code === 'IPVS_UNEVEN_SCHEDULING' && x.service === 'tcp 10.108.7.7:8080')?.explanation).toContain('persistence (-p 10800');
    // NodePort virtual services sit on node addresses, which are not on kube-ipvs0 and need not be.
    expect(f.some((x) => x.code === 'IPVS_VIP_NOT_ON_DUMMY' && x.title.startsWith('192.168.49.2'))).toBe(false);
  });

  it('IPVS_ALL_WEIGHT_ZERO when every real server is quiesced', () => {
    const zero = parseIpvsadm('-A -t 10.101.23.45:80 -s rr\n-a -t 10.101.23.45:80 -r 10.244.1.5:8080 -m -w 0\n', { file: 'z.txt' }).virtualServices;
    const { ruleset } = renderRules({ services: [], endpointSlices: [] });
    const f = diagnose({ ...input(ruleset), nodeIPs, ipvs: { virtualServices: zero } }).findings;
    expect(f.map((x) => x.code)).toEqual(['IPVS_ALL_WEIGHT_ZERO']);
  });

  it('drift against the cluster: a missing virtual service, a missing real server, a missing ipset entry', () => {
    const f = run(true);
    expect(f.find((x) => x.code === 'DRIFT_VIRTUAL_SERVICE_MISSING')).toMatchObject({ severity: 'critical', service: 'default/new:http' });
    const missing = f.find((x) => x.code === 'DRIFT_ENDPOINT_MISSING' && x.service === 'default/web:http')!;
    expect(missing.explanation).toContain('10.244.3.3:8080');
    expect(f.some((x) => x.code === 'IPVS_VIP_NOT_IN_IPSET')).toBe(false);
    const stripped = ipsetText.replace('add KUBE-CLUSTER-IP 10.101.23.45,tcp:80\n', '');
    const { ruleset } = renderRules({ services: [], endpointSlices: [] });
    const state = { services: [service(WEB)], endpointSlices: [endpointSlice(WEB, [{ ip: '10.244.1.5', node: 'n1' }, { ip: '10.244.1.6', node: 'n1' }], { http: 8080 })] };
    const g = diagnose({ ...input(ruleset, state), nodeIPs, ipvs: { virtualServices, ipsets: parseIpset(stripped, { file: 's.txt' }).sets, dummyAddresses } }).findings;
    expect(g.find((x) => x.code === 'IPVS_VIP_NOT_IN_IPSET')).toMatchObject({ severity: 'warning', service: 'default/web:http' });
    expect(g.filter((x) => x.code.startsWith('DRIFT_'))).toEqual([]);
  });
});
