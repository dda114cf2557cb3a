import { useRef, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/api-error';
import { importSnapshot, keys } from '../api/queries';

/** Paste or upload a node's dump (iptables-save) as a new snapshot. */
export function ImportDialog({ onImported }: { onImported: (id: string) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [node, setNode] = useState('');
  const [nodeIPs, setNodeIPs] = useState('');
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState('iptables-save.txt');
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: () => importSnapshot({ node: node.trim() || 'pasted', nodeIPs: nodeIPs.split(/[\s,]+/).filter(Boolean), files: [{ name: fileName, text }] }),
    onSuccess: async (r) => {
      await qc.invalidateQueries({ queryKey: keys.snapshots });
      ref.current?.close();
      setText('');
      onImported(r.snapshot.id);
    },
  });
  const err = m.error instanceof ApiError ? m.error : null;
  return (
    <>
      <button type="button" onClick={() => ref.current?.showModal()}>
        Import…
      </button>
      <dialog ref={ref} className="import-dialog" aria-label="Import a dump">
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            m.mutate();
          }}
        >
          <h2>Import a node's dump</h2>
          <p className="muted">Paste <code>iptables-save</code> output (or a fragment from a ticket), or choose a file. It stays on this server, in memory.</p>
          <div className="field-row">
            <label className="field grow">
              <span className="field-label">Node name</span>
              <input value={node} onChange={(e) => setNode(e.target.value)} placeholder="worker-1" />
            </label>
            <label className="field grow">
              <span className="field-label">Node IPs</span>
              <input value={nodeIPs} onChange={(e) => setNodeIPs(e.target.value)} placeholder="192.168.0.2, …" />
            </label>
          </div>
          <label className="field">
            <span className="field-label">File</span>
            <input
              type="file"
              onChange={async (e) => {
                const f = e.target.files?.[0];
                if (f) {
                  setFileName(f.name);
                  setText(await f.text());
                }
              }}
            />
          </label>
          <label className="field">
            <span className="field-label">Dump</span>
            <textarea value={text} onChange={(e) => setText(e.target.value)} rows={12} spellCheck={false} placeholder="*nat&#10;:KUBE-SERVICES - [0:0]&#10;-A KUBE-SERVICES …" required />
          </label>
          {err && <p className="error-text" role="alert">{err.message}</p>}
          <div className="dialog-actions">
            <button type="button" onClick={() => ref.current?.close()}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={m.isPending}>
              {m.isPending ? 'Parsing…' : 'Import'}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
