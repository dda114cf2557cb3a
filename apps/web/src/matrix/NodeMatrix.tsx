import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ApiError } from '../api/api-error';
import { matrixQuery } from './matrix-query';
import type { FlowMatrix, MatrixPacket } from './matrix-types';
import { judgementText, packetOfForm, shareText } from './matrix-view';

/**
 * "Nodes side by side": every node of the snapshot's collection — which one programs its Services
 * differently (judged by the cluster state when the collection holds it) — and one packet traced
 * on every node, an outcome per row and a node per column. Self-contained: give it the snapshot
 * in view; it asks the server for /api/snapshots/:id/matrix itself.
 */
export function NodeMatrix(p: { readonly snapshotId: string; readonly initial?: Partial<MatrixPacket> }) {
  const [form, setForm] = useState({ from: p.initial?.src ?? 'node', to: p.initial?.dst ?? '', port: p.initial?.dport ? String(p.initial.dport) : '', proto: p.initial?.proto ?? 'tcp' });
  const [packet, setPacket] = useState<MatrixPacket | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const q = useQuery(matrixQuery(p.snapshotId, packet));
  // The answer lands below the form: bring it into view (details where the click was).
  const answer = useRef<HTMLDivElement>(null);
  const matrix = q.data?.matrix;
  useEffect(() => {
    if (matrix) answer.current?.scrollIntoView({ block: 'nearest' });
  }, [matrix]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const read = packetOfForm(form);
    if ('error' in read) setFormError(read.error);
    else {
      setFormError(null);
      setPacket(read);
    }
  };
  const field = (name: keyof typeof form, label: string, placeholder: string) => (
    <label className="field">
      <span className="field-label">{label}</span>
      <input value={form[name]} placeholder={placeholder} aria-label={label} onChange={(e) => setForm({ ...form, [name]: e.target.value })} />
    </label>
  );
  return (
    <section className="panel node-matrix" aria-label="Nodes side by side">
      <h2>Nodes side by side</h2>
      {q.isPending && <p className="muted">Comparing the nodes…</p>}
      {q.isError && <p className="error-text">{(q.error as ApiError).message}</p>}
      {q.data && q.data.nodes.length < 2 && <p className="muted">This collection holds one node: collect another node into it (Collect…) to compare them.</p>}
      {q.data && q.data.nodes.length >= 2 && (
        <>
          <p>{judgementText(q.data)}</p>
          {q.data.findings.length > 0 && (
            <ul className="matrix-findings">
              {q.data.findings.map((f) => (
                <li key={`${f.service ?? ''}|${f.node ?? ''}`}>
                  <strong>{f.title}</strong>
                  <div className="muted">{f.explanation}</div>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <form onSubmit={submit} aria-label="Trace one packet on every node">
        {field('from', 'From', 'IP, or node')}
        {field('to', 'To', '172.30.0.44')}
        {field('port', 'Port', '80')}
        <label className="field">
          <span className="field-label">Protocol</span>
          <select value={form.proto} aria-label="Protocol" onChange={(e) => setForm({ ...form, proto: e.target.value as MatrixPacket['proto'] })}>
            <option value="tcp">TCP</option>
            <option value="udp">UDP</option>
            <option value="sctp">SCTP</option>
          </select>
        </label>
        <button type="submit">Trace on every node</button>
      </form>
      {formError && (
        <p className="error-text" role="alert">
          {formError}
        </p>
      )}
      <div ref={answer}>{matrix && <MatrixTable m={matrix} />}</div>
    </section>
  );
}

function MatrixTable({ m }: { readonly m: FlowMatrix }) {
  const nodes = m.nodes.map((n) => n.node);
  return (
    <table className="matrix-table" aria-label="Outcome per node">
      <caption>
        {m.packet.src ?? 'each node itself'} → {m.packet.dst}:{m.packet.dport}/{m.packet.proto}
        {m.differs ? ' — the nodes disagree (rows marked ≠)' : ' — every node gives the same outcomes'}
      </caption>
      <thead>
        <tr>
          <th scope="col">Outcome</th>
          {nodes.map((n) => (
            <th key={n} scope="col">
              {n}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {m.rows.map((r) => (
          <tr key={r.outcome} className={r.same ? undefined : 'differs'}>
            <th scope="row">
              {r.same ? '' : '≠ '}
              {r.outcome}
              {r.service ? ` (${r.service})` : ''}
              {r.goneEndpoint ? ' — no longer an endpoint' : ''}
            </th>
            {nodes.map((n) => (
              <td key={n}>{shareText(r.shares[n] ?? 0)}</td>
            ))}
          </tr>
        ))}
        <tr>
          <th scope="row">Delivered</th>
          {m.nodes.map((s) => (
            <td key={s.node}>{s.src === null ? 'no address to send from' : shareText(s.delivered)}</td>
          ))}
        </tr>
      </tbody>
    </table>
  );
}
