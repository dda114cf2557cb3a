import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIpvsadm, parseIpvsadmLineByLine } from './parse-ipvsadm';
import type { IpvsadmParseResult } from './ipvs-types';
import { isPlainServerLine, plainServiceLine, type PlainService } from './plain-save-line';
import type { ServiceDraft } from './service-draft';

/**
 * -Sn lines checked in place, real servers read when first asked for: the results must be the
 * full reader's, line for line. Fixtures beside this file; the large dump is generated here in
 * kube-proxy's -Sn form (rr, masq, weight 1), the same shape scripts/bench/dumps.ts writes.
 */
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** Everything a result holds, every getter read (IPv6 addresses are bigints). */
const everything = (r: IpvsadmParseResult): string => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

function generated(services: number, servers: number): string[] {
  const lines: string[] = [];
  for (let s = 0; s < services; s++) {
    const vip = `10.96.${s >> 8}.${s & 255}:${s % 3 === 0 ? 53 : 80}`;
    const flag = s % 3 === 0 ? '-u' : '-t';
    lines.push(`-A ${flag} ${vip} -s rr`);
    for (let r = 0; r < servers; r++) lines.push(`-a ${flag} ${vip} -r 10.128.${s >> 8}.${(s + r) & 255}:8080 -m -w ${r === 0 ? 0 : 1}`);
  }
  return lines;
}

describe('parseIpvsadm: -Sn lines checked in place', () => {
  it('gives the full reader\'s result for every fixture', () => {
    for (const name of ['kube-proxy-ipvsadm-Sn.txt', 'features-ipvsadm-Sn.txt', 'kube-proxy-ipvsadm-Ln.txt', 'messy-ipvsadm.txt']) {
      const text = fixture(name);
      expect(everything(parseIpvsadm(text, { file: name })), name).toBe(everything(parseIpvsadmLineByLine(text, { file: name })));
    }
  });

  it('reports a bad line deep in a large dump with its file and line, and reads the rest the same', () => {
    const lines = generated(2000, 10);
    lines[15_000] = lines[15_000]!.replace('-r 10.128.', '-r 10.1280.');
    lines[17_000] = lines[17_000]!.replace('-w 1', '-w many');
    lines[18_000] = '-a -t 10.250.0.1:80 -r 10.128.0.1:8080 -m -w 1';
    lines[18_500] = `${lines[18_500]!}  `;
    lines.push('');
    for (const text of [lines.join('\n'), lines.join('\r\n')]) {
      const r = parseIpvsadm(text, { file: 'node-1/ipvsadm-Sn.txt' });
      expect(r.diagnostics.map((d) => [d.code, d.span.file, d.span.start.line])).toEqual([
        ['IPVS_BAD_ADDRESS', 'node-1/ipvsadm-Sn.txt', 15_001],
        ['IPVS_BAD_NUMBER', 'node-1/ipvsadm-Sn.txt', 17_001],
        ['IPVS_ORPHAN_REAL_SERVER', 'node-1/ipvsadm-Sn.txt', 18_001],
      ]);
      expect(r.unparsed.map((u) => u.span.start.line)).toEqual([15_001, 18_001]);
      expect(everything(r)).toBe(everything(parseIpvsadmLineByLine(text, { file: 'node-1/ipvsadm-Sn.txt' })));
    }
  });

  it('reads duplicate services, servers after other services and mixed forms as the full reader does', () => {
    const text = [
      '-A -t 10.0.0.1:80 -s rr',
      '-a -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 1',
      '-A -t 10.0.0.1:80 -s wrr',
      '-a -t 10.0.0.1:80 -r 10.0.0.3:80 -m -w 1',
      '# a comment between two real servers of one service',
      '-a -t 10.0.0.1:80 -r 10.0.0.31:80 -m -w 1',
      '',
      '-a -t 10.0.0.1:80 -r 10.0.0.32:80 -m -w 1',
      '-A -u 10.0.0.9:53 -s rr -p 10800',
      '-a -t 10.0.0.1:80 -r 10.0.0.4:80 -g -w 2',
      '-a -u 10.0.0.9:53 -r 10.0.0.5:53 -m -w 1',
      '-a -u 10.0.0.9:53 -r [fd00::5]:53 -m -w 1',
      'TCP  10.0.0.1:80 rr',
      '  -> 10.0.0.6:80                   Masq    1      0          0',
      '-a -t 10.0.0.1:80 -r 10.0.0.7:80 -i',
    ].join('\n');
    const r = parseIpvsadm(text, { file: 'x' });
    expect(everything(r)).toBe(everything(parseIpvsadmLineByLine(text, { file: 'x' })));
    expect(r.virtualServices[0]!.realServers.map((s) => s.address.text)).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.31', '10.0.0.32', '10.0.0.4', '10.0.0.7']);
    expect(r.virtualServices[0]!.rawLines).toHaveLength(7);
    expect(r.virtualServices[0]!.span.end.line).toBe(15);
  });

  it('reads edge values (ports, octets, weights, tabs, CR) as the full reader does', () => {
    const edge = [
      '-A -t 10.96.0.10:65535 -s rr',
      '-a -t 10.96.0.10:65535 -r 10.1.1.1:65535 -m -w 999999999',
      '-a -t 10.96.0.10:65535 -r 10.1.1.2:65536 -m -w 1',
      '-a -t 10.96.0.10:65535 -r 10.1.1.3:0 -g',
      '-a -t 10.96.0.10:65535 -r 10.1.1.4:00080 -i -w 1000000000',
      '-a -t 10.96.0.10:65535 -r 255.255.255.255:1 -m -w 0',
      '-a -t 10.96.0.10:65535 -r 256.1.1.1:1 -m -w 1',
      '-a -t 10.96.0.10:65535 -r 00.1.1.1:1 -m -w 1',
      '-a -t 10.96.0.10:65535 -r 10.1.1.5:8080\t-m -w 1',
      '-A -u 10.96.0.11:0 -s rr',
      '-a -u 10.96.0.11:0 -r 10.1.1.6:53 -m -w 1',
      '-A -t 10.96.0.12:65536 -s rr',
      '-A -t 010.96.0.12:80 -s rr',
      '-A -t 10.96.0.13:080 -s wlc',
      '-a -t 10.96.0.13:80 -r 10.1.1.7:80 -m -w 1',
      '-a -t 10.96.0.13:080 -r 10.1.1.8:80 -m -w 1',
      '-A -t 10.96.0.14:80 -s Rr',
      '-A -t 10.96.0.15:80 -s rr -s wrr',
      '-a -t 10.96.0.15:80 -r 10.1.1.9:80 -m -w 2 -w 3',
      '-A -t 10.96.0.16:80 -s rr\r',
      '-a -t 10.96.0.16:80 -r 10.1.1.10:80 -m\r',
    ];
    for (const text of [edge.join('\n'), edge.join('\r\n'), `${edge.join('\n')}\r`]) {
      expect(everything(parseIpvsadm(text, { file: 'e' }))).toBe(everything(parseIpvsadmLineByLine(text, { file: 'e' })));
    }
  });

  it('serialises every field of a virtual service, in the order a plain object had them', () => {
    const vs = parseIpvsadm('-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 1\n', { file: 'x' }).virtualServices[0]!;
    const json = JSON.parse(JSON.stringify(vs)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['kind', 'protocol', 'family', 'vip', 'port', 'fwmark', 'scheduler', 'schedFlags', 'persistence', 'persistenceEngine', 'onePacket', 'realServers', 'unknownOptions', 'raw', 'rawLines', 'span']);
    expect(json).toMatchObject({ rawLines: ['-A -t 10.0.0.1:80 -s rr', '-a -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 1'], span: { end: { line: 2 } } });
    expect(vs.realServers).toBe(vs.realServers);
  });
});

