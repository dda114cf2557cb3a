import { parseIP } from '@svcpath/netaddr';
import { describe, expect, it } from 'vitest';
import { createAddressMap, publicV4Prefixes } from './address-map';
import { DOCUMENTATION_V4, planPublicV4 } from './public-plan';

const bits = (text: string) => parseIP(text)!.value.toString(2).padStart(32, '0');
const inside = (text: string, cidr: string) => {
  const [net = '', len = '32'] = cidr.split('/');
  const [addr = '', own = '32'] = text.split('/');
  return Number(own) >= Number(len) && bits(addr).slice(0, Number(len)) === bits(net).slice(0, Number(len));
};
const inDocumentation = (text: string) => DOCUMENTATION_V4.some((c) => inside(text, c));

describe('public IPv4 addresses go to the documentation ranges', () => {
  // Load-balancer ingress addresses, externalIPs and loadBalancerSourceRanges as a cluster has them.
  const texts = ['35.190.1.10', '35.190.1.11', '34.120.7.9', '8.8.8.8', '1.2.3.0/24', '1.2.3.4', '1.2.3.5', '44.0.0.0/8', '44.2.3.4', '52.0.0.0/6', '52.9.9.9', '10.0.0.1', '127.0.0.1'];
  const plan = planPublicV4('seed-1', publicV4Prefixes(texts))!;
  const m = createAddressMap('seed-1', [], plan);

  it('plans only the public ones, each distinct, each inside a documentation /24', () => {
    expect(Object.keys(plan).sort()).toEqual(['1.2.3.0/24', '1.2.3.4/32', '1.2.3.5/32', '44.0.0.0/8', '44.2.3.4/32', '34.120.7.9/32', '35.190.1.10/32', '35.190.1.11/32', '52.0.0.0/6', '52.9.9.9/32', '8.8.8.8/32'].sort());
    const mapped = texts.filter((t) => publicV4Prefixes([t]).length > 0).map((t) => m.mapText(t)!);
    expect(new Set(mapped).size).toBe(mapped.length);
    for (const t of mapped) expect(inDocumentation(t), t).toBe(true);
    expect(m.mapText('10.0.0.1')).toMatch(/^10\./);
    expect(m.mapText('127.0.0.1')).toBe('127.0.0.1');
  });

  it('keeps prefix containment: an address inside a range lands inside the range’s pseudonym', () => {
    for (const [addr, range] of [['1.2.3.4', '1.2.3.0/24'], ['1.2.3.5', '1.2.3.0/24'], ['44.2.3.4', '44.0.0.0/8'], ['52.9.9.9', '52.0.0.0/6']] as const) {
      expect(inside(m.mapText(addr)!, m.mapText(range)!), `${addr} in ${range}: ${m.mapText(addr)} in ${m.mapText(range)}`).toBe(true);
    }
    expect(inside(m.mapText('8.8.8.8')!, m.mapText('1.2.3.0/24')!)).toBe(false);
    // An address the plan never saw, inside a planned range, still lands inside it.
    expect(inside(m.mapText('1.2.3.77')!, m.mapText('1.2.3.0/24')!)).toBe(true);
  });

  it('is the same for the same seed and differs for another', () => {
    expect(planPublicV4('seed-1', publicV4Prefixes(texts))).toEqual(plan);
    expect(planPublicV4('seed-2', publicV4Prefixes(texts))).not.toEqual(plan);
  });

  it('narrows ranges to make room and gives up past 768 distinct addresses', () => {
    const many = Array.from({ length: 700 }, (_, i) => `40.${Math.floor(i / 250)}.${i % 250}.1`);
    const narrowed = planPublicV4('s', publicV4Prefixes([...many, '41.0.0.0/16']))!;
    expect(new Set(Object.values(narrowed)).size).toBe(701);
    expect(Object.values(narrowed).every(inDocumentation)).toBe(true);
    expect(planPublicV4('s', publicV4Prefixes(Array.from({ length: 769 }, (_, i) => `40.${Math.floor(i / 250)}.${i % 250}.1`)))).toBeNull();
  });
});
