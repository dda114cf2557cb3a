import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { ApiError } from './api-error';
import { fetchJson, postJson, snapshotPath } from './client';
import type { CollectionJob, CollectionRequest, CountersResult, FindingsResult, Flow, Graph, NamespaceOverview, NamespaceServicesResult, ServiceInfo, ServicesResult, SnapshotDetail, SnapshotMeta, TraceResult, TraceSource } from './types';

/**
 * Every server read, as queryOptions factories. Keys go general → specific:
 * ['snapshots'] → ['snapshots', id] → ['snapshots', id, 'graph' | 'services' | 'trace' | 'findings' | 'counters', …];
 * ['jobs', id] for background collections.
 * A snapshot never changes once stored, so what is derived from it never goes stale.
 */
export const keys = {
  snapshots: ['snapshots'] as const,
  snapshot: (id: string) => ['snapshots', id] as const,
  services: (id: string, q: string) => ['snapshots', id, 'services', q] as const,
  service: (id: string, service: string) => ['snapshots', id, 'service', service] as const,
  graph: (id: string, which: string) => ['snapshots', id, 'graph', which] as const,
  trace: (id: string, flow: Flow) => ['snapshots', id, 'trace', flow] as const,
  findings: (id: string, service: string, packet: string) => ['snapshots', id, 'findings', service, packet] as const,
  counters: (id: string, since: string) => ['snapshots', id, 'counters', since] as const,
  sources: (id: string) => ['snapshots', id, 'sources'] as const,
  overview: (id: string) => ['snapshots', id, 'overview'] as const,
  namespace: (id: string, ns: string) => ['snapshots', id, 'namespace', ns] as const,
  job: (id: string) => ['jobs', id] as const,
};

const retry = (count: number, e: Error) => !(e instanceof ApiError && e.isClientError) && count < 2;

export const snapshotsQuery = () =>
  queryOptions({ queryKey: keys.snapshots, queryFn: () => fetchJson<{ snapshots: SnapshotMeta[] }>('/api/snapshots'), staleTime: 30_000, retry });

export const snapshotQuery = (id: string) =>
  queryOptions({ queryKey: keys.snapshot(id), queryFn: () => fetchJson<SnapshotDetail>(snapshotPath(id)), staleTime: Infinity, retry });

/** Pods and nodes of the snapshot's cluster state: who can send a traced packet. */
export const sourcesQuery = (id: string) =>
  queryOptions({ queryKey: keys.sources(id), queryFn: () => fetchJson<{ sources: TraceSource[] }>(`${snapshotPath(id)}/sources`), staleTime: Infinity, retry });

export const servicesQuery = (id: string, q: string) =>
  queryOptions({
    queryKey: keys.services(id, q),
    queryFn: () => fetchJson<ServicesResult>(`${snapshotPath(id)}/services?q=${encodeURIComponent(q)}&limit=30`),
    staleTime: Infinity,
    placeholderData: keepPreviousData,
    retry,
  });

/** One Service (`ns/name`) by its id: its ports, addresses and endpoints, for the trace form. */
export const serviceQuery = (id: string, service: string) =>
  queryOptions({
    queryKey: keys.service(id, service),
    queryFn: () => fetchJson<{ service: ServiceInfo }>(servicePath(id, service)).then((r) => r.service),
    staleTime: Infinity,
    retry,
  });

const servicePath = (id: string, service: string) => `${snapshotPath(id)}/services/${service.split('/').map(encodeURIComponent).join('/')}`;

