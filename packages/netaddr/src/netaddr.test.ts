import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cidrContains, parseCidr, parseIP } from './index';

describe('parseIP', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['::ffff:10.1.2.3', '::ffff:a01:203'],
    ['fd00:10:0:0:0:0:0:1', 'fd00:10::1'],
    ['::', '::'],
  ])('reads %s as %s', (input, text) => {
    expect(parseIP(input)?.text).toBe(text);
  });
  it.each(['256.0.0.1', '1.2.3', '01.2.3.4', '1::2::3', 'fe80::1%eth0', '', 'x'])('refuses %s', (bad) => {
    expect(parseIP(bad)).toBeNull();
  });
  it('round-trips every IPv4 address', () => {
    fc.assert(
      fc.property(fc.ipV4(), (t) => {
        expect(parseIP(t)?.text).toBe(t);
      }),
    );
  });
  it('round-trips IPv6 text through canonical form', () => {
    fc.assert(
      fc.property(fc.ipV6(), (t) => {
        const ip = parseIP(t);
        expect(ip).not.toBeNull();
        expect(parseIP(ip!.text)?.value).toBe(ip!.value);
      }),
    );
  });
});

describe('parseCidr', () => {
  it('reads masks in both notations and masks host bits', () => {
    expect(parseCidr('10.1.2.3/255.255.0.0')?.text).toBe('10.1.0.0/16');
    expect(parseCidr('10.1.2.3')?.text).toBe('10.1.2.3/32');
    expect(parseCidr('fd00::5/64')?.text).toBe('fd00::/64');
    expect(parseCidr('10.0.0.0/33')).toBeNull();
    expect(parseCidr('10.0.0.0/255.0.255.0')).toBeNull();
  });
  it('contains what it should', () => {
    const c = parseCidr('10.0.0.0/8')!;
    expect(cidrContains(c, parseIP('10.255.1.1')!)).toBe(true);
    expect(cidrContains(c, parseIP('11.0.0.1')!)).toBe(false);
    expect(cidrContains(parseCidr('0.0.0.0/0')!, parseIP('1.2.3.4')!)).toBe(true);
    expect(cidrContains(c, parseIP('::1')!)).toBe(false);
  });
});
