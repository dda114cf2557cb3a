import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/api-error';
import { jobQuery, keys, startCollection } from '../api/queries';
import { collectAdvice, presentedFingerprint } from './collect-advice';

/**
 * "Collect from a node": starts a collection on the server (the cluster through the server's
 * kubeconfig, the node's dumps over the server's SSH setup) and follows the job until it ends.
 */
export function CollectDialog({ onCollected }: { onCollected: (id: string) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [node, setNode] = useState('');
  const [context, setContext] = useState('');
  const [host, setHost] = useState('');
  const [user, setUser] = useState('');
  const [jobId, setJobId] = useState<string | null>(null);
  const [accept, setAccept] = useState<string | null>(null);
  const qc = useQueryClient();
  const start = useMutation({
    mutationFn: () =>
      startCollection({
        node: node.trim(),
        ...(context.trim() ? { context: context.trim() } : {}),
        ...(host.trim() ? { ssh: { host: host.trim(), ...(user.trim() ? { user: user.trim() } : {}) } } : {}),
        ...(accept && host.trim() ? { acceptFingerprint: accept } : {}),
      }),
    onSuccess: (job) => setJobId(job.id),
  });
  const job = useQuery({ ...jobQuery(jobId ?? ''), enabled: !!jobId });
  const j = job.data;
  const finished = j && j.state !== 'running';
  const stored = j?.state === 'succeeded' ? j.id : null;
  useEffect(() => {
    if (stored) void qc.invalidateQueries({ queryKey: keys.snapshots });
  }, [stored, qc]);
  const err = start.error instanceof ApiError ? start.error : job.error instanceof ApiError ? job.error : null;
  return (
    <>
      <button type="button" onClick={() => ref.current?.showModal()}>
        Collect…
      </button>
      <dialog ref={ref} className="import-dialog" aria-label="Collect from a node">
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            setJobId(null);
            start.mutate();
          }}
        >
          <h2>Collect from a node</h2>
          <p className="muted">
            The server reads the cluster with its kubeconfig and the node's rules over SSH (its own <code>~/.ssh</code> keys and known_hosts). Without an SSH host only the cluster is read.
          </p>
          <div className="field-row">
            <label className="field grow">
              <span className="field-label">Node name</span>
              <input name="collect-node" value={node} onChange={(e) => setNode(e.target.value)} placeholder="worker-1" required />
            </label>
            <label className="field grow">
              <span className="field-label">kubeconfig context</span>
              <input name="collect-context" value={context} onChange={(e) => setContext(e.target.value)} placeholder="current context" />
            </label>
          </div>
          <div className="field-row">
            <label className="field grow">
              <span className="field-label">SSH host</span>
              <input name="collect-host" value={host} onChange={(e) => setHost(e.target.value)} placeholder="10.0.0.5 or an ssh_config alias" />
            </label>
            <label className="field grow">
              <span className="field-label">SSH user</span>
              <input name="collect-user" value={user} onChange={(e) => setUser(e.target.value)} placeholder="from ssh_config" />
            </label>
          </div>
          {err && (
            <p className="error-text" role="alert">
              {err.message}
            </p>
          )}
          {j && (
            <div className="job" role="status" aria-label="Collection progress">
              <p className={`job-state job-${j.state}`}>
                {j.state === 'running' ? 'Collecting' : j.state === 'succeeded' ? (j.problems.length > 0 ? 'Collected (partial)' : 'Collected') : 'Failed'} {j.node}
                {j.progress.total > 0 && ` · ${j.progress.done} of ${j.progress.total} commands`} · {j.progress.step}
              </p>
              {j.progress.total > 0 && <progress max={j.progress.total} value={j.progress.done} />}
              {j.problems.length > 0 && (
                <ul className="job-problems">
                  {j.problems.map((p, i) => (
                    <li key={i}>
                      <span className="mono">
                        {p.source}:{p.subject} {p.code}
                      </span>{' '}
                      {p.message}
                    </li>
                  ))}
                </ul>
              )}
              {j.error && <CollectFailure code={j.error.code} message={j.error.message} accepted={accept} onAccept={(fp) => setAccept(fp)} />}
            </div>
          )}
          <div className="dialog-actions">
            <button type="button" onClick={() => ref.current?.close()}>
              Close
            </button>
            {j?.result ? (
              <button
                type="button"
                className="primary"
                onClick={() => {
                  ref.current?.close();
                  onCollected(j.result!.snapshotId);
                }}
              >
                Open {j.result.snapshotId}
              </button>
            ) : (
              <button type="submit" className="primary" disabled={start.isPending || (!!j && !finished)}>
                {j && !finished ? 'Collecting…' : j?.state === 'failed' ? (accept ? 'Trust the key and collect again' : 'Collect again') : 'Collect'}
              </button>
            )}
          </div>
        </form>
      </dialog>
    </>
  );
}

/**
 * A failed collection: the collector's reason, what to do about it, and for a host the server has
 * never seen its fingerprint with an explicit step to trust it (the next attempt sends it).
 */
function CollectFailure({ code, message, accepted, onAccept }: { code: string; message: string; accepted: string | null; onAccept: (fingerprint: string) => void }) {
  const advice = collectAdvice(code);
  const fp = code === 'host-key-unknown' ? presentedFingerprint(message) : null;
  return (
    <div className="collect-failure" role="alert">
      <p className="error-text">
        <b>Failed ({code}):</b> {message}
      </p>
      {advice && <p className="muted">{advice}</p>}
      {fp && (
        <label className="accept-key">
          <input type="checkbox" checked={accepted === fp} onChange={(e) => e.target.checked && onAccept(fp)} /> I checked the node's key: trust <code>{fp}</code> for the next attempt
        </label>
      )}
      <p className="muted">No snapshot was added. Fix the input above and collect again.</p>
    </div>
  );
}
