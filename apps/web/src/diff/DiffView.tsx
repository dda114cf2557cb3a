import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { RuleLine } from '@svcpath/diff';
import type { ApiError } from '../api/api-error';
import { snapshotsQuery } from '../api/queries';
import { diffPath, diffQuery } from './diff-query';
import { candidates, reportBlocks, summaryText, type ChangeRow } from './diff-view';
import './diff.css';

/**
 * "What changed": the snapshot in view against another one (the same node's first), per Service
 * port — endpoints, shares, affinity, NodePorts, REJECT/DROP, masquerade — each change with the rule
 * lines on both sides, and a Markdown link for change reviews. Self-contained: give it the
 * snapshot in view; it asks the server for /api/snapshots and /api/snapshots/:id/diff itself.
 */
export function DiffView(p: { readonly snapshotId: string; readonly initialTo?: string }) {
  const [to, setTo] = useState(p.initialTo ?? '');
  const list = useQuery(snapshotsQuery());
  const self = list.data?.snapshots.find((s) => s.id === p.snapshotId);
  const options = self ? candidates(self, list.data?.snapshots ?? []) : [];
  const diff = useQuery({ ...diffQuery(p.snapshotId, to), enabled: to !== '' });
  return (
    <section className="panel diff-view" aria-label="What changed">
      <h2>What changed</h2>
      <label className="field">
        <span className="field-label">Compare {p.snapshotId} with</span>
        <select value={to} aria-label="Compare with" onChange={(e) => setTo(e.target.value)}>
          <option value="">Choose a snapshot…</option>
          {options.map((c) => (
            <option key={c.id} value={c.id}>
              {c.id} ({c.takenAt.replace(/\.\d+Z$/, 'Z')})
            </option>
          ))}
        </select>
      </label>
      {list.isError && <p className="error-text">{(list.error as ApiError).message}</p>}
      {list.data && options.length === 0 && <p className="muted">No other snapshot to compare with: collect or import this node again.</p>}
      {to !== '' && diff.isPending && <p className="muted">Tracing every Service port on both snapshots…</p>}
      {diff.isError && (
        <p className="error-text" role="alert">
          {(diff.error as ApiError).message}
        </p>
      )}
      {diff.data && (
        <>
          <p>
            {summaryText(diff.data)}{' '}
            <a href={diffPath(p.snapshotId, to, 'markdown')} download={`diff-${p.snapshotId}-${to}.md`}>
              Markdown for the review
            </a>
          </p>
          {reportBlocks(diff.data).map((b) => (
            <div key={b.key} className="diff-port">
              <h3>
                {b.portName} <span className="muted">{b.key === 'node' ? '' : b.key}</span>
              </h3>
              <ul>
                {b.rows.map((r) => (
                  <Change key={r.key} row={r} />
                ))}
              </ul>
            </div>
          ))}
        </>
      )}
    </section>
  );
}

const TONE_MARK = { added: '+', removed: '−', changed: '~' } as const;

function Change({ row }: { readonly row: ChangeRow }) {
  return (
    <li className={`diff-change diff-${row.tone}`}>
      <details>
        <summary>
          <span aria-hidden="true">{TONE_MARK[row.tone]} </span>
          {row.text}
        </summary>
        <RuleLines title="before" lines={row.evidence.before} />
        <RuleLines title="after" lines={row.evidence.after} />
      </details>
    </li>
  );
}

function RuleLines({ title, lines }: { readonly title: string; readonly lines: readonly RuleLine[] }) {
  if (lines.length === 0) return null;
  return (
    <div className="diff-evidence">
      <div className="field-label">{title}</div>
      <ol>
        {lines.map((l) => (
          <li key={`${l.file}:${l.line}`}>
            <code>
              {l.file}:{l.line}
            </code>{' '}
            <code>{l.text}</code>
          </li>
        ))}
      </ol>
    </div>
  );
}
