import { queryOptions } from '@tanstack/react-query';
import { ApiError } from '../api/api-error';
import { fetchJson, postJson } from '../api/client';
import type { FleetRun, FleetRunRequest } from './fleet-types';

/** ['fleet', 'runs', 'latest']: general → specific, as in api/queries.ts. */
export const fleetKeys = { latest: ['fleet', 'runs', 'latest'] as const };

/**
 * The newest fleet run. While one runs it is polled every second (its progress); a finished one
 * never changes, so it is not polled and stays fresh until a new run is started.
 */
export const latestFleetRunQuery = () =>
  queryOptions({
    queryKey: fleetKeys.latest,
    queryFn: () => fetchJson<{ run: FleetRun | null }>('/api/fleet/runs/latest'),
    staleTime: Infinity,
    refetchInterval: (q) => (q.state.data?.run?.state === 'running' ? 1_000 : false),
    retry: (count: number, e: Error) => !(e instanceof ApiError && e.isClientError) && count < 2,
  });

export const startFleetRun = (request: FleetRunRequest) => postJson<{ run: FleetRun }>('/api/fleet/runs', request);
export const cancelFleetRun = (id: string) => postJson<{ run: FleetRun }>(`/api/fleet/runs/${encodeURIComponent(id)}/cancel`, {});
