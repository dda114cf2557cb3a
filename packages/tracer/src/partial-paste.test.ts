import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIP } from '@svcpath/netaddr';
import { loadRuleset } from '@svcpath/ruleset';
import { trace, type L4Proto, type TraceResult } from './index';

const NODE = '192.168.0.2';
const here = (...p: string[]) => join(__dirname, ...p);
const pastes = (f: string) => readFileSync(here('fixtures', 'partial-pastes', f), 'utf8');
const listings = (f: string) => readFileSync(here('..', '..', 'parse-iptables', 'src', 'fixtures', 'listings', f), 'utf8');

function load(files: { name: string; text: string }[]) {
  const l = loadRuleset(files);
  expect(l.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return l;
}

function run(files: { name: string; text: string }[], src: string, dst: string, dport: number, proto: L4Proto = 'tcp'): TraceResult {
  return trace(load(files).ruleset!, { src: parseIP(src)!, dst: parseIP(dst)!, dport, proto }, { localAddresses: [parseIP(NODE)!] });
}

/** What a reader takes from a trace: kind, share, verdict, where to, masqueraded. */
const read = (r: TraceResult) =>
  r.outcomes.map((o) => `${o.kind} ${o.probability.toFixed(4)} ${o.verdict}${o.destination ? ` ${o.destination}` : ''}${o.masquerade ? ' masq' : ''}`).sort();

describe('kernel-printed pairs: an iptables -L listing traces like the iptables-save of the same rules', () => {
  const save = [{ name: 'kernel.iptables-save', text: listings('kernel.iptables-save') }];
  const shapes = ['L-n-v', 'L-n-v-line-numbers-x'].map((shape) => [
    { name: `nat-${shape}`, text: `# iptables -t nat -L -n -v\n${listings(`kernel-nat-${shape}.txt`)}` },
    { name: `filter-${shape}`, text: `# iptables -L -n -v\n${listings(`kernel-filter-${shape}.txt`)}` },
  ]);
  const cases: { name: string; src: string; dst: string; dport: number; proto?: L4Proto }[] = [
    { name: 'pod to a three-endpoint ClusterIP', src: '10.244.1.20', dst: '172.30.0.41', dport: 80 },
    { name: 'outside client to the ClusterIP (masqueraded)', src: '192.168.7.7', dst: '172.30.0.41', dport: 80 },
    { name: 'UDP with ClientIP affinity', src: '10.244.1.20', dst: '172.30.0.42', dport: 53, proto: 'udp' },
    { name: 'multiport Service', src: '10.244.1.20', dst: '172.30.0.43', dport: 8443 },
    { name: 'NodePort on the node address', src: '192.168.7.7', dst: NODE, dport: 30080 },
    { name: 'Service without endpoints (REJECT)', src: '10.244.1.20', dst: '172.30.0.46', dport: 80 },
    { name: 'UDP without endpoints (host-unreachable)', src: '10.244.1.20', dst: '172.30.0.47', dport: 53, proto: 'udp' },
    { name: 'forwarded, not a Service: FORWARD DROP policy and its negations', src: '192.168.7.7', dst: '10.9.9.9', dport: 22 },
    { name: 'forwarded on an allowed port', src: '192.168.7.7', dst: '10.9.9.9', dport: 8080 },
    { name: 'node to a ClusterIP', src: NODE, dst: '172.30.0.41', dport: 80 },
  ];
  for (const c of cases)
    it(c.name, () => {
      const want = read(run(save, c.src, c.dst, c.dport, c.proto));
      for (const files of shapes) expect(read(run(files, c.src, c.dst, c.dport, c.proto))).toEqual(want);
    });
});

describe('partial pastes: what is not shown is said, never guessed', () => {
  it('grep blocks: repeated lines are one rule, the cut-off endpoint is "not shown" with its share and name', () => {
    const l = load([{ name: 'grep-blocks.txt', text: pastes('grep-blocks.txt') }]);
    expect(l.diagnostics.filter((d) => d.code === 'IPT_PARTIAL_PASTE')).toHaveLength(1);
    expect(l.diagnostics.find((d) => d.code === 'IPT_LINES_MERGED')?.message).toContain('5 (= 2), 6 (= 3), 11 (= 7), 12 (= 8)');
    const r = run([{ name: 'grep-blocks.txt', text: pastes('grep-blocks.txt') }], '192.168.7.7', '172.30.0.41', 80);
    expect(read(r)).toEqual([
      'endpoint-not-shown 0.3333 DNAT 10.244.3.7:8080',
      'traced 0.3333 DNAT 10.244.1.5:8080 masq',
      'traced 0.3333 DNAT 10.244.2.6:8080 masq',
    ]);
    const cut = r.outcomes.find((o) => o.kind === 'endpoint-not-shown')!;
    expect(cut.notShown).toMatchObject({ subject: 'KUBE-SEP-A3A3A3A3A3A3A3A3', endpoint: '10.244.3.7:8080', command: 'iptables -t nat -S KUBE-SEP-A3A3A3A3A3A3A3A3' });
    // KUBE-MARK-MASQ and KUBE-POSTROUTING were not pasted: kube-proxy's bodies, said as assumptions.
    expect(r.assumptions.some((a) => a.includes('KUBE-MARK-MASQ is not in the paste') && a.includes('--or-mark 0x4000'))).toBe(true);
  });

  it('a jump to a Service chain that is not in the paste is unknown, never ACCEPT', () => {
    const text = [
      '$ sudo iptables -t nat -S KUBE-SERVICES',
      '-N KUBE-SERVICES',
      '-A KUBE-SERVICES -d 172.30.0.41/32 -p tcp -m comment --comment "shop/web:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-AAAAAAAAAAAAAAAA',
    ].join('\n');
    const r = run([{ name: 'p', text }], '10.244.1.20', '172.30.0.41', 80);
    expect(read(r)).toEqual(['unknown 1.0000 UNKNOWN']);
    expect(r.outcomes[0]!.notShown).toMatchObject({ subject: 'KUBE-SVC-AAAAAAAAAAAAAAAA', command: 'iptables -t nat -S KUBE-SVC-AAAAAAAAAAAAAAAA' });
    // Traffic no pasted rule matches still passes: that part of the answer does not depend on what is missing.
    expect(read(run([{ name: 'p', text }], '10.244.1.20', '172.30.0.99', 80))).toEqual(['traced 1.0000 ACCEPT']);
  });

  it('a Service\'s chains without KUBE-SERVICES: the way in is not shown', () => {
    const text = ['$ iptables -t nat -S KUBE-SVC-AAAAAAAAAAAAAAAA', '-A KUBE-SVC-AAAAAAAAAAAAAAAA -j KUBE-SEP-A1A1A1A1A1A1A1A1'].join('\n');
    const r = run([{ name: 'p', text }], '10.244.1.20', '172.30.0.41', 80);
    expect(read(r)).toEqual(['unknown 1.0000 UNKNOWN']);
    expect(r.outcomes[0]!.notShown?.command).toBe('iptables -t nat -S KUBE-SERVICES');
  });

  it('[unsupported revision]: explained, each endpoint named from its -s rule, its DNAT "not shown"', () => {
    const files = [{ name: 'unsupported-revision.txt', text: pastes('unsupported-revision.txt') }];
    const l = load(files);
    expect(l.diagnostics.filter((d) => d.code === 'IPT_UNSUPPORTED_REVISION').map((d) => [d.span.line, /2 lines: 10, 14/.test(d.message)])).toEqual([[10, true]]);
    expect(l.diagnostics.some((d) => d.code === 'IPT_UNKNOWN_OPTION')).toBe(false);
    const r = run(files, '10.244.1.20', '172.30.0.41', 80);
    expect(read(r)).toEqual(['endpoint-not-shown 0.5000 DNAT 10.244.1.5', 'endpoint-not-shown 0.5000 DNAT 10.244.2.6']);
    expect(r.outcomes[0]!.notShown?.command).toMatch(/node's own iptables/);
  });

  it('a KUBE-SEP chain a grep cut to its -s line ends as "not shown", endpoint named', () => {
    const text = [
      '# iptables-save | grep 10.244.2.6',
      '-A KUBE-SERVICES -d 172.30.0.41/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-AAAAAAAAAAAAAAAA',
      '-A KUBE-SVC-AAAAAAAAAAAAAAAA -j KUBE-SEP-A2A2A2A2A2A2A2A2',
      '-A KUBE-SEP-A2A2A2A2A2A2A2A2 -s 10.244.2.6/32 -m comment --comment "shop/web:http" -j KUBE-MARK-MASQ',
    ].join('\n');
    const r = run([{ name: 'p', text }], '10.244.1.20', '172.30.0.41', 80);
    expect(read(r)).toEqual(['endpoint-not-shown 1.0000 DNAT 10.244.2.6']);
  });

  it('a diff is read on its new side, grep -n prefixes are stripped', () => {
    const r = run([{ name: 'diff-and-numbers.txt', text: pastes('diff-and-numbers.txt') }], '10.244.1.20', '172.30.0.41', 80);
    expect(read(r)).toEqual(['traced 1.0000 DNAT 10.244.1.5:8080']);
  });

  for (const file of ['nft-chains-without-table.txt', 'nft-table-without-base-chains.txt'])
    it(`nft: ${file} traces to the Service through kube-proxy's assumed hook layout`, () => {
      const files = [{ name: file, text: pastes(file) }];
      const l = load(files);
      expect(l.formats[0]!.format).toBe('nft-text');
      expect(l.ruleset!.assumptions.some((a) => a.includes("assumed kube-proxy's hook layout") && a.includes('nat-prerouting'))).toBe(true);
      const r = run(files, '192.168.7.7', '172.30.0.44', 80);
      expect(read(r)).toEqual(['endpoint-not-shown 0.5000 DNAT 10.180.0.5:80', 'traced 0.5000 DNAT 10.180.0.4:80 masq']);
      expect(r.outcomes.find((o) => o.kind === 'endpoint-not-shown')!.notShown?.command).toBe('nft list chain ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80');
      // The map names a Service whose chain was not pasted: unknown, not "forwarded unchanged".
      expect(read(run(files, '192.168.7.7', '172.30.0.41', 80))).toEqual(['unknown 1.0000 UNKNOWN']);
    });
});

