import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIpvsadm } from './parse-ipvsadm';
import type { VirtualService } from './ipvs-types';

/** Reads a fixture beside this file (tests may do I/O; package code does not). */
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** What both -Sn and -Ln say about a service (no spans, raw text, counters). */
function comparable(vs: VirtualService) {
  return {
    protocol: vs.protocol,
    family: vs.family,
    vip: vs.vip?.text ?? null,
    port: vs.port,
    fwmark: vs.fwmark,
    scheduler: vs.scheduler,
    schedFlags: vs.schedFlags,
    persistence: vs.persistence,
    persistenceEngine: vs.persistenceEngine,
    onePacket: vs.onePacket,
    realServers: vs.realServers.map((rs) => ({ address: rs.address.text, port: rs.port, forward: rs.forward, weight: rs.weight })),
  };
}

describe('parseIpvsadm: ipvsadm -Sn (save form)', () => {
  const r = parseIpvsadm(fixture('kube-proxy-ipvsadm-Sn.txt'), { file: 'kube-proxy-ipvsadm-Sn.txt' });

  it('reads every kube-proxy virtual service with no diagnostics', () => {
    expect(r.format).toBe('save');
    expect(r.diagnostics).toEqual([]);
    expect(r.unparsed).toEqual([]);
    expect(r.virtualServices).toHaveLength(11);
  });

  it('reads the kubernetes ClusterIP 10.96.0.1:443 with its masq real server', () => {
    const api = r.virtualServices[0]!;
    expect(comparable(api)).toMatchObject({ protocol: 'tcp', vip: '10.96.0.1', port: 443, scheduler: 'rr', persistence: null });
    expect(api.realServers[0]).toMatchObject({ port: 6443, forward: 'masq', weight: 1 });
    expect(api.realServers[0]!.address.text).toBe('192.168.49.2');
    expect(api.span.start.line).toBe(1);
    expect(api.span.end.line).toBe(2);
    expect(api.rawLines).toEqual(['-A -t 10.96.0.1:443 -s rr', '-a -t 10.96.0.1:443 -r 192.168.49.2:6443 -m -w 1']);
  });

  it('reads kube-dns over udp and tcp as two services', () => {
    const dns = r.virtualServices.filter((v) => v.vip?.text === '10.96.0.10' && v.port === 53);
    expect(dns.map((v) => v.protocol).sort()).toEqual(['tcp', 'udp']);
  });

  it('reads ClientIP affinity as persistence with a /32 granularity', () => {
    const aff = r.virtualServices.find((v) => v.vip?.text === '10.108.7.7')!;
    expect(aff.persistence).toEqual({ timeout: 10800, netmask: '255.255.255.255', prefix: 32 });
  });

  it('keeps a weight-0 (terminating) real server', () => {
    const web = r.virtualServices.find((v) => v.vip?.text === '10.101.23.45')!;
    expect(web.realServers.map((s) => s.weight)).toEqual([1, 1, 0]);
  });

  it('keeps a service with no real servers', () => {
    expect(r.virtualServices.find((v) => v.vip?.text === '10.102.0.50')!.realServers).toEqual([]);
  });

  it('reads IPv6 [addr]:port', () => {
    const v6 = r.virtualServices.find((v) => v.family === 6)!;
    expect(v6.vip!.text).toBe('fd00:10:96::1');
    expect(v6.realServers[0]!.address.text).toBe('fc00:f853:ccd:e793::2');
  });
});

