import { describe, expect, it } from 'vitest';
import type { ProbeResult } from './lab-types';
import { outcomeKey, summarize } from './outcome';

describe('outcomeKey', () => {
  it.each<[ProbeResult, string]>([
    [{ kind: 'delivered', endpoint: '10.1.0.5:80', peer: '10.0.0.1', where: 'pod' }, 'DNAT 10.1.0.5:80'],
    [
      { kind: 'delivered', endpoint: '10.0.0.1:10256', peer: '10.0.0.1', where: 'node' },
      'LOCAL 10.0.0.1:10256',
    ],
    [{ kind: 'refused' }, 'REJECT'],
    [{ kind: 'unreachable', code: 'EHOSTUNREACH' }, 'UNREACHABLE EHOSTUNREACH'],
    [{ kind: 'forwarded' }, 'FORWARD'],
    [{ kind: 'timeout' }, 'DROP'],
  ])('%j is %s', (r, key) => expect(outcomeKey(r)).toBe(key));

  it('names the peer when asked, to show MASQUERADE', () => {
    expect(
      outcomeKey(
        { kind: 'delivered', endpoint: '10.1.0.5:80', peer: '10.0.0.1', where: 'pod' },
        { withPeer: true },
      ),
    ).toBe('DNAT 10.1.0.5:80 from 10.0.0.1');
  });
});

describe('summarize', () => {
  it('counts by key, most frequent first', () => {
    const a: ProbeResult = { kind: 'delivered', endpoint: '10.1.0.5:80', peer: 'x', where: 'pod' };
    expect([...summarize([{ kind: 'timeout' }, a, a])]).toEqual([
      ['DNAT 10.1.0.5:80', 2],
      ['DROP', 1],
    ]);
  });
});
