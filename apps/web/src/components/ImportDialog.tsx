import { useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/api-error';
import { keys } from '../api/queries';
import type { UploadProgress } from '../api/upload-dump';

/** Pasting is for fragments from a ticket; anything bigger goes as a file, streamed. */
const PASTE_LIMIT = 2 * 1024 * 1024;

type State = { kind: 'idle' } | { kind: 'running'; progress: UploadProgress } | { kind: 'cancelled' } | { kind: 'failed'; error: ApiError };

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

function progressText(p: UploadProgress): string {
  switch (p.phase) {
    case 'waiting':
    case 'receiving':
      return `Uploading ${p.total ? Math.floor((100 * p.sent) / p.total) : 0}% (${mb(p.sent)} of ${mb(p.total)})`;
    case 'parsing':
      return 'Parsing the rules on the server…';
    case 'storing':
      return 'Storing the snapshot…';
    default:
      return p.phase;
  }
}

/** The progress bar: bytes while uploading, then indeterminate while the server parses and stores. */
function ImportProgress({ progress }: { progress: UploadProgress }) {
  const uploading = progress.phase === 'receiving' || progress.phase === 'waiting';
  return (
    <div className="import-progress" role="status" aria-live="polite">
      {uploading ? <progress max={progress.total || 1} value={progress.sent} aria-label="Upload" /> : <progress aria-label={progress.phase} />}
      <span className="import-phase" data-phase={progress.phase}>
        {progressText(progress)}
      </span>
    </div>
  );
}

/**
 * Import a node's dump (iptables-save, nft, ipvsadm) as a new snapshot: a chosen or dropped file is
 * streamed to the server as it is read from disk, with progress and a cancel; a pasted fragment
 * goes the same way. The page never holds a big dump in a text box or in React state.
 */
export function ImportDialog({ onImported }: { onImported: (id: string) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const pasteRef = useRef<HTMLTextAreaElement>(null);
  const cancelRef = useRef<AbortController | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [dragging, setDragging] = useState(false);
  const [state, setState] = useState<State>({ kind: 'idle' });
  const qc = useQueryClient();

  const run = async (form: HTMLFormElement) => {
    const data = new FormData(form);
    const pasted = pasteRef.current?.value ?? '';
    if (!file && pasted.trim() === '') return setState({ kind: 'failed', error: new ApiError(400, 'INVALID_REQUEST', 'Choose or drop a file, or paste a dump.') });
    if (!file && pasted.length > PASTE_LIMIT) return setState({ kind: 'failed', error: new ApiError(400, 'INVALID_REQUEST', `Pasted text is over ${mb(PASTE_LIMIT)}: choose the file instead.`) });
    const controller = new AbortController();
    cancelRef.current = controller;
    const input = {
      blob: file ?? new Blob([pasted], { type: 'text/plain' }),
      name: file?.name.replace(/[^\w.-]+/g, '_').slice(0, 200) || 'iptables-save.txt',
      node: String(data.get('node') ?? '').trim() || 'pasted',
      nodeIPs: String(data.get('nodeIPs') ?? '').split(/[\s,]+/).filter(Boolean),
    };
    setState({ kind: 'running', progress: { phase: 'receiving', sent: 0, total: input.blob.size } });
    try {
      // The upload code (and the zod schema it checks the server's answers with) loads when used.
      const { uploadDump } = await import('../api/upload-dump');
      const r = await uploadDump(input, (progress) => setState({ kind: 'running', progress }), controller.signal);
      await qc.invalidateQueries({ queryKey: keys.snapshots });
      setState({ kind: 'idle' });
      setFile(null);
      if (pasteRef.current) pasteRef.current.value = '';
      ref.current?.close();
      onImported(r.snapshot.id);
    } catch (e) {
      if (controller.signal.aborted) setState({ kind: 'cancelled' });
      else setState({ kind: 'failed', error: e instanceof ApiError ? e : new ApiError(0, 'ERROR', String(e)) });
    } finally {
      cancelRef.current = null;
    }
  };
  const running = state.kind === 'running';

  return (
    <>
      <button type="button" onClick={() => ref.current?.showModal()}>
        Import…
      </button>
      <dialog ref={ref} className="import-dialog" aria-label="Import a dump" onCancel={(e) => running && e.preventDefault()}>
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            void run(e.currentTarget);
          }}
        >
          <h2>Import a node's dump</h2>
          <p className="muted">
            Choose or drop a file (<code>iptables-save</code>, <code>nft list ruleset</code>, <code>ipvsadm -Ln</code>): it is sent as it is read, whatever its size. Paste for a fragment from a ticket.
          </p>
          <div className="field-row">
            <label className="field grow">
              <span className="field-label">Node name</span>
              <input name="node" placeholder="worker-1" disabled={running} />
            </label>
            <label className="field grow">
              <span className="field-label">Node IPs</span>
              <input name="nodeIPs" placeholder="192.168.0.2, …" disabled={running} />
            </label>
          </div>
          <label
            className={`drop-zone ${dragging ? 'dragging' : ''}`}
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={(e) => {
              e.preventDefault();
              setDragging(false);
              const f = e.dataTransfer.files[0];
              if (f && !running) setFile(f);
            }}
          >
            <span className="field-label">File</span>
            <input type="file" aria-label="Dump file" disabled={running} onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
            <span className="muted drop-hint">{file ? `${file.name} · ${mb(file.size)}` : 'or drop it here'}</span>
          </label>
          {file && !running && (
            <button type="button" className="link" onClick={() => setFile(null)}>
              Paste a fragment instead
            </button>
          )}
          {!file && (
            <label className="field">
              <span className="field-label">Or paste a fragment</span>
              <textarea ref={pasteRef} name="paste" rows={8} spellCheck={false} disabled={running} placeholder="*nat&#10;:KUBE-SERVICES - [0:0]&#10;-A KUBE-SERVICES …" />
            </label>
          )}
          {state.kind === 'running' && <ImportProgress progress={state.progress} />}
          {state.kind === 'cancelled' && (
            <p className="muted" role="status">
              Import cancelled; nothing was stored.
            </p>
          )}
          {state.kind === 'failed' && (
            <p className="error-text" role="alert">
              {state.error.message}
            </p>
          )}
          <div className="dialog-actions">
            {running ? (
              <button type="button" onClick={() => cancelRef.current?.abort()}>
                Cancel import
              </button>
            ) : (
              <button type="button" onClick={() => ref.current?.close()}>
                Close
              </button>
            )}
            <button type="submit" className="primary" disabled={running}>
              {running ? 'Importing…' : 'Import'}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
