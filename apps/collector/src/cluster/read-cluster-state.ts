/**
 * Reads everything kube-proxy routes by (Services, EndpointSlices or Endpoints, Pods, Nodes and
 * kube-proxy's own configuration) from one context, turning each failed request into a problem.
 */
import { HttpMethod, RequestContext } from '@kubernetes/client-node';
import type { ConfigurationOptions, KubeConfig } from '@kubernetes/client-node';
import { RESOURCES } from './api-resources.js';
import type { ApiClients, ClusterObjectMap, ClusterResource } from './api-resources.js';
import { problemFromError, redactServer } from './cluster-problem.js';
import type { ApiTarget, ClusterProblem, ConnectionInfo } from './cluster-problem.js';
import type { EndpointSlice, Endpoints, Node, Pod, Service } from './k8s-object-schemas.js';
import { parseKubeProxyConfig } from './kube-proxy-config.js';
import type { KubeProxyConfig } from './kube-proxy-config.js';
import { listAllPages } from './list-all-pages.js';

/** Where endpoints came from: EndpointSlices normally, v1 Endpoints as a fallback. */
export type EndpointSet =
  | { readonly kind: 'EndpointSlices'; readonly slices: EndpointSlice[] }
  | { readonly kind: 'Endpoints'; readonly endpoints: Endpoints[] }
  | { readonly kind: 'unavailable' };

/** What the collector knows about one cluster. Holds no credentials by construction. */
export interface ClusterState {
  readonly context: string;
  /** API server URL, without any userinfo. */
  readonly server: string;
  readonly services: Service[];
  readonly endpoints: EndpointSet;
  readonly pods: Pod[];
  readonly nodes: Node[];
  /** null when ConfigMap kube-system/kube-proxy could not be read; a problem says why. */
  readonly kubeProxyConfig: KubeProxyConfig | null;
}

export interface ClusterStateResult {
  readonly state: ClusterState;
  readonly problems: ClusterProblem[];
}

export interface ReadSettings {
  readonly contextName: string;
  /** Namespaces to read; undefined reads all namespaces. Nodes are always cluster-wide. */
  readonly namespaces?: readonly string[];
  readonly pageSize: number;
  readonly timeoutMs: number;
  readonly options: ConfigurationOptions;
}

/** Failures after which every other request would fail the same way. */
const CONNECTION_LEVEL = new Set([
  'UNREACHABLE',
  'TLS_ERROR',
  'TIMEOUT',
  'UNAUTHORIZED',
  'CREDENTIALS_FAILED',
]);

const KUBE_PROXY_TARGET: ApiTarget = {
  resource: 'configmaps',
  group: '',
  version: 'v1',
  verb: 'get',
  namespaced: true,
  namespace: 'kube-system',
  name: 'kube-proxy',
};

interface Reader {
  readonly clients: ApiClients;
  readonly settings: ReadSettings;
  readonly conn: ConnectionInfo;
  readonly problems: ClusterProblem[];
}

/** Lists `resource` in every requested namespace (or all); undefined if any scope failed. */
async function listScoped<R extends ClusterResource>(
  reader: Reader,
  resource: R,
  collect: ClusterProblem[] = reader.problems,
): Promise<ClusterObjectMap[R][] | undefined> {
  const { namespaces } = reader.settings;
  const scopes = RESOURCES[resource].namespaced && namespaces !== undefined ? namespaces : [undefined];
  const all: ClusterObjectMap[R][] = [];
  let complete = true;
  for (const namespace of scopes) {
    const result = await listAllPages(reader.clients, resource, {
      ...(namespace === undefined ? {} : { namespace }),
      pageSize: reader.settings.pageSize,
      options: reader.settings.options,
      conn: reader.conn,
    });
    if (result.kind === 'failed') {
      collect.push(result.problem);
      complete = false;
      continue;
    }
    all.push(...result.objects);
    reader.problems.push(...result.problems);
  }
  return complete || all.length > 0 ? all : undefined;
}

/** Is discovery.k8s.io/v1 served? 'unknown' when discovery itself was refused. */
async function probeEndpointSliceApi(
  reader: Reader,
): Promise<'served' | 'absent' | 'unknown' | ClusterProblem> {
  try {
    const list = await reader.clients.discovery.getAPIResources({}, reader.settings.options);
    return list.resources.some((resource) => resource.name === 'endpointslices') ? 'served' : 'absent';
  } catch (error) {
    const target: ApiTarget = {
      resource: 'endpointslices',
      group: 'discovery.k8s.io',
      version: 'v1',
      verb: 'get',
      namespaced: false,
    };
    const problem = problemFromError(error, target, reader.conn);
    if (problem.code === 'NOT_FOUND') return 'absent';
    return CONNECTION_LEVEL.has(problem.code) ? problem : 'unknown';
  }
}

