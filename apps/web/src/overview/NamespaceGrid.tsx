import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { overviewQuery } from '../api/queries';
import type { NamespaceSummary } from '../api/types';
import type { FindingTally } from './finding-tally';
import { compareNames, formatCount as fmt } from './locale-text';

type Sort = 'findings' | 'name' | 'services' | 'no-endpoints';
/** Cards drawn at once; past this, filtering narrows the list. */
const SHOWN = 300;

function sorted(list: readonly NamespaceSummary[], sort: Sort, findings: ReadonlyMap<string, number>): NamespaceSummary[] {
  const by: Record<Sort, (a: NamespaceSummary, b: NamespaceSummary) => number> = {
    name: (a, b) => compareNames(a.name, b.name),
    services: (a, b) => b.services - a.services,
    'no-endpoints': (a, b) => b.noEndpoints - a.noEndpoints,
    findings: (a, b) => (findings.get(b.name) ?? 0) - (findings.get(a.name) ?? 0),
  };
  return [...list].sort((a, b) => by[sort](a, b) || compareNames(a.name, b.name));
}

/**
 * The node at a glance, whatever its size: one card per namespace with its Services, endpoints,
 * Services without endpoints and the doctor's findings; filter, sort, open one.
 */
export function NamespaceGrid({ snapshot, tally, onOpen }: { snapshot: string; tally: FindingTally; onOpen: (ns: string) => void }) {
  const q = useQuery(overviewQuery(snapshot));
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<Sort>('findings');
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const list = q.data ? q.data.namespaces.filter((n) => n.name.toLowerCase().includes(f)) : [];
    return sorted(list, sort, tally.byNamespace);
  }, [q.data, filter, sort, tally.byNamespace]);
  if (q.error) return <div className="graph-message error">{q.error.message}</div>;
  if (!q.data) return <div className="graph-message">Loading the overview…</div>;
  const o = q.data;
  return (
    <section className="overview" aria-label="Namespaces">
      <header className="overview-head">
        <h2>
          {fmt(o.services)} Services in {fmt(o.namespaces.length)} namespaces
        </h2>
        <p className="muted overview-totals">
          {fmt(o.servicePorts)} ports · {fmt(o.endpoints)} endpoints · <span className={o.noEndpoints ? 'warn-text' : ''}>{fmt(o.noEndpoints)} Services without endpoints</span> ·{' '}
          {tally.state === 'loaded' ? `${fmt(tally.total)} findings` : tally.state === 'failed' ? 'findings unavailable' : 'checking findings…'}
        </p>
        <div className="overview-tools">
          <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Filter namespaces" aria-label="Filter namespaces" />
          <label className="overview-sort">
            Sort by{' '}
            <select value={sort} onChange={(e) => setSort(e.target.value as Sort)} aria-label="Sort namespaces">
              <option value="findings">findings</option>
              <option value="no-endpoints">without endpoints</option>
              <option value="services">Services</option>
              <option value="name">name</option>
            </select>
          </label>
        </div>
      </header>
      {shown.length === 0 && <p className="muted">No namespace matches “{filter}”.</p>}
      <ul className="ns-grid">
        {shown.slice(0, SHOWN).map((n) => {
          const findings = tally.byNamespace.get(n.name) ?? 0;
          return (
            <li key={n.name}>
              <button type="button" className="ns-card" onClick={() => onOpen(n.name)} aria-label={`Namespace ${n.name}: ${n.services} Services, ${findings} findings`}>
                <span className="ns-name">{n.name}</span>
                {/* One string per element: JSX's `{a} b {c}` makes a text node (and a React fiber) per
                    piece, ~1,200 of them over 100 cards, built and laid out on the first paint. */}
                <span className="ns-count">{`${fmt(n.services)} Service${n.services === 1 ? '' : 's'} · ${fmt(n.endpoints)} endpoints`}</span>
                <span className="ns-badges">
                  {n.noEndpoints > 0 && <span className="badge badge-no-endpoints">{`${fmt(n.noEndpoints)} without endpoints`}</span>}
                  {findings > 0 && <span className="badge badge-findings">{`${fmt(findings)} findings`}</span>}
                  {n.nodePorts > 0 && <span className="badge">{`${fmt(n.nodePorts)} NodePort`}</span>}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {shown.length > SHOWN && <p className="muted">{fmt(shown.length - SHOWN)} more namespaces: filter to narrow the list.</p>}
    </section>
  );
}
