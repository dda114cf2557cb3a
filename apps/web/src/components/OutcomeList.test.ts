import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { TraceResult } from '../api/types';
import { OutcomeList, shownOutcomes, shownSteps } from './OutcomeList';

const step = { hook: 'prerouting' as const, table: 'nat', chain: 'KUBE-SVC-A', rule: 2, line: 7, file: 'paste', action: 'jump KUBE-SEP-A3' };
const base = { delivery: null, masquerade: false, snat: null, service: 'shop/web:http', rulesEvaluated: 5, assumptions: [], mark: '0x0' };
const result: TraceResult = {
  packet: { src: '10.0.0.1', dst: '172.30.0.41', dport: 80, proto: 'tcp' },
  origin: 'external',
  assumptions: ["chain KUBE-MARK-MASQ is not in the paste: assumed kube-proxy's standard body"],
  outcomes: [
    { ...base, kind: 'traced', probability: 0.5, verdict: 'DNAT', destination: '10.244.1.5:8080', delivery: 'forward', path: [step, { ...step, chain: 'KUBE-MARK-MASQ', rule: 1, line: 0, action: 'MARK set 0x4000', assumed: true }] },
    {
      ...base,
      kind: 'endpoint-not-shown',
      probability: 0.5,
      verdict: 'DNAT',
      destination: '10.244.3.7:8080',
      path: [step, { ...step, chain: 'KUBE-SEP-A3', rule: 1, action: 'DNAT 10.244.3.7:8080', assumed: true }],
      notShown: { subject: 'KUBE-SEP-A3', endpoint: '10.244.3.7:8080', reason: 'chain KUBE-SEP-A3 is not in the paste', command: 'iptables -t nat -S KUBE-SEP-A3' },
    },
  ],
};

describe('OutcomeList', () => {
  const html = renderToStaticMarkup(createElement(OutcomeList, { result, focus: undefined, onFocus: () => {} }));
  it('draws an outcome the paste does not show apart, with the command that settles it', () => {
    expect(html).toContain('outcome-kind-endpoint-not-shown');
    expect(html).toContain('not in paste');
    expect(html).toContain('to 10.244.3.7:8080 — endpoint not shown in the paste');
    expect(html.match(/iptables -t nat -S KUBE-SEP-A3/g)).toHaveLength(2); // on the outcome, and in "paste next"
    expect(html).toContain('50% of this traffic depends on what the paste does not show');
  });
  it('labels assumed steps and lists the ruleset assumptions', () => {
    expect(html).toMatch(/<span class="rule-line">assumed<\/span>/);
    expect(html).toMatch(/<span class="rule-line">not in paste<\/span>/);
    expect(html).toContain('Assumed, not in the dump (1)');
  });
});

describe('a path through thousands of chains', () => {
  it('draws where it starts and where it ends, and counts the steps between', () => {
    const path = Array.from({ length: 20_000 }, (_, k) => ({ ...step, chain: `C${k}`, rule: 1, line: k + 2 }));
    const long: TraceResult = { ...result, assumptions: [], outcomes: [{ ...result.outcomes[0]!, path }] };
    const page = renderToStaticMarkup(createElement(OutcomeList, { result: long, focus: undefined, onFocus: () => {} }));
    expect(page.match(/<li/g)!.length).toBeLessThan(400);
    expect(page).toContain('20,000 rules on the path');
    expect(page).toContain('… 19,700 more steps, not drawn here (Export → Markdown lists every one)');
    expect(page).toContain('C0 #1');
    expect(page).toContain('C19999 #1');
    expect(page).not.toContain('C200 #1');
    // A path that fits is drawn whole.
    expect(shownSteps([1, 2, 3])).toEqual([1, 2, 3]);
    expect(shownSteps(Array.from({ length: 301 }, (_, k) => k))).toHaveLength(301);
  });
});

describe('a trace with thousands of outcomes (a Service with thousands of endpoints)', () => {
  it('draws the 50 largest shares (the first of equal ones) and the focused one, and sums up the rest', () => {
    const outcomes = Array.from({ length: 5000 }, (_, k) => ({ ...result.outcomes[0]!, probability: k === 4000 ? 0.1 : 0.9 / 4999, destination: `10.244.${k >> 8}.${k & 255}:8080` }));
    const wide: TraceResult = { ...result, assumptions: [], outcomes };
    const page = renderToStaticMarkup(createElement(OutcomeList, { result: wide, focus: 4500, onFocus: () => {} }));
    expect(page.match(/class="outcome /g)).toHaveLength(51);
    expect(page).toContain('10.244.15.160:8080'); // 4000, the largest share
    expect(page).toContain('10.244.17.148:8080'); // 4500, focused
    expect(page).not.toContain('10.244.0.60:8080'); // 60
    expect(page).toContain('… and 4,949 more outcomes, 89.1% of the traffic together, not drawn here (Export → Markdown lists every one).');
    expect(shownOutcomes(outcomes.slice(0, 50))).toHaveLength(50);
    expect(shownOutcomes(outcomes, 4500)).toEqual([...Array.from({ length: 49 }, (_, k) => k), 4000, 4500]);
  });
});
