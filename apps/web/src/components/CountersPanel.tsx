import type { ApiError } from '../api/api-error';
import type { CountersResult, SnapshotMeta } from '../api/types';
import { formatPackets } from '../counters/counter-heat';

const when = (iso: string) => new Date(iso).toISOString().slice(0, 19).replace('T', ' ');

/**
 * "Compare counters with…": another snapshot of the same node; the graph is then coloured by the
 * rule counters that moved between the two. Lists where packets died and the busiest Services.
 */
export function CountersPanel(p: {
  readonly current: SnapshotMeta | undefined;
  readonly snapshots: readonly SnapshotMeta[];
  readonly since: string | undefined;
  readonly onChange: (since: string | undefined) => void;
  readonly result: CountersResult | undefined;
  readonly loading: boolean;
  readonly error: ApiError | null;
  /** Moved rules the graph in view does not show. */
  readonly unmatched: number;
}) {
  const others = p.current ? p.snapshots.filter((s) => s.node === p.current!.node && s.id !== p.current!.id) : [];
  const r = p.result;
  return (
    <section className="panel counters-panel" aria-label="Rule counters">
      <h2>Rule counters</h2>
      <label className="field">
        <span className="field-label">Compare counters with…</span>
        <select value={p.since ?? ''} onChange={(e) => p.onChange(e.target.value || undefined)} disabled={others.length === 0 && !p.since} aria-label="Compare counters with">
          <option value="">{others.length === 0 ? 'no other snapshot of this node' : 'none'}</option>
          {p.since && !others.some((s) => s.id === p.since) && <option value={p.since}>{p.since}</option>}
          {others.map((s) => (
            <option key={s.id} value={s.id}>
              {s.collection} · {when(s.takenAt)}
            </option>
          ))}
        </select>
      </label>
      {p.loading && <p className="muted">Comparing counters…</p>}
      {p.error && <p className="error-text">{p.error.message}</p>}
      {r && (
        <div className="counters-summary">
          <p className="muted">
            {r.moved.length} rules moved {r.seconds !== null ? `in ${Math.abs(r.seconds)} s` : ''}
            {r.seconds !== null && r.seconds < 0 ? ' (the compared snapshot is the later one)' : ''}
            {r.added > 0 ? ` · ${r.added} rules new` : ''}
            {r.removed > 0 ? ` · ${r.removed} gone` : ''}
            {p.unmatched > 0 ? ` · ${p.unmatched} not on this graph` : ''}
          </p>
          {r.died.length > 0 && (
            <>
              <h3>Where packets died</h3>
              <ul className="counters-died">
                {r.died.map((d) => (
                  <li key={`${d.table}/${d.chain}#${d.index}`}>
                    <b>
                      {formatPackets(d.packets)} × {d.died}
                    </b>{' '}
                    {d.table}/{d.chain} {d.index > 0 ? `rule ${d.index}` : 'policy'} · line {d.line}
                    {d.service ? ` · ${d.service}` : ''}
                  </li>
                ))}
              </ul>
            </>
          )}
          {r.services.length > 0 && (
            <>
              <h3>Services</h3>
              <ul className="counters-services">
                {r.services.slice(0, 8).map((s) => (
                  <li key={s.service}>
                    {s.service}: {formatPackets(s.connections)} new connections{s.died > 0 ? `, ${formatPackets(s.died)} packets died` : ''}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </section>
  );
}
