import { describeOutcome, explainOutcome, formatShare } from '@svcpath/graph';
import type { TraceResult } from '../api/types';

/** Each outcome: its share as a bar, the verdict in words, and the rules on its path with dump lines. */
export function OutcomeList({ result, focus, onFocus }: { result: TraceResult; focus: number | undefined; onFocus: (i: number | undefined) => void }) {
  return (
    <ol className="outcomes" aria-label="Outcomes">
      {result.outcomes.map((o, i) => (
        <li key={i} className={`outcome verdict-${o.verdict} ${focus === i ? 'focused' : ''}`}>
          <button type="button" className="outcome-head" aria-pressed={focus === i} onClick={() => onFocus(focus === i ? undefined : i)} title="Show only this outcome on the graph">
            <span className="outcome-bar" aria-hidden="true">
              <span style={{ width: `${Math.max(2, o.probability * 100)}%` }} />
            </span>
            <span className="outcome-share">{formatShare(o.probability)}</span>
            <span className="outcome-text">{describeOutcome(o)}</span>
          </button>
          <p className="outcome-why">{explainOutcome(o)}</p>
          <details>
            <summary>
              {o.path.length} rules on the path · {o.rulesEvaluated} evaluated{o.service ? ` · ${o.service}` : ''}
            </summary>
            <ol className="path">
              {o.path.map((s, k) => (
                <li key={k}>
                  <span className="rule-line">{s.line > 0 ? `L${s.line}` : 'assumed'}</span>
                  <span className="mono">
                    {s.table} {s.chain} #{s.rule}
                  </span>{' '}
                  → {s.action}
                  {s.branchProbability !== undefined && <span className="muted"> ({formatShare(s.branchProbability)})</span>}
                </li>
              ))}
            </ol>
            {o.assumptions.length > 0 && (
              <ul className="assumptions">
                {o.assumptions.map((a) => (
                  <li key={a}>{a}</li>
                ))}
              </ul>
            )}
          </details>
        </li>
      ))}
    </ol>
  );
}
