import { queryOptions } from '@tanstack/react-query';
import { ApiError } from '../api/api-error';
import { fetchJson, snapshotPath } from '../api/client';
import type { MatrixPacket, MatrixResult } from './matrix-types';

/** ['snapshots', id, 'matrix', packet | 'compare']: general → specific, as in api/queries.ts. */
export const matrixKey = (id: string, packet: MatrixPacket | null) => ['snapshots', id, 'matrix', packet ?? 'compare'] as const;

export function matrixPath(id: string, packet: MatrixPacket | null): string {
  if (!packet) return `${snapshotPath(id)}/matrix`;
  const q = new URLSearchParams({ src: packet.src, dst: packet.dst, dport: String(packet.dport), proto: packet.proto });
  return `${snapshotPath(id)}/matrix?${q.toString()}`;
}

/**
 * Every node of the snapshot's collection compared, and with a packet, that packet traced on each.
 * Snapshots never change, so neither does this; a refused request (4xx) is not retried.
 */
export const matrixQuery = (id: string, packet: MatrixPacket | null) =>
  queryOptions({
    queryKey: matrixKey(id, packet),
    queryFn: () => fetchJson<MatrixResult>(matrixPath(id, packet)),
    staleTime: Infinity,
    retry: (count: number, e: Error) => !(e instanceof ApiError && e.isClientError) && count < 2,
  });
