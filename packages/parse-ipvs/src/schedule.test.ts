import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIP, type IP } from '@svcpath/netaddr';
import { parseIpvsadm } from './parse-ipvsadm';
import { scheduleNewConnection } from './schedule';
import { dhBuckets, shBuckets } from './sched-hash';
import { mhLookupTable } from './sched-mh';
import type { VirtualService } from './ipvs-types';
import type { NewConnection, ScheduleOptions, ScheduleOutcome } from './schedule-types';

/** Reads a fixture beside this file (tests may do I/O; package code does not). */
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const ip = (t: string): IP => parseIP(t)!;
/** One virtual service from -Ln text (service line + `-> addr fwd weight active inactive`). */
function vsOf(lines: string[]): VirtualService {
  const r = parseIpvsadm(lines.join('\n'), { file: 'case' });
  expect(r.diagnostics).toEqual([]);
  return r.virtualServices[0]!;
}
const rs = (addr: string, w: number, a: number, i: number, fwd = 'Masq') => `  -> ${addr} ${fwd} ${w} ${a} ${i}`;
/** Where each share goes, as `addr:port` → probability, for readable expectations. */
const sharesOf = (o: ScheduleOutcome) => Object.fromEntries(o.shares.map((s) => [`${s.address}:${s.port}`, s.probability]));
const chosenOf = (o: ScheduleOutcome) => (o.kind === 'chosen' ? `${o.realServer.address}:${o.realServer.port}` : o.kind);
const client: NewConnection = { client: ip('192.168.1.10'), clientPort: 40000 };
/** The kernel's hash_32(val, 8), written out independently of kernel-hash.ts. */
const hash32x8 = (v: number) => (Math.imul(v >>> 0, 0x61c88647) >>> 0) >>> 24;

interface Case {
  name: string;
  /** Which kernel function the rule comes from. */
  source: string;
  vs: string[];
  conn?: NewConnection;
  opts?: ScheduleOptions;
  expected: string | Record<string, number>;
  estimate?: boolean;
}

