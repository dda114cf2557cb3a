import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FINDING_CODES } from './codes';
import { isCause, rankFindings, type Finding } from './finding';

/** rankFindings as it was first written: every finding searched for each one (the reference). */
function rankBySearch(findings: readonly Finding[]): Finding[] {
  const RANK = { critical: 0, warning: 1, info: 2 } as const;
  const key = (f: Finding) => `${f.code.startsWith('FLOW_') ? 0 : 1}${f.service ?? ''}\u0000${f.code}\u0000${f.node ?? ''}`;
  const sorted = [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity] || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const derived = sorted.filter((f) => f.cause && sorted.some((c) => c !== f && c.severity === f.severity && isCause(c, f.cause!)));
  if (derived.length === 0) return sorted;
  // Each finding once: one that follows from two alike (same code and Service) goes under the first.
  const out: Finding[] = [];
  const place = (f: Finding) => {
    if (out.includes(f)) return;
    out.push(f);
    for (const d of derived) if (d.severity === f.severity && isCause(f, d.cause!)) place(d);
  };
  for (const f of sorted) if (!derived.includes(f)) place(f);
  return out;
}

// Few codes and Services, so findings share them (duplicates, Service-less causes, '' Services).
const codes = FINDING_CODES.slice(0, 4) as readonly Finding['code'][];
const service = fc.option(fc.constantFrom('', 'ns/a', 'ns/a:p', 'ns/b'), { nil: undefined });
const finding = fc.record({
  code: fc.constantFrom(...codes),
  severity: fc.constantFrom('critical', 'warning', 'info') as fc.Arbitrary<Finding['severity']>,
  service,
  cause: fc.option(fc.record({ code: fc.constantFrom(...codes), service }), { nil: undefined }),
});

/** Findings whose causes never lead back to themselves (the doctor's causes are one level deep). */
function acyclic(list: readonly Finding[]): boolean {
  // A finding leads to every finding its cause names: several can share a code and Service.
  const state = new Map<Finding, 'open' | 'done'>();
  const visit = (f: Finding): boolean => {
    const s = state.get(f);
    if (s !== undefined) return s === 'done';
    state.set(f, 'open');
    for (const c of list) if (f.cause && isCause(c, f.cause) && !visit(c)) return false;
    state.set(f, 'done');
    return true;
  };
  return list.every(visit);
}

describe('rankFindings', () => {
  it('orders as a search of every finding for each one did', () => {
    fc.assert(
      fc.property(fc.array(finding, { maxLength: 30 }), (drafts) => {
        const list: Finding[] = drafts.map((d, i) => ({
          code: d.code,
          severity: d.severity,
          title: `t${i}`,
          explanation: '',
          evidence: [],
          nextStep: '',
          ...(d.service !== undefined ? { service: d.service } : {}),
          ...(d.cause ? { cause: d.cause.service !== undefined ? d.cause : { code: d.cause.code } } : {}),
        }));
        fc.pre(acyclic(list));
        expect(rankFindings(list).map((f) => f.title)).toEqual(rankBySearch(list).map((f) => f.title));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps every finding once when causes lead round in a circle, or two alike cause one (fast-check found both)', () => {
    const f = (title: string, code: Finding['code'], service: string | undefined, cause?: Finding['cause']): Finding => ({ code, severity: 'warning', title, explanation: '', evidence: [], nextStep: '', ...(service !== undefined ? { service } : {}), ...(cause ? { cause } : {}) });
    // c and d name each other's code and Service: the search never ended.
    const circle = [
      f('a', 'SVC_SELECTOR_NO_PODS', '', { code: 'SVC_NO_ENDPOINTS' }),
      f('b', 'SVC_TERMINATING_ONLY', 'ns/b', { code: 'SVC_NO_ENDPOINTS' }),
      f('c', 'SVC_TERMINATING_ONLY', 'ns/b', { code: 'SVC_SELECTOR_NO_PODS', service: '' }),
      f('d', 'SVC_SELECTOR_NO_PODS', '', { code: 'SVC_TERMINATING_ONLY', service: 'ns/b' }),
    ];
    expect(acyclic(circle)).toBe(false);
    expect(rankFindings(circle).map((x) => x.title).sort()).toEqual(['a', 'b', 'c', 'd']);
    // Two alike findings both name the third as following from them: it was listed under each.
    const twice = [f('a', 'SVC_SELECTOR_NO_PODS', 'ns/a'), f('b', 'SVC_SELECTOR_NO_PODS', 'ns/a'), f('c', 'SVC_NO_ENDPOINTS', undefined, { code: 'SVC_SELECTOR_NO_PODS', service: 'ns/a' })];
    expect(rankFindings(twice).map((x) => x.title)).toEqual(['a', 'c', 'b']);
  });

  it('puts a stale node\'s thousands of drift findings under their one cause, quickly', () => {
    const cause: Finding = { code: 'DRIFT_NODE_NOT_SYNCING', severity: 'critical', title: 'sync', explanation: '', evidence: [], nextStep: '' };
    const drift: Finding[] = Array.from({ length: 5000 }, (_, i) => ({ code: 'DRIFT_ENDPOINT_STALE', severity: 'critical', title: `s${i}`, explanation: '', evidence: [], nextStep: '', service: `ns/s${i}:p`, cause: { code: 'DRIFT_NODE_NOT_SYNCING' } }));
    const t0 = performance.now();
    const ranked = rankFindings([...drift, cause]);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(ranked[0]).toBe(cause);
    expect(ranked.length).toBe(5001);
  });
});
