import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIP, type IP } from '@svcpath/netaddr';
import { parseIpset } from './parse-ipset';
import { ipsetMatch, ipsetTest } from './ipset-match';
import type { IpSet } from './ipset-types';

/** Reads a fixture beside this file (tests may do I/O; package code does not). */
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const ip = (t: string): IP => parseIP(t)!;
const save = parseIpset(fixture('kube-proxy-ipset-save.txt'), { file: 'ipset-save.txt' });
const list = parseIpset(fixture('kube-proxy-ipset-list.txt'), { file: 'ipset-list.txt' });
const set = (name: string, r = save): IpSet => r.sets.find((s) => s.name === name)!;

/** Members in a form both dumps share. */
const comparable = (s: IpSet) => ({
  name: s.name,
  type: s.type,
  family: s.family,
  options: s.options,
  members: s.members.map((m) => ({ elements: m.elements, nomatch: m.nomatch, timeout: m.timeout, comment: m.comment })),
});

describe('parseIpset', () => {
  it('reads ipset save and ipset list of the same sets to the same result', () => {
    expect(save.format).toBe('save');
    expect(list.format).toBe('list');
    expect(save.diagnostics).toEqual([]);
    expect(list.diagnostics).toEqual([]);
    expect(list.sets.map(comparable)).toEqual(save.sets.map(comparable));
  });

  it('reads kube-proxy set types, family and options', () => {
    const c = set('KUBE-CLUSTER-IP');
    expect(c).toMatchObject({ type: 'hash:ip,port', method: 'hash', dimensions: ['ip', 'port'], family: 'inet' });
    expect(c.options).toMatchObject({ hashsize: '1024', maxelem: '65536', comment: true });
    expect(set('KUBE-NODE-PORT-TCP')).toMatchObject({ method: 'bitmap', dimensions: ['port'], options: { range: '0-65535', comment: true } });
    expect(set('KUBE-6-CLUSTER-IP').family).toBe('inet6');
  });

  it('parses members into typed tuples', () => {
    expect(set('KUBE-CLUSTER-IP').members[0]!.elements).toEqual([
      { kind: 'ip', ip: ip('10.96.0.1') },
      { kind: 'port', proto: 'tcp', port: 443, portEnd: 443 },
    ]);
    const lb = set('KUBE-LOAD-BALANCER-SOURCE-CIDR').members[1]!;
    expect(lb.elements[2]).toMatchObject({ kind: 'net', cidr: { text: '203.0.113.128/25' } });
    expect(lb.nomatch).toBe(true);
    expect(set('KUBE-NODE-PORT-TCP').members[0]!.elements).toEqual([{ kind: 'port', proto: null, port: 30080, portEnd: 30080 }]);
    expect(set('KUBE-6-CLUSTER-IP').members[0]!.elements[0]).toEqual({ kind: 'ip', ip: ip('fd00:10:96::1') });
  });

  it('reads comments with spaces, timeouts and nomatch', () => {
    const ips = set('KUBE-IPVS-IPS').members;
    expect(ips.map((m) => [m.comment, m.timeout])).toEqual([
      ['default/kubernetes:https', undefined],
      ['kube-system/kube-dns:dns', undefined],
      [undefined, 0],
    ]);
    expect(set('SVCPATH-EXCLUDE').members.map((m) => m.nomatch)).toEqual([false, true, false]);
  });

  it('reads ipset list block fields', () => {
    expect(set('KUBE-CLUSTER-IP', list)).toMatchObject({ revision: 6, references: 2, numberOfEntries: 6, sizeInMemory: 1112 });
    expect(set('KUBE-NODE-PORT-UDP', list).members).toEqual([]);
  });

  it('keeps bad lines as unparsed with line numbers, and never throws', () => {
    const r = parseIpset(
      ['create A hash:ip,port family inet', 'add A 10.0.0.1,tcp:99999', 'add B 10.0.0.1', 'frobnicate', 'add A 10.0.0.2,udp:53', 'create C hash:frob'].join('\n'),
      { file: 'bad' },
    );
    expect(r.diagnostics.map((d) => [d.code, d.span.start.line])).toEqual([
      ['IPSET_BAD_MEMBER', 2],
      ['IPSET_UNKNOWN_SET', 3],
      ['IPSET_UNKNOWN_LINE', 4],
      ['IPSET_UNKNOWN_TYPE', 6],
    ]);
    expect(r.unparsed.map((u) => u.raw)).toEqual(['add A 10.0.0.1,tcp:99999', 'add B 10.0.0.1', 'frobnicate']);
    expect(r.sets[0]!.members).toHaveLength(1);
    expect(r.sets[0]!.unparsedMembers).toHaveLength(1);
  });
});

