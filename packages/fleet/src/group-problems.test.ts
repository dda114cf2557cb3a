import { describe, expect, it } from 'vitest';
import { groupProblems } from './group-problems';

describe('groupProblems', () => {
  it('groups nodes that failed the same way, whatever their digest Pods were called', () => {
    const groups = groupProblems([
      { kind: 'no-digest', node: 'w-2', reason: 'the digest Pod svcpath-nodes/svcpath-digest-w-2-0a1b2c3d did not start within 120000 ms' },
      { kind: 'no-digest', node: 'w-1', reason: 'the digest Pod svcpath-nodes/svcpath-digest-w-1-99aa00ff did not start within 120000 ms' },
      { kind: 'unsupported-mode', node: 'w-9', mode: 'ipvs' },
    ]);
    expect(groups).toEqual([
      { reason: 'the digest Pod svcpath-nodes/svcpath-digest-… did not start within 120000 ms', nodes: ['w-1', 'w-2'] },
      { reason: 'kube-proxy mode ipvs has no per-Service digest', nodes: ['w-9'] },
    ]);
  });
});