const cases: Case[] = [
  {
    name: 'rr: equal share over weight>0 servers; the weight-0 (terminating) one gets none',
    source: 'ip_vs_rr.c ip_vs_rr_schedule (skips weight 0 and IP_VS_DEST_F_OVERLOAD)',
    vs: ['TCP  10.101.23.45:80 rr', rs('10.244.1.5:8080', 1, 3, 41), rs('10.244.1.6:8080', 1, 2, 39), rs('10.244.2.7:8080', 0, 1, 12)],
    expected: { '10.244.1.5:8080': 0.5, '10.244.1.6:8080': 0.5 },
    estimate: false,
  },
  {
    name: 'wrr: share proportional to weight',
    source: 'ip_vs_wrr.c ip_vs_wrr_schedule (cw steps down by gcd; dest picked when weight >= cw)',
    vs: ['FWM  1 wrr', rs('10.244.1.70:0', 5, 1, 1), rs('10.244.1.71:0', 1, 0, 1)],
    expected: { '10.244.1.70:0': 5 / 6, '10.244.1.71:0': 1 / 6 },
    estimate: false,
  },
  {
    name: 'lc: overhead = active*256 + inactive, 2*256+0 < 1*256+300',
    source: 'ip_vs_lc.c ip_vs_lc_schedule; ip_vs.h ip_vs_dest_conn_overhead',
    vs: ['TCP  10.0.0.1:80 lc', rs('10.1.0.1:80', 1, 1, 300), rs('10.1.0.2:80', 1, 2, 0)],
    expected: '10.1.0.2:80',
  },
  {
    name: 'lc: ties go to the first server in list order (strict <)',
    source: 'ip_vs_lc.c ip_vs_lc_schedule: `if (!least || doh < loh)`',
    vs: ['TCP  10.0.0.1:80 lc', rs('10.1.0.1:80', 1, 1, 5), rs('10.1.0.2:80', 9, 1, 5)],
    expected: '10.1.0.1:80',
  },
  {
    name: 'lc: a weight-0 server with no connections is still skipped',
    source: 'ip_vs_lc.c ip_vs_lc_schedule: `atomic_read(&dest->weight) == 0` continue',
    vs: ['TCP  10.0.0.1:80 lc', rs('10.1.0.1:80', 0, 0, 0), rs('10.1.0.2:80', 1, 40, 0)],
    expected: '10.1.0.2:80',
  },
  {
    name: 'wlc: (10*256+100)/3 = 886.7 loses to (3*256+0)/1 = 768',
    source: 'ip_vs_wlc.c ip_vs_wlc_schedule: `loh * w(dest) > doh * w(least)`',
    vs: ['TCP  10.0.0.1:80 wlc', rs('10.1.0.1:80', 3, 10, 100), rs('10.1.0.2:80', 1, 3, 0)],
    expected: '10.1.0.2:80',
  },
  {
    name: 'wlc without counts (-Sn dump): depends on live load, weight-proportional ESTIMATE',
    source: 'ip_vs_wlc.c ip_vs_wlc_schedule (needs activeconns/inactconns)',
    vs: ['-A -t 10.0.0.1:80 -s wlc', '-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 3', '-a -t 10.0.0.1:80 -r 10.1.0.2:80 -m -w 1'],
    expected: { '10.1.0.1:80': 0.75, '10.1.0.2:80': 0.25 },
    estimate: true,
  },
  {
    name: 'sed: (3+1)/2 ties (1+1)/1, first in list wins',
    source: 'ip_vs_sed.c ip_vs_sed_schedule: overhead activeconns + 1, strict >',
    vs: ['TCP  10.0.0.1:80 sed', rs('10.1.0.1:80', 2, 3, 50), rs('10.1.0.2:80', 1, 1, 0)],
    expected: '10.1.0.1:80',
  },
  {
    name: 'sed picks the faster busy server where nq picks the idle one',
    source: 'ip_vs_sed.c ip_vs_sed_schedule: (2+1)/4 < (0+1)/1',
    vs: ['TCP  10.0.0.1:80 sed', rs('10.1.0.1:80', 4, 2, 0), rs('10.1.0.2:80', 1, 0, 0)],
    expected: '10.1.0.1:80',
  },
  {
    name: 'nq: an idle server (0 active) is taken at once',
    source: 'ip_vs_nq.c ip_vs_nq_schedule: `if (atomic_read(&dest->activeconns) == 0) goto out`',
    vs: ['TCP  10.0.0.1:80 nq', rs('10.1.0.1:80', 4, 2, 0), rs('10.1.0.2:80', 1, 0, 0)],
    expected: '10.1.0.2:80',
  },
  {
    name: 'nq: no idle server, falls back to the sed rule',
    source: 'ip_vs_nq.c ip_vs_nq_schedule',
    vs: ['TCP  10.0.0.1:80 nq', rs('10.1.0.1:80', 1, 3, 0), rs('10.1.0.2:80', 4, 5, 0)],
    expected: '10.1.0.2:80',
  },
  {
    name: 'no real servers: dropped with ICMP port unreachable',
    source: 'ip_vs_core.c ip_vs_leave: icmp_send(ICMP_DEST_UNREACH, ICMP_PORT_UNREACH), NF_DROP',
    vs: ['TCP  10.102.0.50:80 rr'],
    expected: 'no-destination',
  },
  {
    name: 'only weight-0 servers: dropped, nothing gets the new connection',
    source: 'ip_vs_rr.c ip_vs_rr_schedule returns NULL; ip_vs_core.c ip_vs_leave',
    vs: ['TCP  10.0.0.1:80 rr', rs('10.1.0.1:80', 0, 4, 0)],
    expected: 'no-destination',
  },
  {
    name: 'unmodelled scheduler (lblc): weight-proportional ESTIMATE',
    source: 'ip_vs_lblc.c (state-dependent; not modelled)',
    vs: ['TCP  10.0.0.1:80 lblc', rs('10.1.0.1:80', 1, 0, 0), rs('10.1.0.2:80', 3, 0, 0)],
    expected: { '10.1.0.1:80': 0.25, '10.1.0.2:80': 0.75 },
    estimate: true,
  },
];

