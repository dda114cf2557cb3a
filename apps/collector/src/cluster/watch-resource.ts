/**
 * Watches one resource with client-node's Watch and hands each change to a callback.
 *
 * A watch that ends cleanly (the API server closes watches every few minutes, and client-node
 * aborts one that is silent for 30 s) is reopened from the last resourceVersion seen, as
 * client-go's reflector does, so no change is lost or repeated. A watch that fails (403,
 * unreachable, 410 Gone because that resourceVersion was compacted away) stops and says so; the
 * caller then reads the state again and starts a new watch.
 */
import { Watch } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { collectionPath, targetOf } from './api-resources.js';
import type { ClusterObjectMap, ClusterResource } from './api-resources.js';
import { problemFromError } from './cluster-problem.js';
import type { ClusterProblem, ConnectionInfo } from './cluster-problem.js';
import { parseObject } from './list-all-pages.js';

export interface WatchRequest<R extends ClusterResource> {
  readonly resource: R;
  /** Watch one namespace; undefined watches all (ignored for nodes). */
  readonly namespace?: string;
  /** Start after this resourceVersion; undefined first replays every object as ADDED. */
  readonly resourceVersion?: string;
}

export type WatchEvent<R extends ClusterResource> =
  | {
      readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
      readonly resource: R;
      readonly object: ClusterObjectMap[R];
    }
  /** `stopped: true` means the watch is over and will not reopen. */
  | {
      readonly type: 'ERROR';
      readonly resource: R;
      readonly problem: ClusterProblem;
      readonly stopped: boolean;
    };

export type StopWatch = () => void;

const MAX_BACKOFF_MS = 5_000;

function resourceVersionOf(object: unknown): string | undefined {
  const metadata =
    typeof object === 'object' && object !== null
      ? (object as { metadata?: { resourceVersion?: unknown } }).metadata
      : undefined;
  return typeof metadata?.resourceVersion === 'string' ? metadata.resourceVersion : undefined;
}

/** Starts watching at once; returns the function that stops it. Never throws. */
export function watchResource<R extends ClusterResource>(
  kc: KubeConfig,
  conn: ConnectionInfo,
  request: WatchRequest<R>,
  onEvent: (event: WatchEvent<R>) => void,
): StopWatch {
  const { resource } = request;
  const target = targetOf(resource, 'watch', request.namespace);
  let lastResourceVersion = request.resourceVersion;
  let stopped = false;
  let controller: AbortController | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let backoffMs = 100;

  const fail = (problem: ClusterProblem): void => {
    if (stopped) return;
    stopped = true;
    controller?.abort();
    onEvent({ type: 'ERROR', resource, problem, stopped: true });
  };

  const onLine = (phase: string, object: unknown): void => {
    if (stopped) return;
    if (phase === 'ERROR') {
      // The stream carries a Status object, e.g. 410 Gone "too old resource version".
      const status = (object ?? {}) as { code?: unknown; message?: unknown };
      const statusCode = typeof status.code === 'number' ? status.code : 500;
      fail(
        problemFromError(
          { statusCode, body: JSON.stringify({ kind: 'Status', message: status.message }) },
          target,
          conn,
        ),
      );
      return;
    }
    lastResourceVersion = resourceVersionOf(object) ?? lastResourceVersion;
    backoffMs = 100;
    if (phase !== 'ADDED' && phase !== 'MODIFIED' && phase !== 'DELETED') return; // BOOKMARK only moves the resourceVersion
    const parsed = parseObject(resource, object);
    if ('object' in parsed) onEvent({ type: phase, resource, object: parsed.object });
    else onEvent({ type: 'ERROR', resource, problem: { ...parsed.problem, verb: 'watch' }, stopped: false });
  };

  const onDone = (error: unknown): void => {
    if (stopped) return;
    const timedOut =
      typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'TimeoutError';
    if (error && !timedOut) {
      fail(problemFromError(error, target, conn));
      return;
    }
    retryTimer = setTimeout(open, backoffMs);
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
  };

  const open = (): void => {
    if (stopped) return;
    const query = {
      allowWatchBookmarks: true,
      ...(lastResourceVersion === undefined ? {} : { resourceVersion: lastResourceVersion }),
    };
    new Watch(kc)
      .watch(collectionPath(resource, request.namespace), query, onLine, onDone)
      .then((started) => {
        controller = started;
        if (stopped) started.abort();
      })
      .catch(onDone); // credentials failed before the request was sent
  };

  open();
  return () => {
    stopped = true;
    if (retryTimer) clearTimeout(retryTimer);
    controller?.abort();
  };
}
