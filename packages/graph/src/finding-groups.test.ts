import { describe, expect, it } from 'vitest';
import { findingCounts, groupFindings, NODE_WIDE, type GroupableFinding } from './finding-groups';

const f = (code: string, severity: GroupableFinding['severity'], service?: string): GroupableFinding => ({ code, severity, ...(service ? { service } : {}) });
const findings = [
  f('SVC_NO_ENDPOINTS', 'critical', 'a/x:http'),
  f('AFFINITY_UNEVEN_LOAD', 'info', 'a/y:http'),
  f('AFFINITY_UNEVEN_LOAD', 'info', 'b/z'),
  f('AFFINITY_UNEVEN_LOAD', 'info', 'b/w:dns'),
  f('HOOK_MISSING', 'warning'),
];

describe('groupFindings', () => {
  it('by code: most severe group first, then the biggest; indices point into the list', () => {
    const g = groupFindings(findings, 'code');
    expect(g.map((x) => [x.key, x.indices.length])).toEqual([
      ['SVC_NO_ENDPOINTS', 1],
      ['HOOK_MISSING', 1],
      ['AFFINITY_UNEVEN_LOAD', 3],
    ]);
    expect(g[2]!.indices).toEqual([1, 2, 3]);
  });

  it('by namespace: node-wide findings under their own key; a group takes its worst severity', () => {
    const g = groupFindings(findings, 'namespace');
    expect(g.map((x) => [x.key, x.severity, x.indices.length])).toEqual([
      ['a', 'critical', 2],
      [NODE_WIDE, 'warning', 1],
      ['b', 'info', 2],
    ]);
  });
});

describe('findingCounts', () => {
  it('counts per Service (ports folded) and per namespace', () => {
    const c = findingCounts([...findings, f('X', 'info', 'a/x:https')]);
    expect(c.byService.get('a/x')).toBe(2);
    expect(c.byNamespace.get('a')).toBe(3);
    expect(c.byNamespace.get('b')).toBe(2);
  });
});
