import { ApiError } from './api-error';

/** fetch + JSON + errors as {@link ApiError}. Same origin only: the server refuses anything else. */
export async function fetchJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers: { accept: 'application/json', ...(init.headers ?? {}) } });
  } catch (e) {
    throw new ApiError(0, 'NETWORK', `cannot reach the svcpath server: ${(e as Error).message}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(res.status, 'BAD_RESPONSE', `unexpected response (${res.status})`);
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? 'HTTP_ERROR', err?.message ?? `request failed (${res.status})`, err?.details ?? null);
  }
  return body as T;
}

export const postJson = <T>(path: string, body: unknown): Promise<T> =>
  fetchJson<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export const snapshotPath = (id: string): string => `/api/snapshots/${encodeURIComponent(id)}`;