describe('scheduleNewConnection: named cases', () => {
  it.each(cases)('$name [$source]', (c) => {
    const o = scheduleNewConnection(vsOf(c.vs), c.conn ?? client, c.opts);
    if (typeof c.expected === 'string') expect(chosenOf(o)).toBe(c.expected);
    else {
      const got = sharesOf(o);
      expect(Object.keys(got).sort()).toEqual(Object.keys(c.expected).sort());
      for (const [k, p] of Object.entries(c.expected)) expect(got[k]).toBeCloseTo(p, 12);
    }
    if (c.estimate !== undefined) expect(o.estimate).toBe(c.estimate);
    expect(o.basis.length).toBeGreaterThan(10);
    expect(o.source).toMatch(/net\/netfilter\/ipvs\/ip_vs_/);
  });

  it('says ESTIMATE in plain words when the answer depends on live load', () => {
    const o = scheduleNewConnection(vsOf(cases[6]!.vs), client);
    expect(o.basis).toMatch(/depends on live load; ESTIMATE/);
  });
});

describe('overload thresholds', () => {
  // No single ipvsadm listing shows weight, -x and counts together: combine -Sn with -Ln counts.
  const base = vsOf(['-A -t 10.0.0.1:80 -s wlc', '-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 1 -x 10 -y 5', '-a -t 10.0.0.1:80 -r 10.1.0.2:80 -m -w 1']);
  const withCounts = (counts: [number, number][]): VirtualService => ({
    ...base,
    realServers: base.realServers.map((r, i) => ({ ...r, activeConns: counts[i]![0], inactiveConns: counts[i]![1] })),
  });
  // ip_vs_conn.c ip_vs_bind_dest: totalconns >= u_threshold sets IP_VS_DEST_F_OVERLOAD, which
  // ip_vs_wlc_schedule skips.
  it('skips a server at its -x upper threshold even though it would win on load', () => {
    expect(chosenOf(scheduleNewConnection(withCounts([[0, 10], [30, 0]]), client))).toBe('10.1.0.2:80');
  });
  // ip_vs_unbind_dest clears the flag only below -y: between the two it depends on history.
  it('between -y and -x the flag depends on history: assumed clear, and said so', () => {
    const o = scheduleNewConnection(withCounts([[0, 7], [30, 0]]), client);
    expect(chosenOf(o)).toBe('10.1.0.1:80');
    expect(o.basis).toMatch(/assumed not overloaded/);
  });
});

