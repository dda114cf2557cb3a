import { queryOptions } from '@tanstack/react-query';
import type { DiffReport } from '@svcpath/diff';
import { ApiError } from '../api/api-error';
import { fetchJson, snapshotPath } from '../api/client';

/** ['snapshots', id, 'diff', to]: general → specific, as in api/queries.ts. */
export const diffKey = (id: string, to: string) => ['snapshots', id, 'diff', to] as const;

export const diffPath = (id: string, to: string, format: 'json' | 'markdown' = 'json'): string =>
  `${snapshotPath(id)}/diff?${new URLSearchParams({ to, ...(format === 'markdown' ? { format } : {}) }).toString()}`;

/**
 * What changed from snapshot `id` to snapshot `to`. Snapshots never change, so neither does their
 * diff; a refused request (4xx) is not retried.
 */
export const diffQuery = (id: string, to: string) =>
  queryOptions({
    queryKey: diffKey(id, to),
    queryFn: () => fetchJson<DiffReport>(diffPath(id, to)),
    staleTime: Infinity,
    retry: (count: number, e: Error) => !(e instanceof ApiError && e.isClientError) && count < 2,
  });
