import { describe, expect, it } from 'vitest';
import type { DiffReport } from '@svcpath/diff';
import { candidates, reportBlocks, summaryText, toneOf } from './diff-view';

const line = (file: string, n: number) => ({ file, line: n, chain: 'nat/KUBE-SVC-X', text: `-A KUBE-SVC-X rule ${n}` });
const report: DiffReport = {
  before: { label: 'a', mode: 'iptables' },
  after: { label: 'b', mode: 'nftables' },
  compared: 3,
  notes: [],
  servicePorts: [
    {
      portName: 'shop/web:http',
      key: 'tcp 172.30.0.10:80',
      changes: [
        { kind: 'endpoint-removed', endpoint: '10.0.0.2:80', share: 1 / 3, evidence: { before: [line('a', 5)], after: [] } },
        { kind: 'share-changed', endpoint: '10.0.0.1:80', before: 1 / 3, after: 0.5, evidence: { before: [line('a', 4)], after: [line('b', 9)] } },
      ],
    },
  ],
  node: [{ kind: 'foreign-rule-added', hook: 'prerouting', evidence: { before: [], after: [line('b', 2)] } }],
};

describe('diff view', () => {
  it('blocks per Service port, the node last, each change in words with its tone and rule lines', () => {
    const blocks = reportBlocks(report);
    expect(blocks.map((b) => b.portName)).toEqual(['shop/web:http', 'Rules before KUBE-SERVICES']);
    expect(blocks[0]!.rows.map((r) => [r.text, r.tone])).toEqual([
      ['endpoint 10.0.0.2:80 removed (had 33.3%)', 'removed'],
      ['endpoint 10.0.0.1:80: share 33.3% → 50%', 'changed'],
    ]);
    expect(blocks[1]!.rows[0]).toMatchObject({ tone: 'added', evidence: { after: [{ file: 'b', line: 2 }] } });
  });

  it('REJECT or DROP appearing reads as something lost, going away as something gained', () => {
    const probe = { entry: 'cluster-ip' as const, from: 'pod' as const, src: '10.0.0.9', dst: '172.30.0.10', dport: 80, proto: 'tcp' as const };
    expect(toneOf({ kind: 'verdict-added', verdict: 'REJECT', probe, share: 1, evidence: { before: [], after: [] } })).toBe('removed');
    expect(toneOf({ kind: 'verdict-removed', verdict: 'DROP', probe, share: 1, evidence: { before: [], after: [] } })).toBe('added');
  });

  it('summarises, naming the modes', () => {
    expect(summaryText(report)).toBe('1 of 3 Service ports changed, and 1 rule change(s) before KUBE-SERVICES (iptables → nftables).');
    expect(summaryText({ ...report, servicePorts: [], node: [], after: { label: 'b', mode: 'iptables' } })).toBe('No change: all 3 Service ports are programmed the same way (both iptables).');
  });

  it('offers the same node\'s snapshots first, newest first, never itself', () => {
    const self = { id: 'mon~w1', node: 'w1', takenAt: '2026-01-01T00:00:00Z' };
    const all = [self, { id: 'tue~w1', node: 'w1', takenAt: '2026-01-02T00:00:00Z' }, { id: 'mon~w2', node: 'w2', takenAt: '2026-01-03T00:00:00Z' }, { id: 'wed~w1', node: 'w1', takenAt: '2026-01-03T00:00:00Z' }];
    expect(candidates(self, all).map((c) => c.id)).toEqual(['wed~w1', 'tue~w1', 'mon~w2']);
  });
});
