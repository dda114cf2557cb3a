import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ChainNameFilter, nameHash } from './name-filter';

describe('ChainNameFilter', () => {
  it('a name in a text hashes as the name alone', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (before, name, after) => {
        const text = before + name + after;
        expect(nameHash(text, before.length, before.length + name.length)).toBe(nameHash(name, 0, name.length));
      }),
    );
  });

  it('holds every name noted, across its growth, and says "no" to most others', () => {
    const filter = new ChainNameFilter();
    const names: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      names.push(`endpoint-${i.toString(36).toUpperCase()}-ns-${i % 7}/svc-${i}/tcp/http__10.128.${i >> 8}.${i & 255}/8080`);
      filter.add(nameHash(names[i]!, 0, names[i]!.length), names);
    }
    expect(names.every((n) => filter.mayHold(nameHash(n, 0, n.length)))).toBe(true);
    let maybe = 0;
    for (let i = 0; i < 50_000; i++) {
      const other = `service-${i.toString(36)}-ns-${i % 7}/svc-${i}/udp/dns`;
      if (filter.mayHold(nameHash(other, 0, other.length))) maybe++;
    }
    expect(maybe / 50_000).toBeLessThan(0.05);
  });
});
