import type { FleetRun } from './fleet-types';
import { groupProblems } from '@svcpath/fleet';

type Result = NonNullable<FleetRun['result']>;

function names(nodes: readonly string[], max = 8): string {
  return nodes.length <= max ? nodes.join(', ') : `${nodes.slice(0, max).join(', ')} and ${nodes.length - max} more`;
}

/** Beside the ports: nodes not compared (grouped by why), nodes with the most drift, the run's cost. */
export function FleetSidebar({ result }: { result: Result }) {
  const r = result.report;
  const problems = groupProblems(r.problems);
  return (
    <aside className="fleet-side" aria-label="Nodes">
      <section aria-labelledby="fleet-problems-title">
        <h2 id="fleet-problems-title">{r.problems.length === 0 ? 'Every node compared' : `${r.problems.length} ${r.problems.length === 1 ? 'node' : 'nodes'} not compared`}</h2>
        <ul className="fleet-problems">
          {problems.map((g) => (
            <li key={g.reason}>
              <b>{g.nodes.length} ×</b> {g.reason}
              <div className="muted">{names(g.nodes)}</div>
            </li>
          ))}
        </ul>
        {r.undetailed.length > 0 && (
          <p className="fleet-undetailed">
            <b>{r.undetailed.length}</b> nodes differ but sent no detail (their second Pod failed): {names(r.undetailed.map((u) => u.node))}
          </p>
        )}
      </section>
      {r.nodes.length > 0 && (
        <section aria-labelledby="fleet-worst-title">
          <h2 id="fleet-worst-title">Nodes with the most drift</h2>
          <ol className="fleet-worst">
            {r.nodes.slice(0, 10).map((n) => (
              <li key={n.node}>
                <span className="mono">{n.node}</span> <span className="muted">{n.ports} {n.ports === 1 ? 'port' : 'ports'}</span>
              </li>
            ))}
          </ol>
        </section>
      )}
      <section className="muted fleet-cost" aria-label="Run">
        Context <b>{result.context}</b>. {result.pods.created} digest Pods created, {result.pods.deleted} deleted
        {result.pods.notDeleted.length > 0 ? `, ${result.pods.notDeleted.length} left: kubectl delete pods -l app.kubernetes.io/managed-by=svcpath` : ''}; {Math.round(result.digestBytes[0] / 1024)} KiB of digests, {Math.round(result.digestBytes[1] / 1024)} KiB of detail.
        {result.dumps.length > 0 && (
          <div>
            Full dumps: {result.dumps.filter((d) => d.snapshotId).length} of {result.dumps.length} nodes stored as snapshots
            {result.dumps.some((d) => !d.snapshotId) ? ` (not: ${result.dumps.filter((d) => !d.snapshotId).map((d) => `${d.node}: ${d.problem ?? '?'}`).slice(0, 3).join('; ')})` : ''}.
          </div>
        )}
        {result.clusterProblems.map((m) => (
          <div key={m}>Cluster state: {m}</div>
        ))}
      </section>
    </aside>
  );
}
