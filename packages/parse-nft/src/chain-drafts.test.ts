import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ChainDrafts, nameHash } from './chain-drafts';

/** ChainDrafts answers as a Map of the same names would, whatever is set, deleted and set again. */
describe('ChainDrafts', () => {
  it('any run of sets and deletes leaves what a Map would hold, in its order', () => {
    const name = fc.constantFrom('a', 'b', 'c', 'services', 'endpoint-1', 'endpoint-2', 'x'.repeat(70), 'ç', '');
    const op = fc.oneof(fc.record({ set: name, value: fc.integer() }), fc.record({ del: name }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const ours = new ChainDrafts<number>();
        const map = new Map<string, number>();
        for (const o of ops) {
          if ('set' in o) {
            ours.set(o.set, o.value);
            map.set(o.set, o.value);
          } else expect(ours.delete(o.del)).toBe(map.delete(o.del));
          expect(ours.size).toBe(map.size);
        }
        expect([...ours.keys()]).toEqual([...map.keys()]);
        const place = ours.places();
        [...map.keys()].forEach((n, i) => expect(place(n)).toBe(i));
        for (const n of ['nope', 'a', 'ç']) if (!map.has(n)) expect(place(n)).toBe(-1);
        expect([...ours.values()]).toEqual([...map.values()]);
        for (const n of ['a', 'b', 'c', 'services', 'endpoint-1', 'endpoint-2', 'x'.repeat(70), 'ç', '', 'nope']) {
          expect(ours.get(n)).toBe(map.get(n));
          expect(ours.has(n)).toBe(map.has(n));
        }
      }),
    );
  });

  it('holds 50,000 names across its growth, deleted ones gone, found by the hash of the text they were cut from', () => {
    const ours = new ChainDrafts<number>();
    const names = Array.from({ length: 50_000 }, (_, i) => `endpoint-${i.toString(36)}-ns/svc-${i}/tcp/http__10.128.${i >> 8}.${i & 255}/8080`);
    names.forEach((n, i) => ours.set(n, i));
    for (let i = 0; i < names.length; i += 3) ours.delete(names[i]!);
    const text = `chain ${names[4]} {`;
    expect(nameHash(text, 6, 6 + names[4]!.length)).toBe(nameHash(names[4]!, 0, names[4]!.length));
    expect(ours.get(names[4]!, nameHash(text, 6, 6 + names[4]!.length))).toBe(4);
    expect(names.every((n, i) => ours.get(n) === (i % 3 === 0 ? undefined : i))).toBe(true);
    expect(ours.size).toBe(names.length - Math.ceil(names.length / 3));
  });
});