/** The overview (optionally one namespace's) or one Service's graph. */
export const graphQuery = (id: string, view: { readonly service?: string | undefined; readonly ns?: string | undefined }) => {
  const path = view.service
    ? `${servicePath(id, view.service)}/graph`
    : `${snapshotPath(id)}/graph${view.ns ? `?namespace=${encodeURIComponent(view.ns)}` : ''}`;
  // The signal cancels a request nobody waits for any more (another Service opened meanwhile, a
  // pointer that rested on a row and moved on: see service-graph-prefetch.ts); the server then drops it unstarted.
  return queryOptions({ queryKey: keys.graph(id, view.service ? `service:${view.service}` : `overview:${view.ns ?? '*'}`), queryFn: ({ signal }) => fetchJson<Graph>(path, { signal }), staleTime: Infinity, retry });
};

/** Counts per namespace: the aggregated overview of a big snapshot. */
export const overviewQuery = (id: string) =>
  queryOptions({ queryKey: keys.overview(id), queryFn: () => fetchJson<NamespaceOverview>(`${snapshotPath(id)}/overview`), staleTime: Infinity, retry });

/** One namespace's Services as list rows. */
export const namespaceServicesQuery = (id: string, ns: string) =>
  queryOptions({
    queryKey: keys.namespace(id, ns),
    queryFn: () => fetchJson<NamespaceServicesResult>(`${snapshotPath(id)}/namespaces/${encodeURIComponent(ns)}/services`),
    staleTime: Infinity,
    retry,
  });

/** A trace is a POST but has no side effects: cached like a read, keyed by the packet. */
export const traceQuery = (id: string, flow: Flow) =>
  queryOptions({ queryKey: keys.trace(id, flow), queryFn: () => postJson<TraceResult>(`${snapshotPath(id)}/trace`, flow), staleTime: Infinity, retry: false });

export function importSnapshot(body: { node: string; collection?: string; nodeIPs: string[]; files: { name: string; text: string }[] }) {
  return postJson<SnapshotDetail>('/api/snapshots', body);
}

/**
 * The doctor's findings for a snapshot, or for one Service (`ns/name`) of it ('' for all); with a
 * traced packet, about that packet's source and destination rather than a source the doctor picks.
 */
export const findingsQuery = (id: string, service: string, packet?: { src: string; dst: string; dport: number; proto: string } | null) =>
  queryOptions({
    queryKey: keys.findings(id, service, packet ? `${packet.src}>${packet.dst}:${packet.dport}/${packet.proto}` : ''),
    // The signal cancels the request when the user moves on: the browser's few connections per
    // host must not sit waiting for a doctor nobody reads while a trace queues behind them.
    queryFn: ({ signal }) => fetchJson<FindingsResult>(`${snapshotPath(id)}/findings${findingsSearch(service, packet)}`, { signal }),
    staleTime: Infinity,
    retry,
  });

/** The rule counters that moved between snapshot `since` (earlier, same node) and `id`. */
export const countersQuery = (id: string, since: string) =>
  queryOptions({
    queryKey: keys.counters(id, since),
    queryFn: () => fetchJson<CountersResult>(`${snapshotPath(id)}/counters?since=${encodeURIComponent(since)}`),
    staleTime: Infinity,
    retry,
  });

/** A collection job, polled every second until it ends. */
export const jobQuery = (id: string) =>
  queryOptions({
    queryKey: keys.job(id),
    queryFn: () => fetchJson<{ job: CollectionJob }>(`/api/jobs/${encodeURIComponent(id)}`).then((r) => r.job),
    refetchInterval: (q) => (q.state.data?.state === 'running' || !q.state.data ? 1000 : false),
    staleTime: 0,
    retry,
  });

export function startCollection(body: CollectionRequest) {
  return postJson<{ job: CollectionJob }>('/api/collections', body).then((r) => r.job);
}

function findingsSearch(service: string, packet: { src: string; dst: string; dport: number; proto: string } | null | undefined): string {
  const q = new URLSearchParams();
  if (service) q.set('service', service);
  if (packet) {
    q.set('from', packet.src);
    q.set('to', packet.dst.includes(':') ? `[${packet.dst}]:${packet.dport}` : `${packet.dst}:${packet.dport}`);
    q.set('proto', packet.proto);
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}
