import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { namespaceServicesQuery } from '../api/queries';
import type { ServiceRow } from '../api/types';
import type { FindingTally } from './finding-tally';
import { VirtualRows } from './VirtualRows';

type Sort = 'findings' | 'name' | 'endpoints';
const ROW = 34;

function matches(r: ServiceRow, f: string): boolean {
  return !f || r.name.includes(f) || (r.clusterIP?.startsWith(f) ?? false) || r.ports.some((p) => p.startsWith(f)) || r.nodePorts.some((p) => String(p).startsWith(f));
}

/**
 * One Service as a row: open it with a click or Enter. A pointer resting on it, or the focus, says
 * it may be opened next (`onPreview`), and leaving says it was not.
 */
function Row({ r, findings, onOpen, onPreview }: { r: ServiceRow; findings: number; onOpen: (id: string) => void; onPreview?: ((id: string, near: boolean) => void) | undefined }) {
  const near = onPreview ? () => onPreview(r.id, true) : undefined;
  const away = onPreview ? () => onPreview(r.id, false) : undefined;
  return (
    <button type="button" className="svc-row" onClick={() => onOpen(r.id)} onPointerEnter={near} onPointerLeave={away} onFocus={near} onBlur={away} title={`Open ${r.id}`}>
      <span className="svc-row-name">{r.name}</span>
      <span className="mono muted">{r.clusterIP ?? '—'}</span>
      <span className="mono muted">{r.ports.join(', ') || '—'}</span>
      <span className="mono muted">{r.nodePorts.length ? `NodePort ${r.nodePorts.join(',')}` : ''}</span>
      <span className="muted">{r.endpoints} endpoint{r.endpoints === 1 ? '' : 's'}</span>
      <span className="svc-row-badges">
        {r.noEndpoints && <span className="badge badge-no-endpoints">no endpoints</span>}
        {r.affinity && <span className="badge">affinity</span>}
        {findings > 0 && <span className="badge badge-findings">{findings} finding{findings === 1 ? '' : 's'}</span>}
      </span>
    </button>
  );
}

/**
 * One namespace's Services as a list a person can read, however many there are: filter by name,
 * ClusterIP or port, sort by findings, open one to draw its graph. Only the rows in view are drawn.
 */
export function NamespaceServices({
  snapshot,
  namespace,
  tally,
  onOpen,
  onPreview,
}: {
  snapshot: string;
  namespace: string;
  tally: FindingTally;
  onOpen: (id: string) => void;
  onPreview?: ((id: string, near: boolean) => void) | undefined;
}) {
  const q = useQuery(namespaceServicesQuery(snapshot, namespace));
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<Sort>('findings');
  const rows = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const list = (q.data?.services ?? []).filter((r) => matches(r, f));
    const n = (r: ServiceRow) => tally.byService.get(r.id) ?? 0;
    const by: Record<Sort, (a: ServiceRow, b: ServiceRow) => number> = {
      findings: (a, b) => n(b) - n(a) || Number(b.noEndpoints) - Number(a.noEndpoints),
      endpoints: (a, b) => b.endpoints - a.endpoints,
      name: () => 0,
    };
    return list.sort((a, b) => by[sort](a, b) || a.name.localeCompare(b.name));
  }, [q.data, filter, sort, tally.byService]);
  if (q.error) return <div className="graph-message error">{q.error.message}</div>;
  if (!q.data) return <div className="graph-message">Loading namespace {namespace}…</div>;
  const total = q.data.services.length;
  return (
    <section className="overview" aria-label={`Services of namespace ${namespace}`}>
      <header className="overview-head">
        <h2>
          Namespace {namespace} <span className="muted">· {total} Service{total === 1 ? '' : 's'}</span>
        </h2>
        <div className="overview-tools">
          <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Filter by name, ClusterIP or port" aria-label="Filter Services" />
          <label className="overview-sort">
            Sort by{' '}
            <select value={sort} onChange={(e) => setSort(e.target.value as Sort)} aria-label="Sort Services">
              <option value="findings">findings</option>
              <option value="endpoints">endpoints</option>
              <option value="name">name</option>
            </select>
          </label>
          <span className="muted" aria-live="polite">
            {rows.length === total ? '' : `${rows.length} of ${total}`}
          </span>
        </div>
      </header>
      {rows.length === 0 ? (
        <p className="muted">No Service matches “{filter}”.</p>
      ) : (
        <>
          <div className="svc-row svc-row-head" aria-hidden="true">
            <span>Service</span>
            <span>ClusterIP</span>
            <span>Ports</span>
            <span>NodePorts</span>
            <span>Endpoints</span>
            <span>Flags</span>
          </div>
          <VirtualRows items={rows} rowHeight={ROW} height={Math.min(rows.length * ROW, 560)} label="Services" render={(r) => <Row r={r} findings={tally.byService.get(r.id) ?? 0} onOpen={onOpen} onPreview={onPreview} />} />
        </>
      )}
    </section>
  );
}