describe('isPlainServerLine / plainServiceLine', () => {
  const svc: PlainService = { draft: {} as ServiceDraft, flag: 116, token: '10.96.0.10:80' };
  const plain = (line: string) => isPlainServerLine(line, 0, svc);

  it('takes the lines ipvsadm -Sn prints for kube-proxy', () => {
    expect(plain('-a -t 10.96.0.10:80 -r 10.128.0.10:8080 -m -w 1')).toBe(true);
    expect(plain('-a -t 10.96.0.10:80 -r 0.0.0.0:0 -g')).toBe(true);
    expect(plainServiceLine('-A -t 10.96.0.10:80 -s rr', 0)).toEqual({ protocol: 'tcp', token: '10.96.0.10:80', host: '10.96.0.10', port: 80, scheduler: 'rr' });
  });

  it('leaves everything else to the full reader', () => {
    for (const line of [
      '-a -t 10.96.0.10:80 -r 10.128.0.256:8080 -m -w 1',
      '-a -t 10.96.0.10:80 -r 10.128.0.01:8080 -m -w 1',
      '-a -t 10.96.0.10:80 -r 10.128.0.1:65536 -m -w 1',
      '-a -t 10.96.0.10:80 -r 10.128.0.1 -m -w 1',
      '-a -t 10.96.0.10:800 -r 10.128.0.1:80 -m -w 1',
      '-a -u 10.96.0.10:80 -r 10.128.0.1:80 -m -w 1',
      '-a -t 10.96.0.10:80 -r 10.128.0.1:80 -m -w 2147483648',
      '-a -t 10.96.0.10:80 -r 10.128.0.1:80 -m -w 1 ',
      '-a -t 10.96.0.10:80 -r 10.128.0.1:80 -m  -w 1',
      '-a -t 10.96.0.10:80 -r 10.128.0.1:80 -mx -w 1',
      '-a -t 10.96.0.10:80 -r 10.128.0.1:80 -m -x 5',
    ]) expect(plain(line), line).toBe(false);
    for (const line of ['-A -t 10.96.0.10:80 -s rr -p 10800', '-A -t 10.96.0.10:80', '-A -f 1 -s rr', '-A -t 10.96.0.10:80 -s r\u00a0r', '-A  -t 10.96.0.10:80 -s rr', '-A -t [fd00::1]:80 -s rr', '-A -t 10.96.0.10:80 -s rr ', '-A -t 10.96.0.1O:80 -s rr']) {
      expect(plainServiceLine(line, 0), line).toBeNull();
    }
  });
});
