import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exactMemberKeys, exactMemberTest } from './ipset-exact';
import type { IpsetParseResult } from './ipset-types';
import { parseIpset, parseIpsetLineByLine } from './parse-ipset';
import { isPlainIpPortMember } from './plain-ipset-member';

/**
 * hash:ip,port members checked in place and read when first asked for: the results must be the
 * full reader's. Fixtures beside this file; the large dump is generated here in kube-proxy's
 * `ipset save` form (the KUBE-CLUSTER-IP shape scripts/bench/dumps.ts writes).
 */
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const everything = (r: IpsetParseResult): string => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

function generated(members: number): string[] {
  const lines = ['create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 262144', 'create KUBE-LOOP-BACK hash:ip,port,ip family inet'];
  for (let i = 0; i < members; i++) lines.push(`add KUBE-CLUSTER-IP 10.96.${i >> 8}.${i & 255},${i % 5 === 0 ? 'udp' : 'tcp'}:${i % 7 === 0 ? 53 : 80}`);
  lines.push('add KUBE-LOOP-BACK 10.244.1.5,tcp:8080,10.244.1.5');
  return lines;
}

describe('parseIpset: members checked in place', () => {
  it("gives the full reader's result for every fixture", () => {
    for (const name of ['kube-proxy-ipset-save.txt', 'kube-proxy-ipset-list.txt']) {
      const text = fixture(name);
      expect(everything(parseIpset(text, { file: name })), name).toBe(everything(parseIpsetLineByLine(text, { file: name })));
    }
  });

  it('reports a bad member deep in a large dump with its file and line, and reads the rest the same', () => {
    const lines = generated(8000);
    lines[6000] = 'add KUBE-CLUSTER-IP 10.96.0.300,tcp:80';
    lines[6001] = `${lines[6001]!} timeout 30`;
    lines[6002] = 'add KUBE-CLUSTER-IP 10.96.0.3,tcp:99999';
    lines[7000] = 'add KUBE-NOPE 10.96.0.3,tcp:80';
    lines.push('');
    for (const text of [lines.join('\n'), lines.join('\r\n')]) {
      const r = parseIpset(text, { file: 'node-1/ipset-save.txt' });
      expect(r.diagnostics.map((d) => [d.code, d.span.file, d.span.start.line])).toEqual([
        ['IPSET_BAD_MEMBER', 'node-1/ipset-save.txt', 6001],
        ['IPSET_BAD_MEMBER', 'node-1/ipset-save.txt', 6003],
        ['IPSET_UNKNOWN_SET', 'node-1/ipset-save.txt', 7001],
      ]);
      expect(everything(r)).toBe(everything(parseIpsetLineByLine(text, { file: 'node-1/ipset-save.txt' })));
    }
  });

  it('gives the same exact keys from pending members as from members read into objects', () => {
    const text = generated(3000).join('\n');
    for (const name of ['KUBE-CLUSTER-IP', 'KUBE-LOOP-BACK']) {
      const pending = parseIpset(text, { file: 'x' }).sets.find((s) => s.name === name)!;
      const read = parseIpsetLineByLine(text, { file: 'x' }).sets.find((s) => s.name === name)!;
      const keys = exactMemberKeys(pending);
      expect(keys).not.toBeNull();
      expect([...keys!].sort()).toEqual([...exactMemberKeys(read)!].sort());
    }
    const mixed = parseIpset('create A hash:ip,port\nadd A 1.2.3.4,tcp:80 comment "x"\nadd A 1.2.3.5,udp:53\n', { file: 'm' }).sets[0]!;
    expect([...exactMemberKeys(mixed)!]).toEqual(['1.2.3.4|tcp|80|', '1.2.3.5|udp|53|']);
  });
});

describe('exactMemberTest', () => {
  it('answers the same reading pending members in place as from the hashed keys', () => {
    const text = generated(500).join('\n');
    const read = parseIpsetLineByLine(text, { file: 'x' }).sets[0]!;
    const keys = [...exactMemberKeys(read)!];
    const asked = [...keys.slice(0, 40), ...keys.map((k) => k.replace('|tcp|', '|udp|')).slice(0, 40), '10.96.0.1|tcp|80|10.0.0.1', 'fd00::1|tcp|80|', '10.96.0.1|tcp|80'];
    const expected = asked.map((k) => keys.includes(k));
    const pending = exactMemberTest(parseIpset(text, { file: 'x' }).sets[0]!)!;
    expect(asked.map(pending)).toEqual(expected); // the first 32 read in place, the rest hashed
    expect(asked.map(pending)).toEqual(expected);
    expect(asked.map(exactMemberTest(read)!)).toEqual(expected);
    expect(exactMemberTest(parseIpset('create N hash:net\nadd N 10.0.0.0/8', { file: 'n' }).sets[0]!)).toBeNull();
  });
});

describe('isPlainIpPortMember', () => {
  const plain = (line: string) => isPlainIpPortMember(line, 0, line.length, 'add KUBE-CLUSTER-IP ');
  it('takes kube-proxy member lines and nothing the full reader would read otherwise', () => {
    expect(plain('add KUBE-CLUSTER-IP 10.96.0.10,tcp:80')).toBe(true);
    expect(plain('add KUBE-CLUSTER-IP 10.96.0.10,sctp:3868')).toBe(true);
    for (const line of [
      'add KUBE-CLUSTER-IP 10.96.0.10,TCP:80',
      'add KUBE-CLUSTER-IP 10.96.0.10,tcp:080',
      'add KUBE-CLUSTER-IP 10.96.0.10,tcp:80-81',
      'add KUBE-CLUSTER-IP 10.96.0.10,80',
      'add KUBE-CLUSTER-IP 10.96.0.10,tcp:80 timeout 5',
      'add KUBE-CLUSTER-IP 10.96.0.010,tcp:80',
      'add KUBE-CLUSTER-IP 10.96.0.0/24,tcp:80',
      'add KUBE-CLUSTER-IPX 10.96.0.10,tcp:80',
    ]) expect(plain(line), line).toBe(false);
  });
});
