import { useMemo, useState } from 'react';
import { groupFindings, NODE_WIDE, type FindingGroup } from '@svcpath/graph';
import type { Evidence } from '@svcpath/diagnostics';
import type { ApiError } from '../api/api-error';
import type { FindingsResult } from '../api/types';

type Finding = FindingsResult['findings'][number];
type Grouping = 'severity' | 'code' | 'namespace';

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

/** One finding: what is wrong, why, what next; its evidence when it is the selected one. */
function FindingItem({ f, i, p }: { f: Finding; i: number; p: FindingsPanelProps }) {
  return (
    <li className={`finding sev-${f.severity} ${p.selected === i ? 'focused' : ''}`}>
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
  );
}

/** A group's first findings (and the selected one); the rest a click away. */
function FindingList({ indices, findings, p }: { indices: readonly number[]; findings: readonly Finding[]; p: FindingsPanelProps }) {
  const [all, setAll] = useState(false);
  const items = all ? indices : indices.filter((i, k) => k < SHOWN || i === p.selected);
  return (
    <>
      <ol className="finding-list">
        {items.map((i) => (
          <FindingItem key={i} f={findings[i]!} i={i} p={p} />
        ))}
      </ol>
      {items.length < indices.length && (
        <button type="button" className="link finding-more" onClick={() => setAll(true)}>
          Show {indices.length - items.length} more
        </button>
      )}
    </>
  );
}

/** One group: a line with its count; its findings are drawn only once it is opened. */
function GroupItem({ g, by, initiallyOpen, findings, p }: { g: FindingGroup; by: 'code' | 'namespace'; initiallyOpen: boolean; findings: readonly Finding[]; p: FindingsPanelProps }) {
  const [open, setOpen] = useState(initiallyOpen);
  return (
    <li className={`finding-group sev-${g.severity}`}>
      <details open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>
          <span className={`sev-dot sev-${g.severity}`} aria-label={g.severity} />
          <span className={by === 'code' ? 'mono' : ''}>{g.key === NODE_WIDE ? 'the node itself' : g.key}</span> <span className="finding-group-count">{g.indices.length}</span>
        </summary>
        {open && <FindingList indices={g.indices} findings={findings} p={p} />}
      </details>
    </li>
  );
}

/** Groups by code or namespace, each a line with its count that opens to its findings. */
function GroupedFindings({ findings, by, p }: { findings: readonly Finding[]; by: 'code' | 'namespace'; p: FindingsPanelProps }) {
  const groups = useMemo(() => groupFindings(findings, by), [findings, by]);
  return (
    <ul className="finding-groups" aria-label={`Findings by ${by}`}>
      {groups.map((g) => (
        <GroupItem key={`${by}:${g.key}`} g={g} by={by} initiallyOpen={groups.length === 1 || (p.selected !== undefined && g.indices.includes(p.selected))} findings={findings} p={p} />
      ))}
    </ul>
  );
}

/**
 * The doctor's findings beside the graph: by severity when they are few; grouped by code or by
 * namespace, with counts, when a big node has hundreds. Each finding says what is wrong, why and
 * what to do next, links to its code in docs/doctor.md, and lights its evidence on the graph.
 */
export function FindingsPanel(p: FindingsPanelProps) {
  const findings = p.result?.findings ?? [];
  const [chosen, setGrouping] = useState<Grouping | null>(null);
  const grouping: Grouping = chosen ?? (findings.length > SHOWN ? 'code' : 'severity');
  return (
    <section className="panel findings" aria-label="Findings">
      <h2>
        Findings{p.result?.focus ? <span className="muted"> · {p.result.focus}</span> : null}
        {p.result && <span className="findings-count muted"> {findings.length}</span>}
      </h2>
      {p.loading && !p.result && <p className="muted">Running the doctor…</p>}
      {p.error && <p className="error-text">{p.error.message}</p>}
      {p.result && findings.length === 0 && <p className="muted">Nothing wrong found: the node's rules do what the cluster asks.</p>}
      {findings.length > 1 && (
        <div className="finding-grouping" role="radiogroup" aria-label="Group findings by">
          {(['severity', 'code', 'namespace'] as const).map((g) => (
            <button key={g} type="button" role="radio" aria-checked={grouping === g} className={grouping === g ? 'active' : ''} onClick={() => setGrouping(g)}>
              {g}
            </button>
          ))}
        </div>
      )}
      {grouping !== 'severity' && <GroupedFindings findings={findings} by={grouping} p={p} />}
      {grouping === 'severity' &&
        SEVERITIES.map((sev) => {
          const indices = findings.flatMap((f, i) => (f.severity === sev ? [i] : []));
          if (indices.length === 0) return null;
          return (
            <div key={sev} className={`finding-group sev-${sev}`}>
              <h3>
                {sev} <span className="muted">({indices.length})</span>
              </h3>
              <FindingList indices={indices} findings={findings} p={p} />
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
