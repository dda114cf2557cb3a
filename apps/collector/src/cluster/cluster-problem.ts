/**
 * Partial failure as data: every request that fails while reading a cluster becomes one
 * `ClusterProblem`, and the rest of the state is still returned (as Backstage's Kubernetes backend
 * returns `{ responses, errors }`).
 */
import { z } from 'zod';

/** Stable codes; the UI and docs key on these, so never rename one. */
export type ClusterProblemCode =
  /** No TCP connection / no answer from the API server (ECONNREFUSED, ENOTFOUND, …). */
  | 'UNREACHABLE'
  /** TLS handshake failed: the server certificate is not trusted for this kubeconfig. */
  | 'TLS_ERROR'
  /** The API server did not answer within the request timeout. */
  | 'TIMEOUT'
  /** 401: the credentials are missing, expired or unknown to the API server. */
  | 'UNAUTHORIZED'
  /** 403: RBAC does not allow the verb on the resource. */
  | 'FORBIDDEN'
  /** 404: the object or the whole API group is not served. */
  | 'NOT_FOUND'
  /** 410: a continue token or watch resourceVersion is too old; read again from scratch. */
  | 'EXPIRED'
  /** Any other non-2xx answer. */
  | 'SERVER_ERROR'
  /** The exec credential plugin (or a token / certificate file) could not produce credentials. */
  | 'CREDENTIALS_FAILED'
  /** An object came back without a field the collector needs; it was skipped. */
  | 'INVALID_OBJECT'
  /** EndpointSlices could not be read, so v1 Endpoints were read instead. */
  | 'ENDPOINTS_FALLBACK'
  /** kube-proxy's ConfigMap exists but its config.conf could not be parsed. */
  | 'KUBE_PROXY_CONFIG_INVALID';

export type ApiVerb = 'list' | 'get' | 'watch';

/** One failed read. `resource` is the plural resource name, as RBAC spells it. */
export interface ClusterProblem {
  readonly code: ClusterProblemCode;
  readonly message: string;
  readonly resource?: string;
  readonly namespace?: string;
  readonly verb?: ApiVerb;
  /** What the API server itself said (its Status message), when it said anything. */
  readonly detail?: string;
}

/** The request a problem is about, used to phrase its message. */
export interface ApiTarget {
  readonly resource: string;
  /** API group; '' is the core group. */
  readonly group: string;
  readonly version: string;
  readonly verb: ApiVerb;
  readonly namespaced: boolean;
  readonly namespace?: string;
  readonly name?: string;
}

/** What is known about the connection, for messages. Never holds credentials. */
export interface ConnectionInfo {
  readonly server: string;
  readonly context: string;
  readonly timeoutMs: number;
}

const statusSchema = z.object({
  kind: z.literal('Status'),
  message: z.string().optional(),
  reason: z.string().optional(),
  code: z.number().optional(),
});

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** `https://user:pass@host` is legal in a kubeconfig; never echo the userinfo. */
export function redactServer(server: string): string {
  try {
    const url = new URL(server);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return server;
  }
}

function groupVersion(target: ApiTarget): string {
  return target.group === '' ? `core/${target.version}` : `${target.group}/${target.version}`;
}

function scope(target: ApiTarget): string {
  if (target.namespace !== undefined) return `in namespace "${target.namespace}"`;
  return target.namespaced ? 'in all namespaces' : 'at the cluster scope';
}

function what(target: ApiTarget): string {
  return target.name === undefined ? target.resource : `${target.resource} "${target.name}"`;
}

function base(target: ApiTarget): Pick<ClusterProblem, 'resource' | 'namespace' | 'verb'> {
  return target.namespace === undefined
    ? { resource: target.resource, verb: target.verb }
    : { resource: target.resource, namespace: target.namespace, verb: target.verb };
}

/** The HTTP status and the API server's Status message, if `error` is an HTTP answer. */
export function httpStatusOf(error: unknown): { status: number; statusMessage?: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as Record<string, unknown>;
  // client-node's ApiException has `code` + `body`; its Watch sets `statusCode`.
  const status =
    typeof record['statusCode'] === 'number'
      ? record['statusCode']
      : 'body' in record
        ? record['code']
        : undefined;
  if (typeof status !== 'number') return undefined;
  const body = record['body'];
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  const statusObject = statusSchema.safeParse(parsed);
  const statusMessage = statusObject.success ? statusObject.data.message : undefined;
  return statusMessage === undefined ? { status } : { status, statusMessage };
}

/** The first errno-style code in an error's `cause` chain (undici nests them). */
function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isTimeout(error: unknown): boolean {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return name === 'TimeoutError' || name === 'AbortError';
}

function fromHttpStatus(
  status: number,
  statusMessage: string | undefined,
  target: ApiTarget,
  conn: ConnectionInfo,
): ClusterProblem {
  const detail = statusMessage === undefined ? {} : { detail: statusMessage };
  const server = redactServer(conn.server);
  switch (status) {
    case 401:
      return {
        code: 'UNAUTHORIZED',
        ...base(target),
        ...detail,
        message: `API server ${server} rejected the credentials of context "${conn.context}" (401 Unauthorized) when asked to ${target.verb} ${target.resource}: the token or client certificate is missing, expired or unknown to it`,
      };
    case 403:
      return {
        code: 'FORBIDDEN',
        ...base(target),
        ...detail,
        message: `cannot ${target.verb} ${what(target)} ${scope(target)}: the account needs RBAC permission ${target.verb} on ${target.resource} (${groupVersion(target)})`,
      };
    case 404:
      return {
        code: 'NOT_FOUND',
        ...base(target),
        ...detail,
        message: `${what(target)} (${groupVersion(target)}) not found ${scope(target)}`,
      };
    case 410:
      return {
        code: 'EXPIRED',
        ...base(target),
        ...detail,
        message: `the ${target.verb} of ${target.resource} ${scope(target)} expired (410 Gone): the resourceVersion or continue token is too old; read again`,
      };
    default:
      return {
        code: 'SERVER_ERROR',
        ...base(target),
        ...detail,
        message: `API server ${server} answered HTTP ${status} when asked to ${target.verb} ${what(target)} ${scope(target)}`,
      };
  }
}

/** Turns whatever a client-node call threw into a problem that names the resource and the fix. */
export function problemFromError(error: unknown, target: ApiTarget, conn: ConnectionInfo): ClusterProblem {
  const http = httpStatusOf(error);
  if (http) return fromHttpStatus(http.status, http.statusMessage, target, conn);
  const server = redactServer(conn.server);
  if (isTimeout(error)) {
    return {
      code: 'TIMEOUT',
      ...base(target),
      message: `API server ${server} did not answer within ${conn.timeoutMs} ms when asked to ${target.verb} ${what(target)} ${scope(target)}`,
    };
  }
  const code = causeCode(error);
  if (code !== undefined && NETWORK_CODES.has(code)) {
    return { code: 'UNREACHABLE', message: `API server ${server} did not answer: ${code}` };
  }
  if (
    code !== undefined &&
    (code.startsWith('ERR_TLS') ||
      code.includes('CERT') ||
      code.includes('SIGNATURE') ||
      code.startsWith('ERR_SSL'))
  ) {
    return {
      code: 'TLS_ERROR',
      message: `TLS handshake with API server ${server} failed: ${code}; check certificate-authority(-data) and tls-server-name of context "${conn.context}"`,
    };
  }
  const text = error instanceof Error ? error.message : String(error);
  return {
    code: 'SERVER_ERROR',
    ...base(target),
    message: `${target.verb} ${what(target)} ${scope(target)} failed: ${code ?? text}`,
  };
}
