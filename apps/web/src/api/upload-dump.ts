import { ImportStatus, importEnded, type ImportPhase } from '@svcpath/api-contract';
import { ApiError } from './api-error';
import { fetchJson, postJson } from './client';
import type { SnapshotDetail } from './types';

/** Where an upload is: the bytes the browser has sent, then the server's own phase. */
export interface UploadProgress {
  readonly phase: ImportPhase;
  readonly sent: number;
  readonly total: number;
}

export interface UploadInput {
  /** A chosen or dropped File (read from disk by the browser as it sends), or a pasted fragment as a Blob. */
  readonly blob: Blob;
  readonly name: string;
  readonly node: string;
  readonly nodeIPs: readonly string[];
}

/** How often the server's phase is asked for while it parses and stores. */
const POLL_MS = 250;

function errorOf(xhr: XMLHttpRequest): ApiError {
  try {
    const err = (JSON.parse(xhr.responseText) as { error?: { code?: string; message?: string; details?: unknown } }).error;
    return new ApiError(xhr.status, err?.code ?? 'HTTP_ERROR', err?.message ?? `import failed (${xhr.status})`, err?.details ?? null);
  } catch {
    return new ApiError(xhr.status, xhr.status ? 'BAD_RESPONSE' : 'NETWORK', xhr.status ? `import failed (${xhr.status})` : 'the upload was interrupted');
  }
}

/** PUTs the body with XMLHttpRequest: fetch cannot report upload progress. */
function putBody(id: string, blob: Blob, onSent: (sent: number) => void, signal: AbortSignal): Promise<SnapshotDetail> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', `/api/imports/${encodeURIComponent(id)}/body`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => onSent(e.loaded);
    xhr.onload = () => (xhr.status === 201 ? resolve(JSON.parse(xhr.responseText) as SnapshotDetail) : reject(errorOf(xhr)));
    xhr.onerror = () => reject(errorOf(xhr));
    xhr.onabort = () => reject(new ApiError(499, 'CANCELLED', 'the import was cancelled'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(blob);
  });
}

/**
 * Imports a dump as a stream: announces it, sends the bytes (the browser reads a File from disk as
 * it goes, so nothing big is held in the page) and follows the server's phases until the snapshot
 * is stored. Aborting `signal` stops the upload and cancels the import on the server.
 */
export async function uploadDump(input: UploadInput, onProgress: (p: UploadProgress) => void, signal: AbortSignal): Promise<SnapshotDetail> {
  const total = input.blob.size;
  const { import: started } = await postJson<{ import: ImportStatus }>('/api/imports', { node: input.node, nodeIPs: input.nodeIPs, name: input.name, bytes: total });
  const id = started.id;
  let sent = 0;
  let uploaded = false;
  onProgress({ phase: 'receiving', sent, total });
  const poll = setInterval(() => {
    if (!uploaded) return;
    void fetchJson<{ import: unknown }>(`/api/imports/${encodeURIComponent(id)}`)
      .then((r) => {
        const s = ImportStatus.parse(r.import);
        if (!importEnded(s.phase)) onProgress({ phase: s.phase, sent: total, total });
      })
      .catch(() => undefined);
  }, POLL_MS);
  const cancelOnServer = () => void fetchJson(`/api/imports/${encodeURIComponent(id)}`, { method: 'DELETE' }).catch(() => undefined);
  signal.addEventListener('abort', cancelOnServer, { once: true });
  try {
    return await putBody(
      id,
      input.blob,
      (n) => {
        sent = n;
        uploaded = n >= total;
        onProgress({ phase: uploaded ? 'parsing' : 'receiving', sent, total });
      },
      signal,
    );
  } finally {
    clearInterval(poll);
    signal.removeEventListener('abort', cancelOnServer);
  }
}
