/**
 * Lists a resource completely, page by page with `limit` + `continue` (as kubectl does with
 * --chunk-size 500), keeping every object that passes its allow-list schema.
 */
import type { ConfigurationOptions } from '@kubernetes/client-node';
import { RESOURCES, targetOf } from './api-resources.js';
import type { ApiClients, ClusterObjectMap, ClusterResource } from './api-resources.js';
import { problemFromError } from './cluster-problem.js';
import type { ClusterProblem, ConnectionInfo } from './cluster-problem.js';

/** kubectl's default --chunk-size. */
export const DEFAULT_PAGE_SIZE = 500;
/** A server that hands out continue tokens forever must not keep us here forever. */
const MAX_PAGES = 100_000;

export type ListResult<R extends ClusterResource> =
  | { readonly kind: 'listed'; readonly objects: ClusterObjectMap[R][]; readonly problems: ClusterProblem[] }
  | { readonly kind: 'failed'; readonly problem: ClusterProblem };

export interface ListRequest {
  readonly namespace?: string;
  readonly pageSize: number;
  readonly options: ConfigurationOptions;
  readonly conn: ConnectionInfo;
}

function nameOf(item: unknown): string {
  const metadata =
    typeof item === 'object' && item !== null
      ? (item as { metadata?: { name?: unknown; namespace?: unknown } }).metadata
      : undefined;
  const name = typeof metadata?.name === 'string' ? metadata.name : '(unnamed)';
  return typeof metadata?.namespace === 'string' ? `${metadata.namespace}/${name}` : name;
}

/** Parses one listed or watched object; an object that does not fit becomes a problem. */
export function parseObject<R extends ClusterResource>(
  resource: R,
  item: unknown,
): { object: ClusterObjectMap[R] } | { problem: ClusterProblem } {
  const parsed = RESOURCES[resource].schema.safeParse(item);
  if (parsed.success) return { object: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue ? `${issue.path.join('.')}: ${issue.message}` : 'unexpected shape';
  return {
    problem: { code: 'INVALID_OBJECT', resource, message: `skipped ${resource} ${nameOf(item)}: ${where}` },
  };
}

export async function listAllPages<R extends ClusterResource>(
  clients: ApiClients,
  resource: R,
  request: ListRequest,
): Promise<ListResult<R>> {
  const objects: ClusterObjectMap[R][] = [];
  const problems: ClusterProblem[] = [];
  let continueToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    let result;
    try {
      result = await RESOURCES[resource].list(
        clients,
        {
          ...(request.namespace === undefined ? {} : { namespace: request.namespace }),
          limit: request.pageSize,
          ...(continueToken === undefined ? {} : { _continue: continueToken }),
        },
        request.options,
      );
    } catch (error) {
      return {
        kind: 'failed',
        problem: problemFromError(error, targetOf(resource, 'list', request.namespace), request.conn),
      };
    }
    for (const item of result.items) {
      const parsed = parseObject(resource, item);
      if ('object' in parsed) objects.push(parsed.object);
      else problems.push(parsed.problem);
    }
    continueToken = result.metadata?._continue || undefined;
    if (continueToken === undefined) return { kind: 'listed', objects, problems };
  }
  return {
    kind: 'failed',
    problem: {
      code: 'SERVER_ERROR',
      resource,
      verb: 'list',
      message: `listing ${resource} did not end after ${MAX_PAGES} pages`,
    },
  };
}
