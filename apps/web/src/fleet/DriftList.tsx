import { useState } from 'react';
import type { DriftGroup, PortDrift } from './fleet-types';
import { filterDrift, groupLines, traceLink } from './fleet-view';

/** Rows rendered before "show more": a 5,000-node answer stays one screen plus a scroll. */
const PAGE = 100;
const NODES_SHOWN = 12;

function NodeChips({ nodes, portName, snapshots }: { nodes: readonly string[]; portName: string; snapshots: ReadonlyMap<string, string> }) {
  const [all, setAll] = useState(false);
  const shown = all ? nodes : nodes.slice(0, NODES_SHOWN);
  return (
    <ul className="fleet-nodes" aria-label="Nodes">
      {shown.map((n) => {
        const id = snapshots.get(n);
        return (
          <li key={n}>
            {id ? (
              <a className="fleet-node has-trace" href={traceLink(id, portName)} title={`Open ${n}'s snapshot on this Service, to trace a packet`}>
                {n}
              </a>
            ) : (
              <span className="fleet-node" title={`No snapshot of ${n}: collect one (svcpath collect --node ${n} --via-pod --pod-namespace svcpath-nodes) to trace it`}>
                {n}
              </span>
            )}
          </li>
        );
      })}
      {nodes.length > NODES_SHOWN && (
        <li>
          <button type="button" className="link" onClick={() => setAll(!all)}>
            {all ? 'fewer' : `and ${nodes.length - NODES_SHOWN} more`}
          </button>
        </li>
      )}
    </ul>
  );
}

function Group({ g, portName, snapshots }: { g: DriftGroup; portName: string; snapshots: ReadonlyMap<string, string> }) {
  return (
    <li className="fleet-group">
      <div className="fleet-group-head">
        <b>{g.nodes.length} {g.nodes.length === 1 ? 'node' : 'nodes'}</b>
        <ul className="fleet-ways">
          {groupLines(g).map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      </div>
      <NodeChips nodes={g.nodes} portName={portName} snapshots={snapshots} />
    </li>
  );
}

function PortRow({ p, open, onToggle, snapshots }: { p: PortDrift; open: boolean; onToggle: () => void; snapshots: ReadonlyMap<string, string> }) {
  const total = p.agree + p.disagree;
  const bad = total === 0 ? 0 : (100 * p.disagree) / total;
  return (
    <li className={`fleet-port${open ? ' open' : ''}`}>
      <button type="button" className="fleet-port-head" aria-expanded={open} onClick={onToggle}>
        <span className="fleet-port-name">{p.portName}</span>
        <span className="fleet-bar" aria-hidden="true">
          <span className="fleet-bar-bad" style={{ width: `${Math.max(bad, 1.5)}%` }} />
        </span>
        <span className="fleet-counts">
          <span className="fleet-agree">{p.agree} agree</span> · <span className="fleet-disagree">{p.disagree} disagree</span>
          {p.groups.length > 1 ? ` · ${p.groups.length} ways` : ''}
        </span>
      </button>
      {open && (
        <ul className="fleet-groups" aria-label={`How nodes disagree on ${p.portName}`}>
          {p.groups.map((g, i) => (
            <Group key={i} g={g} portName={p.portName} snapshots={snapshots} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** Service ports some node disagrees on, most disagreeing first; a row opens its groups in place. */
export function DriftList({ drift, snapshots }: { drift: readonly PortDrift[]; snapshots: ReadonlyMap<string, string> }) {
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState<string | null>(drift.length === 1 ? drift[0]!.portName : null);
  const [limit, setLimit] = useState(PAGE);
  const shown = filterDrift(drift, query);
  return (
    <section className="fleet-drift" aria-labelledby="fleet-drift-title">
      <div className="fleet-drift-bar">
        <h2 id="fleet-drift-title">
          {drift.length} Service {drift.length === 1 ? 'port' : 'ports'} with drift
        </h2>
        <input type="search" aria-label="Find a Service port" placeholder="namespace, Service or port…" value={query} onChange={(e) => setQuery(e.target.value)} />
      </div>
      {drift.length > 0 && <p className="muted fleet-hint">Open a port to see how its nodes differ; a node in blue has a snapshot — click it to trace on that node.</p>}
      {shown.length === 0 && <p className="muted">{drift.length === 0 ? 'No Service port drifts on any compared node.' : `No Service port matches "${query}".`}</p>}
      <ul className="fleet-ports">
        {shown.slice(0, limit).map((p) => (
          <PortRow key={p.portName} p={p} open={open === p.portName} onToggle={() => setOpen(open === p.portName ? null : p.portName)} snapshots={snapshots} />
        ))}
      </ul>
      {shown.length > limit && (
        <button type="button" onClick={() => setLimit(limit + PAGE)}>
          Show {Math.min(PAGE, shown.length - limit)} more of {shown.length - limit}
        </button>
      )}
    </section>
  );
}