describe('ipsetTest / ipsetMatch: set-type match semantics', () => {
  interface Case {
    name: string;
    /** Kernel source of the rule. */
    source: string;
    set: string;
    tuple: Parameters<typeof ipsetMatch>[1];
    expected: 'match' | 'no-match' | 'unknown';
  }
  const cases: Case[] = [
    { name: 'hash:ip,port exact tuple', source: 'ip_set_hash_ipport.c hash_ipport4_kadt', set: 'KUBE-CLUSTER-IP', tuple: { ip: ip('10.96.0.10'), proto: 'udp', port: 53 }, expected: 'match' },
    { name: 'hash:ip,port wrong protocol', source: 'ip_set_hash_ipport.c (proto is part of the key)', set: 'KUBE-CLUSTER-IP', tuple: { ip: ip('10.96.0.1'), proto: 'udp', port: 443 }, expected: 'no-match' },
    { name: 'hash:ip,port wrong port', source: 'ip_set_hash_ipport.c', set: 'KUBE-CLUSTER-IP', tuple: { ip: ip('10.96.0.1'), proto: 'tcp', port: 80 }, expected: 'no-match' },
    { name: 'hash:ip,port,ip hairpin (KUBE-LOOP-BACK)', source: 'ip_set_hash_ipportip.c', set: 'KUBE-LOOP-BACK', tuple: { ip: ip('10.244.1.5'), proto: 'tcp', port: 8080, ip2: ip('10.244.1.5') }, expected: 'match' },
    { name: 'hash:ip,port,ip other source', source: 'ip_set_hash_ipportip.c', set: 'KUBE-LOOP-BACK', tuple: { ip: ip('10.244.1.5'), proto: 'tcp', port: 8080, ip2: ip('10.244.1.6') }, expected: 'no-match' },
    { name: 'hash:ip,port,net source inside the allowed CIDR', source: 'ip_set_hash_ipportnet.c', set: 'KUBE-LOAD-BALANCER-SOURCE-CIDR', tuple: { ip: ip('172.18.255.200'), proto: 'tcp', port: 80, ip2: ip('203.0.113.9') }, expected: 'match' },
    { name: 'hash:ip,port,net: the longer nomatch /25 wins over the /24', source: 'ip_set_hash_gen.h mtype_test_cidrs; nomatch -> -ENOTEMPTY', set: 'KUBE-LOAD-BALANCER-SOURCE-CIDR', tuple: { ip: ip('172.18.255.200'), proto: 'tcp', port: 80, ip2: ip('203.0.113.200') }, expected: 'no-match' },
    { name: 'hash:net inside 10/8', source: 'ip_set_hash_net.c hash_net4_kadt', set: 'SVCPATH-EXCLUDE', tuple: { ip: ip('10.1.2.3') }, expected: 'match' },
    { name: 'hash:net nomatch /24 carves a hole', source: 'ip_set_hash_gen.h mtype_test_cidrs (longest prefix first)', set: 'SVCPATH-EXCLUDE', tuple: { ip: ip('10.244.5.9') }, expected: 'no-match' },
    { name: 'hash:net /32 inside the hole is back in the set', source: 'ip_set_hash_gen.h mtype_test_cidrs (a /32 is more specific than the nomatch /24)', set: 'SVCPATH-EXCLUDE', tuple: { ip: ip('10.244.5.7') }, expected: 'match' },
    { name: 'hash:net,port: nomatch subnet for the same port', source: 'ip_set_hash_netport.c', set: 'SVCPATH-NETPORT', tuple: { ip: ip('192.168.7.7'), proto: 'tcp', port: 22 }, expected: 'no-match' },
    { name: 'hash:net,port: rest of the /16', source: 'ip_set_hash_netport.c', set: 'SVCPATH-NETPORT', tuple: { ip: ip('192.168.8.7'), proto: 'tcp', port: 22 }, expected: 'match' },
    { name: 'bitmap:port NodePort', source: 'ip_set_bitmap_port.c bitmap_port_kadt', set: 'KUBE-NODE-PORT-TCP', tuple: { proto: 'tcp', port: 30080 }, expected: 'match' },
    { name: 'bitmap:port other port', source: 'ip_set_bitmap_port.c', set: 'KUBE-NODE-PORT-TCP', tuple: { proto: 'tcp', port: 30081 }, expected: 'no-match' },
    { name: 'hash:ip plain address', source: 'ip_set_hash_ip.c', set: 'KUBE-IPVS-IPS', tuple: { ip: ip('10.96.0.10') }, expected: 'match' },
    { name: 'hash:ip inet6 set does not hold an IPv4 address', source: 'ip_set_hash_ipport.c (family is part of the set)', set: 'KUBE-6-CLUSTER-IP', tuple: { ip: ip('10.96.0.1'), proto: 'tcp', port: 443 }, expected: 'no-match' },
    { name: 'missing port in tuple -> unknown, not a silent false', source: '(caller error)', set: 'KUBE-CLUSTER-IP', tuple: { ip: ip('10.96.0.1') }, expected: 'unknown' },
  ];
  it.each(cases)('$name [$source]', (c) => {
    const s = set(c.set);
    expect(ipsetMatch(s, c.tuple).kind).toBe(c.expected);
    expect(ipsetTest(s, c.tuple)).toBe(c.expected === 'match');
  });

  it('hash:ip with netmask compares network addresses', () => {
    const r = parseIpset('create N hash:ip family inet netmask 24\nadd N 10.1.2.0', { file: 'n' });
    expect(ipsetTest(r.sets[0]!, { ip: ip('10.1.2.77') })).toBe(true);
    expect(ipsetTest(r.sets[0]!, { ip: ip('10.1.3.1') })).toBe(false);
  });

  it('says unknown when unparsed members might match', () => {
    const r = parseIpset('create A hash:ip family inet\nadd A 10.0.0.999\nadd A 10.0.0.1', { file: 'u' });
    expect(ipsetMatch(r.sets[0]!, { ip: ip('10.0.0.2') }).kind).toBe('unknown');
    expect(ipsetMatch(r.sets[0]!, { ip: ip('10.0.0.1') }).kind).toBe('match');
  });
});