describe('sh (source hashing), as ip_vs_sh.c', () => {
  const sh = vsOf(['TCP  10.96.50.1:443 sh', rs('10.244.1.20:8443', 2, 0, 0), rs('10.244.1.21:8443', 1, 0, 0), rs('10.244.1.22:8443', 0, 0, 0)]);
  const withFlags = (flags: string) => vsOf([`TCP  10.96.50.1:443 sh (${flags})`, rs('10.244.1.20:8443', 2, 0, 0), rs('10.244.1.21:8443', 1, 0, 0), rs('10.244.1.22:8443', 0, 0, 0)]);

  // ip_vs_sh_reassign: `if (++d_count >= atomic_read(&dest->weight))` — weight 2 fills two
  // buckets, weight 1 one, and weight 0 still one (1 >= 0), cycling over the 256 buckets.
  it('fills 256 buckets by weight, giving even a weight-0 server one bucket per turn', () => {
    const b = shBuckets(sh);
    expect(b).toHaveLength(256);
    expect(b.slice(0, 8)).toEqual([0, 0, 1, 2, 0, 0, 1, 2]);
    expect(b.filter((x) => x === 2)).toHaveLength(64);
  });

  // ip_vs_sh_hashkey (kernel >= 4.18): hash_32(ntohs(port) + ntohl(addr_fold), 8).
  it('picks the bucket hash_32(client address) selects', () => {
    const h = hash32x8(0xc0a8010a); // 192.168.1.10
    const expected = [0, 0, 1, 2][h % 4]!;
    const o = scheduleNewConnection(sh, { client: ip('192.168.1.10') });
    expect(o.kind === 'no-destination' ? 2 : o.shares[0]!.index).toBe(expected);
  });

  // Kernels before commit 9a17740e0ea1 (4.18): (x * 2654435761UL) & IP_VS_SH_TAB_MASK.
  it('can use the pre-4.18 multiplicative hash', () => {
    const h = Number((0xc0a8010an * 2654435761n) & 255n);
    const o = scheduleNewConnection(sh, { client: ip('192.168.1.10') }, { kernelHash: 'legacy' });
    const idx = [0, 0, 1, 2][h % 4]!;
    if (idx === 2) expect(o.kind).toBe('no-destination');
    else expect(o.shares[0]!.index).toBe(idx);
  });

  // ip_vs_sh_get: `return (!dest || is_unavailable(dest)) ? NULL : dest;` without sh-fallback.
  it('drops a client hashed onto the weight-0 server unless sh-fallback is set', () => {
    const victim = Array.from({ length: 256 }, (_, k) => `10.9.0.${k}`).find((a) => hash32x8(ip(a).family === 4 ? (ip(a) as { value: number }).value : 0) % 4 === 3)!;
    const plain = scheduleNewConnection(sh, { client: ip(victim) });
    expect(plain.kind).toBe('no-destination');
    // ip_vs_sh_get_fallback: probe (roffset + hash) buckets until an available server.
    const fb = scheduleNewConnection(withFlags('sh-fallback'), { client: ip(victim) });
    expect(fb.kind).toBe('chosen');
    expect(fb.shares[0]!.index).not.toBe(2);
    expect(fb.basis).toMatch(/sh-fallback probed/);
  });

  // ip_vs_sh_schedule: `if (svc->flags & IP_VS_SVC_F_SCHED_SH_PORT) port = ip_vs_sh_get_port(...)`.
  it('hashes the source port only with sh-port', () => {
    const v = withFlags('sh-port');
    const picks = new Set(Array.from({ length: 16 }, (_, p) => chosenOf(scheduleNewConnection(v, { client: ip('192.168.1.10'), clientPort: 40000 + p }))));
    expect(picks.size).toBeGreaterThan(1);
    const noPort = new Set(Array.from({ length: 16 }, (_, p) => chosenOf(scheduleNewConnection(sh, { client: ip('192.168.1.10'), clientPort: 40000 + p }))));
    expect(noPort.size).toBe(1);
    // hash_32(port + addr): port 40001 with address 192.168.1.10
    const h = hash32x8(0xc0a8010a + 40001);
    const o = scheduleNewConnection(v, { client: ip('192.168.1.10'), clientPort: 40001 });
    if ([0, 0, 1, 2][h % 4] !== 2) expect(o.shares[0]!.index).toBe([0, 0, 1, 2][h % 4]);
  });
});

describe('dh (destination hashing), as ip_vs_dh.c', () => {
  const dh = vsOf(['FWM  7 dh', rs('10.1.0.1:0', 5, 0, 0), rs('10.1.0.2:0', 1, 0, 0), rs('10.1.0.3:0', 1, 0, 0)]);
  // ip_vs_dh_reassign: one bucket per dest in turn, weights ignored.
  it('assigns buckets round-robin regardless of weight', () => {
    expect(dhBuckets(dh).slice(0, 6)).toEqual([0, 1, 2, 0, 1, 2]);
  });
  // ip_vs_dh_hashkey: hash_32(ntohl(addr_fold), IP_VS_DH_TAB_BITS) of the packet destination.
  it('hashes the packet destination, not the client', () => {
    const h = hash32x8(0x0a630001); // 10.99.0.1
    const o = scheduleNewConnection(dh, { client: ip('1.2.3.4'), destination: ip('10.99.0.1') });
    expect(o.shares[0]!.index).toBe(h % 3);
    const o2 = scheduleNewConnection(dh, { client: ip('5.6.7.8'), destination: ip('10.99.0.1') });
    expect(chosenOf(o2)).toBe(chosenOf(o));
  });
});

