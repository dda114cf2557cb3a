import { useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/api-error';
import { snapshotsQuery } from '../api/queries';
import { useTheme } from '../theme';
import { DriftList } from './DriftList';
import { FleetSidebar } from './FleetSidebar';
import { cancelFleetRun, fleetKeys, latestFleetRunQuery, startFleetRun } from './fleet-query';
import type { FleetRun, FleetRunRequest } from './fleet-types';
import { snapshotByNode, summaryOf } from './fleet-view';
import './fleet.css';

function RunForm({ running, onStart, onCancel }: { running: FleetRun | null; onStart: (request: FleetRunRequest) => void; onCancel: () => void }) {
  const [selector, setSelector] = useState('');
  const [dumps, setDumps] = useState(false);
  return (
    <form
      className="fleet-form"
      onSubmit={(e) => {
        e.preventDefault();
        onStart({ ...(selector.trim() ? { selector: selector.trim() } : {}), ...(dumps ? { dumps: 'disagreeing' as const } : {}) });
      }}
    >
      <label className="field">
        <span className="field-label">Nodes (label selector)</span>
        <input name="selector" value={selector} onChange={(e) => setSelector(e.target.value)} placeholder="all nodes, or e.g. node-role.kubernetes.io/worker" disabled={!!running} />
      </label>
      <label className="fleet-check">
        <input type="checkbox" checked={dumps} onChange={(e) => setDumps(e.target.checked)} disabled={!!running} />
        Then fetch full dumps of the nodes that disagree (snapshots to trace on)
      </label>
      {running ? (
        <button type="button" onClick={onCancel}>
          Cancel run
        </button>
      ) : (
        <button type="submit" className="primary">
          Check every node
        </button>
      )}
    </form>
  );
}

function Progress({ run }: { run: FleetRun }) {
  const p = run.progress;
  const pct = p.total === 0 ? 0 : Math.round((100 * p.done) / p.total);
  const round = ['Reading the cluster state', 'Round 1: a digest from every node', 'Round 2: detail from the nodes that differ', 'Round 3: full dumps of the nodes that differ'][p.round];
  return (
    <div className="fleet-progress" role="status" aria-live="polite">
      <div>
        <b>{round}</b> — {p.done} of {p.total} nodes{p.failed > 0 ? `, ${p.failed} without a digest` : ''}. <span className="muted">{p.step}</span>
      </div>
      <progress max={100} value={pct} aria-label="Nodes done" />
    </div>
  );
}

function Headline({ run }: { run: FleetRun }) {
  const r = run.result!.report;
  const s = summaryOf(r);
  const modes = Object.entries(r.modes).map(([m, n]) => `${n} ${m}`).join(', ') || 'none';
  const partial = run.state === 'cancelled' || s.notCompared > 0 || s.undetailed > 0;
  return (
    <div className="fleet-headline">
      <div className="fleet-big">
        <span className="fleet-agree">
          <b>{s.agree}</b> agree
        </span>
        <span className="fleet-disagree">
          <b>{s.disagree}</b> disagree
        </span>
        {s.notCompared > 0 && (
          <span className="fleet-missing">
            <b>{s.notCompared}</b> not compared
          </span>
        )}
      </div>
      <div className="muted">
        {run.result!.nodes} nodes of {run.result!.context} ({modes}) against {r.servicePorts} Service ports in the cluster state · finished {run.finishedAt ? new Date(run.finishedAt).toLocaleString() : ''}
      </div>
      {partial && (
        <div className="fleet-partial" role="note">
          {run.state === 'cancelled' ? 'Cancelled: ' : 'Partial: '}
          {s.notCompared > 0 ? `${s.notCompared} ${s.notCompared === 1 ? 'node' : 'nodes'} gave no digest (why: on the right)` : 'every selected node was compared'}
          {s.undetailed > 0 ? `; ${s.undetailed} differ without detail` : ''}.
        </div>
      )}
    </div>
  );
}

/** The fleet view: which nodes disagree with the cluster state, per Service port (see docs/deploy.md). */
export default function FleetPage() {
  const [theme, toggleTheme] = useTheme();
  const client = useQueryClient();
  const latest = useQuery(latestFleetRunQuery());
  const snapshots = useQuery(snapshotsQuery());
  const [actionError, setActionError] = useState<string | null>(null);
  const run = latest.data?.run ?? null;
  // The run's own snapshots (round 3) first: the snapshot list may not have been refetched yet.
  const byNode = useMemo(() => {
    const m = new Map(snapshotByNode(snapshots.data?.snapshots ?? []));
    for (const d of run?.result?.dumps ?? []) if (d.snapshotId) m.set(d.node, d.snapshotId);
    return m;
  }, [snapshots.data, run]);
  const running = run?.state === 'running' ? run : null;
  const act = (p: Promise<{ run: FleetRun }>) =>
    p.then(
      ({ run: next }) => {
        setActionError(null);
        client.setQueryData(fleetKeys.latest, { run: next });
      },
      (e: unknown) => setActionError(e instanceof ApiError ? e.message : String(e)),
    );

  return (
    <div className="fleet-page">
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true">◇</span> svcpath <span className="muted">· fleet</span>
        </div>
        <a href="/">Snapshots</a>
        <div className="spacer" />
        <button type="button" className="theme-toggle" onClick={toggleTheme} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
          {theme === 'dark' ? '☀' : '☾'}
        </button>
      </header>
      <main className="fleet-main">
        <h1>Which nodes disagree with the cluster state?</h1>
        <RunForm running={running} onStart={(request) => void act(startFleetRun(request))} onCancel={() => running && void act(cancelFleetRun(running.id))} />
        {actionError && <div className="fleet-error" role="alert">{actionError}</div>}
        {latest.isPending && <p className="muted">Loading the latest fleet run…</p>}
        {latest.error && <div className="fleet-error" role="alert">Cannot load the fleet run: {latest.error.message}</div>}
        {latest.data && !run && <p className="fleet-empty">No fleet run yet. "Check every node" starts one short-lived Pod per node (20 at a time) that reports the node's kube-proxy rules as a digest; each Pod is deleted when done.</p>}
        {running && <Progress run={running} />}
        {run?.state === 'failed' && (
          <div className="fleet-error" role="alert">
            The fleet run failed: {run.error?.message ?? 'no reason given'}
          </div>
        )}
        {run?.result && !running && (
          <>
            <Headline run={run} />
            <div className="fleet-columns">
              <DriftList key={run.id} drift={run.result.report.drift} snapshots={byNode} />
              <FleetSidebar result={run.result} />
            </div>
          </>
        )}
      </main>
    </div>
  );
}