describe('parseIpvsadm: every option form (features fixture)', () => {
  const save = parseIpvsadm(fixture('features-ipvsadm-Sn.txt'), { file: 'f-Sn' });
  const list = parseIpvsadm(fixture('features-ipvsadm-Ln.txt'), { file: 'f-Ln' });
  const byPort = (p: number) => save.virtualServices.find((v) => v.port === p)!;
  const byVip = (ip: string) => save.virtualServices.find((v) => v.vip?.text === ip)!;

  it('has no diagnostics in either form', () => {
    expect(save.diagnostics).toEqual([]);
    expect(list.diagnostics).toEqual([]);
  });

  it('reads -b sh-fallback,sh-port', () => {
    expect(byPort(443).schedFlags).toEqual({ names: ['sh-fallback', 'sh-port'], fallback: true, port: true, flag3: false });
  });

  it('reads -p 600 -M 255.255.255.0 as a /24 granularity', () => {
    expect(byVip('10.96.50.3').persistence).toEqual({ timeout: 600, netmask: '255.255.255.0', prefix: 24 });
  });

  it('reads -x/-y thresholds and the three forwarding methods', () => {
    const rs = byVip('10.96.50.3').realServers;
    expect(rs.map((s) => s.forward)).toEqual(['masq', 'route', 'tunnel']);
    expect(rs[0]).toMatchObject({ weight: 3, upperThreshold: 500, lowerThreshold: 400 });
    expect(rs[2]!.tunnel).toEqual({ type: 'ipip' });
  });

  it('reads --pe sip and one-packet scheduling on udp', () => {
    expect(byPort(5060)).toMatchObject({ protocol: 'udp', persistenceEngine: 'sip', onePacket: true });
  });

  it('reads --sctp-service', () => {
    expect(byPort(3868).protocol).toBe('sctp');
  });

  it('reads fwmark services, IPv4 and IPv6', () => {
    const fw = save.virtualServices.filter((v) => v.fwmark !== null);
    expect(fw.map((v) => [v.fwmark, v.family, v.protocol, v.vip])).toEqual([
      [1, 4, null, null],
      [2, 6, null, null],
    ]);
  });

  it('reads an IPv6 -M prefix length', () => {
    expect(byPort(8080).persistence).toEqual({ timeout: 3600, netmask: '64', prefix: 64 });
  });

  it('gives the same virtual services from -Sn and -Ln', () => {
    expect(list.virtualServices.map(comparable)).toEqual(save.virtualServices.map(comparable));
  });
});

describe('parseIpvsadm: ipvsadm -Ln (list form) and its column variants', () => {
  const save = parseIpvsadm(fixture('kube-proxy-ipvsadm-Sn.txt'), { file: 'Sn' });
  const list = parseIpvsadm(fixture('kube-proxy-ipvsadm-Ln.txt'), { file: 'Ln' });

  it('reads the header and the plain columns', () => {
    expect(list.format).toBe('list');
    expect(list.listVariant).toBe('plain');
    expect(list.version).toEqual({ text: '1.2.1', tableSize: 4096 });
    expect(list.diagnostics).toEqual([]);
  });

  it('gives the same virtual services as -Sn of the same table', () => {
    expect(list.virtualServices.map(comparable)).toEqual(save.virtualServices.map(comparable));
  });

  it('reads ActiveConn / InActConn', () => {
    const web = list.virtualServices.find((v) => v.vip?.text === '10.101.23.45')!;
    expect(web.realServers.map((s) => [s.activeConns, s.inactiveConns])).toEqual([
      [3, 41],
      [2, 39],
      [1, 12],
    ]);
  });

  it('reads --stats, including print_largenum K/M/G/T suffixes as approximate lower bounds', () => {
    const st = parseIpvsadm(fixture('kube-proxy-ipvsadm-Ln-stats.txt'), { file: 'stats' });
    expect(st.listVariant).toBe('stats');
    expect(st.virtualServices).toHaveLength(11);
    expect(st.virtualServices[0]!.stats).toEqual({
      conns: 123456000,
      inPkts: 2345000000,
      outPkts: 1999000000,
      inBytes: 987000000000,
      outBytes: 1234000000000000,
      approximate: true,
    });
    const web = st.virtualServices.find((v) => v.vip?.text === '10.101.23.45')!;
    expect(web.realServers[0]!.stats).toEqual({ conns: 161, inPkts: 2712, outPkts: 2109, inBytes: 245262, outBytes: 7038014, approximate: false });
    // --stats prints no weight: said once, and each server says what was assumed.
    expect(st.diagnostics.map((d) => d.code)).toEqual(['IPVS_COLUMNS_MISSING']);
    expect(web.realServers[0]!.assumed).toEqual(['weight', 'forward']);
  });

  it('reads --rate', () => {
    const rt = parseIpvsadm(fixture('kube-proxy-ipvsadm-Ln-rate.txt'), { file: 'rate' });
    expect(rt.listVariant).toBe('rate');
    expect(rt.virtualServices[0]!.rate).toEqual({ cps: 1, inPps: 42, outPps: 28, inBps: 5740, outBps: 127400, approximate: false });
  });

  it('reads --exact numbers (no suffix) and --thresholds / --persistent-conn columns', () => {
    const text = [
      'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes',
      '  -> RemoteAddress:Port',
      'TCP  10.96.0.1:443                 123456789 2345678901 1999999999 987654321098 1234567890123456',
      '  -> 192.168.49.2:6443             123456789 2345678901 1999999999 987654321098 1234567890123456',
      'Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn ',
      '  -> RemoteAddress:Port',
      'TCP  10.96.50.3:80 wlc persistent 600 mask 255.255.255.0',
      '  -> 10.244.1.40:80                500        400        10         100       ',
      'Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn ',
      '  -> RemoteAddress:Port',
      'TCP  10.108.7.7:8080 rr persistent 10800',
      '  -> 10.244.1.8:8080               1         3           5          2         ',
    ].join('\n');
    const r = parseIpvsadm(text, { file: 'variants' });
    const [exact, thr, pc] = r.virtualServices;
    expect(exact!.stats).toMatchObject({ conns: 123456789, outBytes: 1234567890123456, approximate: false });
    expect(thr!.realServers[0]).toMatchObject({ upperThreshold: 500, lowerThreshold: 400, activeConns: 10, inactiveConns: 100 });
    expect(pc!.realServers[0]).toMatchObject({ weight: 1, persistConns: 3, activeConns: 5, inactiveConns: 2 });
  });

  it('reads FWM and sched-flag service lines', () => {
    const r = parseIpvsadm(fixture('features-ipvsadm-Ln.txt'), { file: 'f' });
    expect(r.virtualServices.find((v) => v.fwmark === 2)).toMatchObject({ family: 6, scheduler: 'dh' });
    expect(r.virtualServices[0]!.raw).toBe('TCP  10.96.50.1:443 sh (sh-fallback,sh-port)');
  });
});

