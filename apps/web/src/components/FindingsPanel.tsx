import { useState } from 'react';
import type { Evidence } from '@svcpath/diagnostics';
import type { ApiError } from '../api/api-error';
import type { FindingsResult } from '../api/types';

const SEVERITIES = ['critical', 'warning', 'info'] as const;
/** A node of a big cluster can have thousands of findings; the rest are a click away. */
const SHOWN = 25;

function evidenceText(e: Evidence): string {
  switch (e.kind) {
    case 'rule':
      return `${e.file}:${e.line || 'assumed'}  ${e.raw}`;
    case 'object':
      return `${e.ref}  ${e.field} = ${e.value}`;
    case 'trace':
      return `trace ${e.packet}: ${e.verdict}${e.destination ? ` → ${e.destination}` : ''}`;
    case 'sysctl':
      return `sysctl ${e.name} = ${e.value}`;
    case 'ipvs':
    case 'conntrack':
      return `${e.file}:${e.line}  ${e.raw}`;
    default: {
      const never: never = e;
      return never;
    }
  }
}

export interface FindingsPanelProps {
  readonly result: FindingsResult | undefined;
  readonly loading: boolean;
  readonly error: ApiError | null;
  /** The finding whose evidence is lit on the graph. */
  readonly selected: number | undefined;
  readonly onSelect: (index: number | undefined) => void;
  /** How many of the selected finding's rules the graph does not show. */
  readonly unmatched: number;
}

/**
 * The doctor's findings beside the graph, most severe first: what is wrong, why, what to do next,
 * and a link to the code's entry in docs/doctor.md. Choosing one lights its evidence on the graph.
 */
export function FindingsPanel(p: FindingsPanelProps) {
  const findings = p.result?.findings ?? [];
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  return (
    <section className="panel findings" aria-label="Findings">
      <h2>
        Findings{p.result?.focus ? <span className="muted"> · {p.result.focus}</span> : null}
        {p.result && <span className="findings-count muted"> {findings.length}</span>}
      </h2>
      {p.loading && !p.result && <p className="muted">Running the doctor…</p>}
      {p.error && <p className="error-text">{p.error.message}</p>}
      {p.result && findings.length === 0 && <p className="muted">Nothing wrong found: the node's rules do what the cluster asks.</p>}
      {SEVERITIES.map((sev) => {
        const all = findings.map((f, i) => ({ f, i })).filter(({ f }) => f.severity === sev);
        if (all.length === 0) return null;
        const items = expanded.has(sev) ? all : all.filter(({ i }, k) => k < SHOWN || i === p.selected);
        return (
          <div key={sev} className={`finding-group sev-${sev}`}>
            <h3>
              {sev} <span className="muted">({all.length})</span>
            </h3>
            <ol className="finding-list">
              {items.map(({ f, i }) => (
                <li key={i} className={`finding sev-${f.severity} ${p.selected === i ? 'focused' : ''}`}>
                  <button type="button" className="finding-head" aria-pressed={p.selected === i} onClick={() => p.onSelect(p.selected === i ? undefined : i)} title="Show this finding's evidence on the graph">
                    <span className="finding-code mono">{f.code}</span>
                    <span className="finding-title">{f.title}</span>
                  </button>
                  <p className="finding-explanation">{f.explanation}</p>
                  <p className="finding-next">
                    <b>Next:</b> {f.nextStep}
                  </p>
                  {p.selected === i && f.evidence.length > 0 && (
                    <ul className="finding-evidence" aria-label="Evidence">
                      {f.evidence.map((e, k) => (
                        <li key={k} className={`ev-${e.kind} mono`}>
                          {evidenceText(e)}
                        </li>
                      ))}
                    </ul>
                  )}
                  {p.selected === i && p.unmatched > 0 && <p className="muted finding-note">{p.unmatched} cited rule(s) are in chains this graph does not show.</p>}
                  <a className="finding-help" href={`/${f.help}`} target="_blank" rel="noreferrer">
                    {f.code} in docs/doctor.md
                  </a>
                </li>
              ))}
            </ol>
            {items.length < all.length && (
              <button type="button" className="link finding-more" onClick={() => setExpanded(new Set([...expanded, sev]))}>
                Show {all.length - items.length} more
              </button>
            )}
          </div>
        );
      })}
      {p.result && p.result.notChecked.length > 0 && (
        <details className="not-checked">
          <summary>Not checked ({p.result.notChecked.length})</summary>
          <ul>
            {p.result.notChecked.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
