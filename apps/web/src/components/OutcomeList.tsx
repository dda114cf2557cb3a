import type { CSSProperties } from 'react';
import { describeOutcome, explainOutcome, formatShare } from '@svcpath/graph';
import type { TraceResult } from '../api/types';

type Outcome = TraceResult['outcomes'][number];

/**
 * Each outcome: its share as a bar, the verdict in words, and the rules on its path with dump lines.
 * Outcomes that reach a part of the node the paste does not show are drawn apart (hatched bar, a
 * "not in the paste" badge, the read-only command that would settle them); steps and chains that
 * svcpath assumed are labelled as such, never passed off as dump lines.
 */
export function OutcomeList({ result, focus, onFocus, stale }: { result: TraceResult; focus: number | undefined; onFocus: (i: number | undefined) => void; stale?: ReadonlyMap<string, string> | undefined }) {
  const open = result.outcomes.filter((o) => o.notShown);
  const commands = [...new Set(open.map((o) => o.notShown!.command))];
  const drawn = shownOutcomes(result.outcomes, focus);
  const left = result.outcomes.length - drawn.length;
  return (
    <>
      <ol className="outcomes" aria-label="Outcomes">
        {drawn.map((i) => [result.outcomes[i]!, i] as const).map(([o, i]) => (
          <li key={i} className={`outcome verdict-${o.verdict} outcome-kind-${o.kind} ${focus === i ? 'focused' : ''}`} style={o.notShown ? NOT_SHOWN_BOX : undefined}>
            <button type="button" className="outcome-head" aria-pressed={focus === i} onClick={() => onFocus(focus === i ? undefined : i)} title="Show only this outcome on the graph">
              <span className="outcome-bar" aria-hidden="true">
                <span style={{ width: `${Math.max(2, o.probability * 100)}%`, ...(o.notShown ? HATCHED : {}) }} />
              </span>
              <span className="outcome-share">{formatShare(o.probability)}</span>
              <span className="outcome-text">
                {o.notShown && <KindBadge kind={o.kind} />}
                {headline(o)}
              </span>
            </button>
            {o.destination && stale?.has(o.destination) && (
              <p className="outcome-stale" role="note">
                This node's rules are stale: <b>{o.destination}</b> is no longer an endpoint of {stale.get(o.destination)} (no EndpointSlice lists it). These connections time out, are refused, or reach whatever Pod reused the address.
              </p>
            )}
            {o.notShown ? <NotShownNote o={o} /> : <p className="outcome-why">{explainOutcome(o)}</p>}
            <details>
              <summary>
                {o.path.length.toLocaleString('en-US')} rules on the path · {o.rulesEvaluated.toLocaleString('en-US')} evaluated{o.service ? ` · ${o.service}` : ''}
              </summary>
              <ol className="path">
                {shownSteps(o.path).map((s, k) =>
                  typeof s === 'number' ? (
                    <li key={k} className="muted">
                      … {s.toLocaleString('en-US')} more steps, not drawn here (Export → Markdown lists every one)
                    </li>
                  ) : (
                    <li key={k} style={s.assumed ? ASSUMED_STEP : undefined}>
                      <span className="rule-line">{s.assumed ? (s.line > 0 ? 'not in paste' : 'assumed') : s.line > 0 ? `L${s.line}` : 'assumed'}</span>
                      <span className="mono">
                        {s.table} {s.chain} #{s.rule}
                      </span>{' '}
                      → {s.action}
                      {s.branchProbability !== undefined && <span className="muted"> ({formatShare(s.branchProbability)})</span>}
                    </li>
                  ),
                )}
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
      {left > 0 && (
        <p className="muted outcomes-more" role="note">
          … and {left.toLocaleString('en-US')} more outcomes, {formatShare(1 - drawn.reduce((a, i) => a + result.outcomes[i]!.probability, 0))} of the traffic together, not drawn here (Export → Markdown lists every one).
        </p>
      )}
      {commands.length > 0 && (
        <section aria-label="What to paste next" style={NEXT_BOX}>
          <strong>{formatShare(open.reduce((a, o) => a + o.probability, 0))} of this traffic depends on what the paste does not show.</strong> Run on the node and paste the output:
          <ul style={{ margin: '4px 0 0', paddingLeft: 18 }}>
            {commands.map((c) => (
              <li key={c}>
                <code className="mono" style={{ userSelect: 'all' }}>
                  {c}
                </code>
              </li>
            ))}
          </ul>
        </section>
      )}
      {result.assumptions.length > 0 && (
        <details style={{ marginTop: 8, fontSize: 12 }}>
          <summary className="muted">Assumed, not in the dump ({result.assumptions.length})</summary>
          <ul className="assumptions">
            {result.assumptions.map((a) => (
              <li key={a}>{a}</li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}

/** At most this many outcomes are drawn (a Service with 5,000 endpoints has 5,000). */
const MAX_OUTCOMES = 50;

/**
 * The outcomes to draw, as indices in trace order: all of them up to MAX_OUTCOMES; of more, the
 * MAX_OUTCOMES with the largest shares (the first of equal ones), and the focused one.
 */
export function shownOutcomes(outcomes: readonly { readonly probability: number }[], focus?: number): number[] {
  const all = outcomes.map((_, i) => i);
  if (outcomes.length <= MAX_OUTCOMES) return all;
  const top = all.sort((a, b) => outcomes[b]!.probability - outcomes[a]!.probability || a - b).slice(0, MAX_OUTCOMES);
  if (focus !== undefined && focus < outcomes.length && !top.includes(focus)) top.push(focus);
  return top.sort((a, b) => a - b);
}

/** A path's first and last steps drawn; the rest (a path through thousands of chains) as a count. */
const PATH_HEAD = 200;
const PATH_TAIL = 100;

/**
 * The steps of a path to draw: all of a path up to PATH_HEAD + PATH_TAIL steps; of a longer one (a
 * nest of chains iptables-legacy loads: 20,000 steps froze the tab for seconds) where it starts and
 * where it ends, and between them how many steps are left out.
 */
export function shownSteps<T>(path: readonly T[]): (T | number)[] {
  if (path.length <= PATH_HEAD + PATH_TAIL + 1) return [...path];
  return [...path.slice(0, PATH_HEAD), path.length - PATH_HEAD - PATH_TAIL, ...path.slice(-PATH_TAIL)];
}

function headline(o: Outcome): string {
  // The share is in its own column: one number, once.
  if (o.kind === 'endpoint-not-shown') return `to ${o.destination ?? 'an endpoint'} — endpoint not shown in the paste`;
  if (o.kind === 'unknown') return `${o.notShown?.subject ?? 'a chain'} is not in the paste`;
  return describeOutcome(o, { share: false });
}

function KindBadge({ kind }: { kind: Outcome['kind'] }) {
  return <span style={BADGE}>{kind === 'unknown' ? 'unknown' : 'not in paste'}</span>;
}

function NotShownNote({ o }: { o: Outcome }) {
  return (
    <p className="outcome-why">
      {o.notShown!.reason}. Nothing is guessed past it. To settle it, run on the node:{' '}
      <code className="mono" style={{ userSelect: 'all' }}>
        {o.notShown!.command}
      </code>
    </p>
  );
}

// Inline: this component is the only place these states are drawn (the stylesheet is shared).
const NOT_SHOWN_BOX: CSSProperties = { borderStyle: 'dashed' };
const HATCHED: CSSProperties = { background: 'repeating-linear-gradient(135deg, var(--muted) 0 4px, transparent 4px 8px)' };
const BADGE: CSSProperties = {
  display: 'inline-block',
  marginRight: 6,
  padding: '0 6px',
  border: '1px dashed var(--muted)',
  borderRadius: 4,
  fontSize: 11,
  fontWeight: 600,
  textTransform: 'uppercase',
  letterSpacing: 0.3,
  color: 'var(--muted)',
};
const ASSUMED_STEP: CSSProperties = { fontStyle: 'italic', color: 'var(--muted)' };
const NEXT_BOX: CSSProperties = { marginTop: 8, padding: '6px 10px', border: '1px dashed var(--border)', borderRadius: 8, fontSize: 12.5 };