describe('mh (Maglev hashing), as ip_vs_mh.c', () => {
  const two = vsOf(['TCP  10.96.50.2:80 mh', rs('10.244.1.30:80', 1, 0, 0), rs('10.244.1.31:80', 1, 0, 0)]);
  // ip_vs_mh_populate: servers take slots in turn (turns = weight/gcd), so equal weights split the
  // 4093-slot table (primes[CONFIG_IP_VS_MH_TAB_INDEX - 8], default index 12) 2047/2046.
  it('populates the default 4093-slot table in proportion to weight', () => {
    const t = mhLookupTable(two, 4093, [1, 1]);
    expect(t.filter((x) => x === 0)).toHaveLength(2047);
    expect(t.filter((x) => x === 1)).toHaveLength(2046);
    const t2 = mhLookupTable(two, 4093, [2, 1]);
    expect(t2.filter((x) => x === 0)).toHaveLength(2729);
  });

  // generate_hash_secret(): fixed keys 2654435761 / 2654446892, so the choice is the same on
  // every boot and computable offline.
  it('is deterministic: the same client always gets the same server', () => {
    const a = scheduleNewConnection(two, { client: ip('203.0.113.7') });
    const b = scheduleNewConnection(two, { client: ip('203.0.113.7') });
    expect(a.kind).toBe('chosen');
    expect(b).toEqual(a);
    const picks = new Set(Array.from({ length: 32 }, (_, k) => chosenOf(scheduleNewConnection(two, { client: ip(`203.0.113.${k}`) }))));
    expect(picks.size).toBe(2);
  });

  // ip_vs_mh_get: unavailable dest -> NULL; ip_vs_mh_get_fallback probes on.
  it('a weight-0 server keeps its slots (last_weight) but gets no new connections', () => {
    const q = vsOf(['TCP  10.96.50.2:80 mh', rs('10.244.1.30:80', 1, 0, 0), rs('10.244.1.31:80', 0, 0, 0)]);
    const qf = vsOf(['TCP  10.96.50.2:80 mh (mh-fallback)', rs('10.244.1.30:80', 1, 0, 0), rs('10.244.1.31:80', 0, 0, 0)]);
    const table = mhLookupTable(q, 4093, [1, 1]);
    expect(table.filter((x) => x === 1)).toHaveLength(2046);
    const outcomes = Array.from({ length: 40 }, (_, k) => scheduleNewConnection(q, { client: ip(`198.51.100.${k}`) }));
    expect(outcomes.some((o) => o.kind === 'no-destination')).toBe(true);
    expect(outcomes.every((o) => o.kind === 'no-destination' || o.shares[0]!.index === 0)).toBe(true);
    const fb = Array.from({ length: 40 }, (_, k) => scheduleNewConnection(qf, { client: ip(`198.51.100.${k}`) }));
    expect(fb.every((o) => o.kind === 'chosen' && o.shares[0]!.index === 0)).toBe(true);
  });
});

describe('kube-proxy fixture end to end', () => {
  const r = parseIpvsadm(fixture('kube-proxy-ipvsadm-Ln.txt'), { file: 'Ln' });
  it('the web ClusterIP splits new connections evenly over its two serving endpoints', () => {
    const web = r.virtualServices.find((v) => v.vip?.text === '10.101.23.45')!;
    const o = scheduleNewConnection(web, client);
    expect(sharesOf(o)).toEqual({ '10.244.1.5:8080': 0.5, '10.244.1.6:8080': 0.5 });
    expect(o.basis).toMatch(/1 weight-0 server\(s\) get no new connections/);
  });
  it('a service without endpoints rejects', () => {
    const empty = r.virtualServices.find((v) => v.vip?.text === '10.102.0.50')!;
    expect(scheduleNewConnection(empty, client)).toMatchObject({ kind: 'no-destination', kernelAction: 'drop-icmp-port-unreachable' });
  });
});
