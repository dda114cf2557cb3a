/**
 * The port through which the collector reads a cluster. The real adapter is
 * kube-cluster-source.ts; anything else that implements this (a recorded snapshot, a fake for UI
 * work) can stand in for it.
 */
import type { ClusterResource } from './api-resources.js';
import type { KubeContextSummary } from './kubeconfig-loader.js';
import type { ClusterStateResult } from './read-cluster-state.js';
import type { StopWatch, WatchEvent, WatchRequest } from './watch-resource.js';

export interface ReadClusterStateRequest {
  /** kubeconfig context; default the current-context. */
  readonly context?: string;
  /** Namespaces to read; default all. */
  readonly namespaces?: readonly string[];
  /** Objects per list request (`limit`); default 500, as kubectl. */
  readonly pageSize?: number;
}

export interface ClusterWatchRequest<R extends ClusterResource> extends WatchRequest<R> {
  readonly context?: string;
}

export interface ClusterSource {
  /** The kubeconfig's contexts, without credentials. Throws ClusterSourceError if there is no kubeconfig. */
  listContexts(): Promise<KubeContextSummary[]>;
  /**
   * Everything kube-proxy routes by, plus one problem per failed request. Throws ClusterSourceError
   * only when no request can be made (no kubeconfig, unknown context).
   */
  readClusterState(request?: ReadClusterStateRequest): Promise<ClusterStateResult>;
  /** Streams changes to one resource until the returned function is called. */
  watch<R extends ClusterResource>(
    request: ClusterWatchRequest<R>,
    onEvent: (event: WatchEvent<R>) => void,
  ): StopWatch;
  /** `watch` for Services. */
  watchServices(
    onEvent: (event: WatchEvent<'services'>) => void,
    request?: Omit<ClusterWatchRequest<'services'>, 'resource'>,
  ): StopWatch;
}