async function readEndpoints(reader: Reader, api: 'served' | 'absent' | 'unknown'): Promise<EndpointSet> {
  let why = 'the API server does not serve discovery.k8s.io/v1 (Kubernetes older than 1.21)';
  if (api !== 'absent') {
    const sliceProblems: ClusterProblem[] = [];
    const slices = await listScoped(reader, 'endpointslices', sliceProblems);
    reader.problems.push(...sliceProblems);
    const refused = sliceProblems.find(
      (problem) => problem.code === 'FORBIDDEN' || problem.code === 'NOT_FOUND',
    );
    if (!refused) return slices ? { kind: 'EndpointSlices', slices } : { kind: 'unavailable' };
    why =
      refused.code === 'FORBIDDEN'
        ? 'the account may not list endpointslices (discovery.k8s.io/v1)'
        : 'endpointslices (discovery.k8s.io/v1) are not served';
  }
  reader.problems.push({
    code: 'ENDPOINTS_FALLBACK',
    resource: 'endpoints',
    verb: 'list',
    message: `read v1 Endpoints instead of EndpointSlices because ${why}; Endpoints have no terminating condition, no zone hints and at most 1000 addresses each, and kube-proxy itself reads EndpointSlices`,
  });
  const endpoints = await listScoped(reader, 'endpoints');
  return endpoints ? { kind: 'Endpoints', endpoints } : { kind: 'unavailable' };
}

async function readKubeProxyConfig(reader: Reader): Promise<KubeProxyConfig | null> {
  let data: Record<string, string> | undefined;
  try {
    const configMap = await reader.clients.core.readNamespacedConfigMap(
      { name: 'kube-proxy', namespace: 'kube-system' },
      reader.settings.options,
    );
    data = configMap.data;
  } catch (error) {
    const problem = problemFromError(error, KUBE_PROXY_TARGET, reader.conn);
    reader.problems.push(
      problem.code === 'NOT_FOUND'
        ? {
            ...problem,
            message: `${problem.message}: this cluster sets kube-proxy up by flags (k3s, GKE, …) or runs no kube-proxy; its mode and masquerade settings are unknown`,
          }
        : problem,
    );
    return null;
  }
  const text = data?.['config.conf'];
  if (text === undefined) {
    reader.problems.push({
      code: 'KUBE_PROXY_CONFIG_INVALID',
      resource: 'configmaps',
      namespace: 'kube-system',
      verb: 'get',
      message: 'ConfigMap kube-system/kube-proxy has no config.conf key',
    });
    return null;
  }
  const parsed = parseKubeProxyConfig(text);
  if (parsed.kind === 'parsed') return parsed.config;
  reader.problems.push({
    code: 'KUBE_PROXY_CONFIG_INVALID',
    resource: 'configmaps',
    namespace: 'kube-system',
    verb: 'get',
    message: `config.conf of ConfigMap kube-system/kube-proxy is not a KubeProxyConfiguration: ${parsed.reason}`,
  });
  return null;
}

/** Runs the credential plugin or reads token/cert files once, so a failure is reported once. */
async function checkCredentials(kc: KubeConfig, conn: ConnectionInfo): Promise<ClusterProblem | undefined> {
  try {
    await kc.applySecurityAuthentication(new RequestContext(conn.server, HttpMethod.GET));
    return undefined;
  } catch (error) {
    const user = kc.getCurrentUser();
    const exec: unknown = user?.exec;
    const hint =
      typeof exec === 'object' && exec !== null ? (exec as { installHint?: unknown }).installHint : undefined;
    const code = (error as { code?: unknown }).code;
    const command =
      typeof exec === 'object' && exec !== null ? (exec as { command?: unknown }).command : undefined;
    const reason =
      code === 'ENOENT' && typeof command === 'string'
        ? `executable "${command}" was not found (ENOENT)`
        : typeof code === 'string'
          ? code
          : error instanceof Error
            ? error.message.trim().slice(0, 300)
            : String(error);
    const source = exec
      ? `the exec credential plugin of user "${user?.name}"`
      : `the credential files of user "${user?.name}"`;
    return {
      code: 'CREDENTIALS_FAILED',
      message: `${source} failed: ${reason}${typeof hint === 'string' ? ` (${hint.trim()})` : ''}`,
    };
  }
}

function emptyState(conn: ConnectionInfo): ClusterState {
  return {
    context: conn.context,
    server: redactServer(conn.server),
    services: [],
    endpoints: { kind: 'unavailable' },
    pods: [],
    nodes: [],
    kubeProxyConfig: null,
  };
}

function dedupe(problems: readonly ClusterProblem[]): ClusterProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.code}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Reads the cluster state of the selected context of `kc`. Never throws for API failures. */
export async function readClusterState(
  kc: KubeConfig,
  clients: ApiClients,
  settings: ReadSettings,
): Promise<ClusterStateResult> {
  const conn: ConnectionInfo = {
    server: kc.getCurrentCluster()?.server ?? '',
    context: settings.contextName,
    timeoutMs: settings.timeoutMs,
  };
  const credentialProblem = await checkCredentials(kc, conn);
  if (credentialProblem) return { state: emptyState(conn), problems: [credentialProblem] };

  const reader: Reader = { clients, settings, conn, problems: [] };
  const api = await probeEndpointSliceApi(reader);
  if (typeof api === 'object') return { state: emptyState(conn), problems: [api] };

  const [services, endpoints, pods, nodes, kubeProxyConfig] = await Promise.all([
    listScoped(reader, 'services'),
    readEndpoints(reader, api),
    listScoped(reader, 'pods'),
    listScoped(reader, 'nodes'),
    readKubeProxyConfig(reader),
  ]);
  const state: ClusterState = {
    ...emptyState(conn),
    services: services ?? [],
    endpoints,
    pods: pods ?? [],
    nodes: nodes ?? [],
    kubeProxyConfig,
  };
  return { state, problems: dedupe(reader.problems) };
}
