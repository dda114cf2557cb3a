/**
 * The real ClusterSource: @kubernetes/client-node, configured from kubeconfig as kubectl would be
 * (see kubeconfig-loader.ts). Kubeconfig and tokens stay inside this object; what it returns is
 * built from allow-list schemas and never carries them.
 */
import { CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { timeoutOptions } from './api-resources.js';
import type { ApiClients, ClusterResource } from './api-resources.js';
import type { ClusterSource, ClusterWatchRequest, ReadClusterStateRequest } from './cluster-source.js';
import { loadKubeconfig, selectContext, summarizeContexts } from './kubeconfig-loader.js';
import type { KubeContextSummary, KubeconfigLoadOptions } from './kubeconfig-loader.js';
import { DEFAULT_PAGE_SIZE } from './list-all-pages.js';
import { readClusterState } from './read-cluster-state.js';
import type { ClusterStateResult } from './read-cluster-state.js';
import { watchResource } from './watch-resource.js';
import type { StopWatch, WatchEvent } from './watch-resource.js';

export interface KubeClusterSourceOptions extends KubeconfigLoadOptions {
  /** Per-request timeout; default 30 s. */
  readonly requestTimeoutMs?: number;
}

interface Connection {
  readonly kc: KubeConfig;
  readonly clients: ApiClients;
  readonly contextName: string;
}

/** Creates the client-node backed ClusterSource. Reads kubeconfig lazily, on first use. */
export function createKubeClusterSource(options: KubeClusterSourceOptions = {}): ClusterSource {
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  let merged: KubeConfig | undefined;
  // One KubeConfig per context, so an exec plugin's token is cached between reads as client-node
  // caches it (until its expirationTimestamp).
  const connections = new Map<string, Connection>();

  const all = (): KubeConfig => (merged ??= loadKubeconfig(options));

  const connect = (context: string | undefined): Connection => {
    const contextName = context ?? all().getCurrentContext();
    const cached = connections.get(contextName);
    if (cached) return cached;
    const kc = selectContext(all(), context);
    const connection = {
      kc,
      contextName,
      clients: { core: kc.makeApiClient(CoreV1Api), discovery: kc.makeApiClient(DiscoveryV1Api) },
    };
    connections.set(contextName, connection);
    return connection;
  };

  const conn = (connection: Connection) => ({
    server: connection.kc.getCurrentCluster()?.server ?? '',
    context: connection.contextName,
    timeoutMs,
  });

  const watch = <R extends ClusterResource>(
    request: ClusterWatchRequest<R>,
    onEvent: (event: WatchEvent<R>) => void,
  ): StopWatch => {
    const connection = connect(request.context);
    return watchResource(connection.kc, conn(connection), request, onEvent);
  };

  return {
    async listContexts(): Promise<KubeContextSummary[]> {
      return summarizeContexts(all());
    },

    async readClusterState(request: ReadClusterStateRequest = {}): Promise<ClusterStateResult> {
      const connection = connect(request.context);
      const result = await readClusterState(connection.kc, connection.clients, {
        contextName: connection.contextName,
        ...(request.namespaces === undefined ? {} : { namespaces: request.namespaces }),
        pageSize: request.pageSize ?? DEFAULT_PAGE_SIZE,
        timeoutMs,
        options: timeoutOptions(timeoutMs),
      });
      // Like kubectl after a 401, forget cached credentials so the next read runs the plugin again.
      if (result.problems.some((problem) => problem.code === 'UNAUTHORIZED'))
        connections.delete(connection.contextName);
      return result;
    },

    watch,

    watchServices(onEvent, request = {}) {
      return watch({ ...request, resource: 'services' }, onEvent);
    },
  };
}
