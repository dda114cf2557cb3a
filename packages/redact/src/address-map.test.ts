import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIPv4, formatIPv6, parseIP, type IP } from '@svcpath/netaddr';
import { createAddressMap } from './address-map';

const bits = (ip: IP) => (ip.family === 4 ? ip.value.toString(2).padStart(32, '0') : ip.value.toString(2).padStart(128, '0'));
const common = (a: string, b: string) => {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
};
const v4 = fc.integer({ min: 0, max: 0xffffffff }).map((v) => parseIP(formatIPv4(v))!);
const v6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((v) => parseIP(formatIPv6(v))!);
const seed = fc.string({ maxLength: 12 });

describe('createAddressMap', () => {
  for (const [family, arb] of [['IPv4', v4], ['IPv6', v6]] as const) {
    it(`${family}: injective and prefix-preserving (the longest common prefix is kept exactly)`, () => {
      fc.assert(
        fc.property(seed, arb, arb, (s, a, b) => {
          const m = createAddressMap(s);
          const [ma, mb] = [m.mapIP(a), m.mapIP(b)];
          expect(common(bits(ma), bits(mb))).toBe(common(bits(a), bits(b)));
          if (a.text !== b.text) expect(ma.text).not.toBe(mb.text);
        }),
        { numRuns: family === 'IPv4' ? 300 : 60 },
      );
    });
  }

  it('keeps special addresses and maps nothing else into special ranges', () => {
    fc.assert(
      fc.property(seed, v4, (s, a) => {
        const m = createAddressMap(s);
        const special = /^(0|127|22[4-9]|2[3-5]\d)\./.test(a.text) || a.text.startsWith('169.254.');
        expect(special).toBe(/^(0|127|22[4-9]|2[3-5]\d)\./.test(m.mapIP(a).text) || m.mapIP(a).text.startsWith('169.254.'));
        if (special) expect(m.mapIP(a).text).toBe(a.text);
      }),
      { numRuns: 300 },
    );
    const m = createAddressMap('k');
    for (const a of ['127.0.0.1', '0.0.0.0', '255.255.255.255', '255.255.255.0', '169.254.169.254', '224.0.0.1', '::1', '::', 'fe80::1', 'ff02::1']) expect(m.mapText(a)).toBe(a);
    for (const c of ['0.0.0.0/0', '127.0.0.0/8', '::/0', 'fe80::/10']) expect(m.mapText(c)).toBe(c);
  });

  it('maps a CIDR to the CIDR holding exactly its mapped members', () => {
    fc.assert(
      fc.property(seed, v4, fc.integer({ min: 0, max: 32 }), v4, (s, net, prefix, member) => {
        const m = createAddressMap(s);
        const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
        const network = parseIP(formatIPv4((Number(net.value) & mask) >>> 0))!;
        const [mappedNet = '', len] = m.mapText(`${network.text}/${prefix}`)!.split('/');
        expect(Number(len)).toBe(prefix);
        const inside = ((Number(member.value) & mask) >>> 0) === network.value;
        const mm = Number(m.mapIP(member).value);
        expect(((mm & mask) >>> 0) === parseIP(mappedNet)!.value).toBe(inside);
      }),
      { numRuns: 300 },
    );
  });

  it('depends on the seed, and keeps extra ranges the caller names', () => {
    expect(createAddressMap('a').mapText('10.1.2.3')).not.toBe(createAddressMap('b').mapText('10.1.2.3'));
    const m = createAddressMap('a', ['203.0.113.0/24']);
    expect(m.mapText('203.0.113.7')).toBe('203.0.113.7');
    expect(m.mapText('10.1.2.3:80')).toBeNull();
  });

  it('keeps a private address private, in its own range, and maps no public address into one', () => {
    const m = createAddressMap('seed-p');
    const inRange = (text: string, cidr: string) => {
      const [net = '', len = '0'] = cidr.split('/');
      const a = parseIP(text)!;
      const b = parseIP(net)!;
      return a.family === b.family && (a.value as bigint | number).toString(2).padStart(a.family === 4 ? 32 : 128, '0').slice(0, Number(len)) === (b.value as bigint | number).toString(2).padStart(b.family === 4 ? 32 : 128, '0').slice(0, Number(len));
    };
    for (const [ip, cidr] of [['10.180.0.4', '10.0.0.0/8'], ['172.30.0.44', '172.16.0.0/12'], ['192.168.0.2', '192.168.0.0/16'], ['fd00::1', 'fc00::/7']] as const) {
      const out = m.mapIP(parseIP(ip)!).text;
      expect(inRange(out, cidr), `${ip} → ${out}`).toBe(true);
      expect(out).not.toBe(ip);
    }
    for (const ip of ['8.8.8.8', '11.0.0.1', '172.32.0.1', '192.169.0.1', '203.0.113.2']) {
      const out = m.mapIP(parseIP(ip)!).text;
      expect(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].some((c) => inRange(out, c)), `${ip} → ${out}`).toBe(false);
    }
  });
});