describe('parseIpvsadm: messy input', () => {
  const r = parseIpvsadm(fixture('messy-ipvsadm.txt'), { file: 'messy-ipvsadm.txt' });
  const at = (code: string) => r.diagnostics.filter((d) => d.code === code).map((d) => d.span.start.line);

  it('never throws and keeps every bad line as unparsed with its line number', () => {
    expect(at('IPVS_ORPHAN_REAL_SERVER')).toEqual([4, 13]);
    expect(at('IPVS_BAD_ADDRESS')).toEqual([7, 8]);
    expect(at('IPVS_UNKNOWN_LINE')).toEqual([9]);
    expect(at('IPVS_BAD_NUMBER')).toEqual([11]);
    expect(r.unparsed.map((u) => u.span.start.line)).toEqual([4, 7, 8, 9, 11, 13]);
    expect(r.unparsed[3]!.raw).toBe('garbage that is not ipvsadm output');
  });

  it('keeps unknown service flags on the service, with a warning', () => {
    const dns = r.virtualServices.find((v) => v.port === 53)!;
    expect(dns.unknownOptions).toEqual(['frobnicate']);
    expect(at('IPVS_UNKNOWN_OPTION')).toEqual([10]);
    expect(dns.realServers).toHaveLength(1);
  });

  it('still reads the good services around the bad lines', () => {
    expect(r.virtualServices.map((v) => v.vip?.text)).toEqual(['10.96.0.1', '10.96.0.10']);
    expect(r.virtualServices[0]!.realServers).toHaveLength(1);
  });

  it('reports columns of a diagnostic from the span', () => {
    const d = r.diagnostics.find((x) => x.code === 'IPVS_UNKNOWN_LINE')!;
    expect(d.span.start).toMatchObject({ line: 9, column: 1 });
    expect(d.span.end.column).toBe('garbage that is not ipvsadm output'.length + 1);
  });

  it('reads an unknown -Sn option as a warning and keeps it', () => {
    const s = parseIpvsadm('-A -t 10.0.0.1:80 -s rr --frob\n-a -t 10.0.0.1:80 -r 10.0.0.2 -m', { file: 'x' });
    expect(s.virtualServices[0]!.unknownOptions).toEqual(['--frob']);
    expect(s.virtualServices[0]!.realServers[0]).toMatchObject({ port: 80, weight: 1, forward: 'masq' });
    expect(s.diagnostics.map((d) => [d.code, d.severity])).toEqual([['IPVS_UNKNOWN_OPTION', 'warning']]);
  });

  // ipvsadm 1.26 print_service_entry wrote one-packet scheduling as a bare " ops" in -S output.
  it('reads the bare "ops" of older ipvsadm -S output', () => {
    const s = parseIpvsadm('-A -u 10.0.0.1:53 -s rr ops', { file: 'o' });
    expect(s.virtualServices[0]!.onePacket).toBe(true);
    expect(s.diagnostics).toEqual([]);
  });

  it('accepts empty input and CRLF line ends', () => {
    expect(parseIpvsadm('', { file: 'e' })).toMatchObject({ format: 'empty', virtualServices: [], diagnostics: [] });
    const crlf = parseIpvsadm('-A -t 10.0.0.1:80 -s rr -p\r\n', { file: 'c' });
    expect(crlf.virtualServices[0]!.persistence).toEqual({ timeout: 300, netmask: '255.255.255.255', prefix: 32 });
  });
});
