/**
 * THE ONLY STAND-IN in the cluster adapter's tests: a small kube-apiserver.
 *
 * Why: no kube-apiserver (nor etcd, nor a kind cluster, which needs a Docker engine) can run on
 * this machine. Everything else in the tests is real: the real @kubernetes/client-node makes real
 * HTTPS requests with a real bearer token or exec-plugin token over TLS to this server, which
 * listens on 127.0.0.1 with a self-signed certificate that openssl generates per run.
 *
 * What it does faithfully (checked against kube-apiserver's behaviour):
 * - the real paths: /api, /apis, /apis/discovery.k8s.io/v1, and for services, endpoints, pods,
 *   nodes, endpointslices both `/…/<resource>` and `/…/namespaces/{ns}/<resource>`;
 *   GET /api/v1/namespaces/{ns}/configmaps/{name};
 * - List objects (`kind: ServiceList`, `apiVersion`, `metadata.resourceVersion`) with `limit` and an
 *   opaque base64 `metadata.continue`, plus `remainingItemCount`;
 * - `?watch=true|1`: newline-delimited `{"type":…,"object":…}` events, replaying current objects as
 *   ADDED when no resourceVersion is given, only later events otherwise, kept open until the
 *   client leaves (or `endWatches()` closes it, as the real server does at its timeout);
 * - the 410 ERROR event a watch gets when its resourceVersion was compacted away;
 * - 401 without a known bearer token, 403 with the exact Status body RBAC produces, 404 with
 *   `404 page not found` for an API group that is not served.
 * What it does not do: field/label selectors, resourceVersion semantics on lists, 410 on stale
 * continue tokens, protobuf, server-side apply, anything that writes.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export type FakeResource = 'services' | 'endpoints' | 'endpointslices' | 'pods' | 'nodes' | 'configmaps';
type KubeObject = { metadata: { name: string; namespace?: string; resourceVersion?: string } } & Record<
  string,
  unknown
>;
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** Makes a JSON-serializable object the fake can serve. */
function asKubeObject(value: unknown): KubeObject {
  const meta = (value as { metadata?: { name?: unknown } } | null)?.metadata;
  if (typeof meta?.name !== 'string') throw new Error('fake-apiserver: object without metadata.name');
  return value as KubeObject;
}

export interface ForbiddenRule {
  readonly resource: FakeResource;
  readonly verb?: 'list' | 'get' | 'watch';
  /** Forbid only in this namespace; undefined forbids everywhere. */
  readonly namespace?: string;
}

export interface FakeApiServerOptions {
  /** Objects per resource, e.g. the `items` of fixtures/services.json. */
  readonly objects: Partial<Record<FakeResource, readonly unknown[]>>;
  /** Bearer tokens that authenticate; anything else gets 401. */
  readonly tokens: readonly string[];
  readonly forbidden?: readonly ForbiddenRule[];
  /** false: discovery.k8s.io/v1 is not served (a Kubernetes < 1.21 cluster). */
  readonly endpointSliceApi?: boolean;
  /** The user RBAC messages name. */
  readonly user?: string;
  /** Paths that are accepted but never answered (a hung API server or aggregated API). */
  readonly hang?: readonly string[];
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly authorization?: string;
}

export interface FakeApiServer {
  readonly url: string;
  readonly port: number;
  /** PEM of the self-signed certificate, for certificate-authority-data. */
  readonly caPem: string;
  readonly requests: RecordedRequest[];
  /** Applies a change and sends it to open watches, with a new resourceVersion. */
  publish(resource: FakeResource, type: WatchEventType, object: unknown): void;
  /** Ends every open watch response cleanly, as the API server does at its watch timeout. */
  endWatches(): void;
  /** Sends the 410 "too old resource version" ERROR event etcd compaction causes, then ends. */
  expireWatches(): void;
  close(): Promise<void>;
}

const GROUPS: Record<FakeResource, { group: string; version: string; kind: string; namespaced: boolean }> = {
  services: { group: '', version: 'v1', kind: 'Service', namespaced: true },
  endpoints: { group: '', version: 'v1', kind: 'Endpoints', namespaced: true },
  pods: { group: '', version: 'v1', kind: 'Pod', namespaced: true },
  nodes: { group: '', version: 'v1', kind: 'Node', namespaced: false },
  configmaps: { group: '', version: 'v1', kind: 'ConfigMap', namespaced: true },
  endpointslices: { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', namespaced: true },
};

/** A self-signed certificate for 127.0.0.1, made by openssl (EC keys: fast to generate). */
function makeCertificate(): { key: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpath-fake-apiserver-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        '/CN=fake-kube-apiserver',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    return { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
  res.end(JSON.stringify(body));
}

function status(
  res: ServerResponse,
  code: number,
  reason: string,
  message: string,
  details?: Record<string, string>,
): void {
  sendJson(res, code, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });
}

interface Route {
  readonly resource: FakeResource;
  readonly namespace?: string;
  readonly name?: string;
}

/** Parses /api/v1/[namespaces/{ns}/]{resource}[/{name}] and the discovery.k8s.io equivalent. */
function route(pathname: string): Route | undefined {
  const match =
    /^\/(?:api\/v1|apis\/discovery\.k8s\.io\/v1)(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/]+))?$/.exec(
      pathname,
    );
  if (!match) return undefined;
  const resource = match[2] as FakeResource;
  const info = GROUPS[resource];
  if (!info || pathname.startsWith('/apis/') !== (info.group !== '')) return undefined;
  return {
    resource,
    ...(match[1] ? { namespace: decodeURIComponent(match[1]) } : {}),
    ...(match[3] ? { name: decodeURIComponent(match[3]) } : {}),
  };
}

const DISCOVERY_V1 = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'discovery.k8s.io/v1',
  resources: [
    {
      name: 'endpointslices',
      singularName: 'endpointslice',
      namespaced: true,
      kind: 'EndpointSlice',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    },
  ],
};

export async function startFakeApiServer(options: FakeApiServerOptions): Promise<FakeApiServer> {
  const store = new Map<FakeResource, KubeObject[]>();
  for (const resource of Object.keys(GROUPS) as FakeResource[]) {
    store.set(
      resource,
      (options.objects[resource] ?? []).map((object) => structuredClone(asKubeObject(object))),
    );
  }
  let revision = 5000;
  const log: { revision: number; resource: FakeResource; type: WatchEventType; object: KubeObject }[] = [];
  const watchers = new Set<{ resource: FakeResource; namespace?: string; res: ServerResponse }>();
  const requests: RecordedRequest[] = [];
  const user = options.user ?? 'system:serviceaccount:svcpath:collector';
  const sliceApi = options.endpointSliceApi ?? true;

  const inScope = (object: KubeObject, namespace?: string): boolean =>
    namespace === undefined || object.metadata.namespace === namespace;
  const isForbidden = (verb: string, r: Route): boolean =>
    (options.forbidden ?? []).some(
      (rule) =>
        rule.resource === r.resource &&
        (rule.verb ?? verb) === verb &&
        (rule.namespace === undefined || rule.namespace === r.namespace),
    );

  const forbid = (res: ServerResponse, verb: string, r: Route): void => {
    const group = GROUPS[r.resource].group;
    const subject = r.name ? `${r.resource} "${r.name}"` : r.resource;
    const where = r.namespace ? `in the namespace "${r.namespace}"` : 'at the cluster scope';
    const details: Record<string, string> = {
      ...(r.name ? { name: r.name } : {}),
      ...(group ? { group } : {}),
      kind: r.resource,
    };
    status(
      res,
      403,
      'Forbidden',
      `${subject} is forbidden: User "${user}" cannot ${verb} resource "${r.resource}" in API group "${group}" ${where}`,
      details,
    );
  };

  const list = (res: ServerResponse, r: Route, query: URLSearchParams): void => {
    const all = (store.get(r.resource) ?? []).filter((object) => inScope(object, r.namespace));
    const token = query.get('continue');
    const offset = token
      ? (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset: number }).offset
      : 0;
    const limit = Number(query.get('limit') ?? '0');
    const items = limit > 0 ? all.slice(offset, offset + limit) : all.slice(offset);
    const next = offset + items.length;
    const more = limit > 0 && next < all.length;
    const info = GROUPS[r.resource];
    sendJson(res, 200, {
      kind: `${info.kind}List`,
      apiVersion: info.group ? `${info.group}/${info.version}` : info.version,
      metadata: {
        resourceVersion: String(revision),
        ...(more
          ? {
              continue: Buffer.from(JSON.stringify({ offset: next, rv: revision })).toString('base64'),
              remainingItemCount: all.length - next,
            }
          : {}),
      },
      items,
    });
  };

  const watch = (req: IncomingMessage, res: ServerResponse, r: Route, query: URLSearchParams): void => {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const since = query.get('resourceVersion');
    const initial = since
      ? log
          .filter((entry) => entry.revision > Number(since) && entry.resource === r.resource)
          .map(({ type, object }) => ({ type, object }))
      : (store.get(r.resource) ?? []).map((object) => ({ type: 'ADDED' as const, object }));
    for (const event of initial)
      if (inScope(event.object, r.namespace)) res.write(`${JSON.stringify(event)}\n`);
    const watcher = { resource: r.resource, ...(r.namespace ? { namespace: r.namespace } : {}), res };
    watchers.add(watcher);
    req.on('close', () => watchers.delete(watcher));
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer === undefined || !options.tokens.includes(bearer))
      return status(res, 401, 'Unauthorized', 'Unauthorized');
    if ((options.hang ?? []).includes(url.pathname)) return; // the client's timeout must end this
    if (url.pathname === '/api')
      return sendJson(res, 200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '172.18.0.2:6443' }],
      });
    if (url.pathname === '/apis') {
      const groups = sliceApi
        ? [
            {
              name: 'discovery.k8s.io',
              versions: [{ groupVersion: 'discovery.k8s.io/v1', version: 'v1' }],
              preferredVersion: { groupVersion: 'discovery.k8s.io/v1', version: 'v1' },
            },
          ]
        : [];
      return sendJson(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
    }
    if (url.pathname === '/apis/discovery.k8s.io/v1' && sliceApi) return sendJson(res, 200, DISCOVERY_V1);
    const r = route(url.pathname);
    if (!r || (r.resource === 'endpointslices' && !sliceApi) || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('404 page not found\n');
    }
    const watching = query['watch'] === 'true' || query['watch'] === '1';
    const verb = r.name ? 'get' : watching ? 'watch' : 'list';
    if (isForbidden(verb, r)) return forbid(res, verb, r);
    if (r.name) {
      const found = (store.get(r.resource) ?? []).find(
        (object) => object.metadata.name === r.name && inScope(object, r.namespace),
      );
      return found
        ? sendJson(res, 200, found)
        : status(res, 404, 'NotFound', `${r.resource} "${r.name}" not found`, {
            name: r.name,
            kind: r.resource,
          });
    }
    return watching ? watch(req, res, r, url.searchParams) : list(res, r, url.searchParams);
  };

  const { key, cert } = makeCertificate();
  const server = https.createServer({ key, cert }, handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `https://127.0.0.1:${port}`,
    port,
    caPem: cert,
    requests,
    publish(resource, type, value) {
      revision += 1;
      const object = structuredClone(asKubeObject(value));
      object.metadata.resourceVersion = String(revision);
      const objects = (store.get(resource) ?? []).filter(
        (o) =>
          !(o.metadata.name === object.metadata.name && o.metadata.namespace === object.metadata.namespace),
      );
      store.set(resource, type === 'DELETED' ? objects : [...objects, object]);
      log.push({ revision, resource, type, object });
      for (const watcher of watchers) {
        if (watcher.resource === resource && inScope(object, watcher.namespace))
          watcher.res.write(`${JSON.stringify({ type, object })}\n`);
      }
    },
    endWatches() {
      for (const watcher of watchers) watcher.res.end();
      watchers.clear();
    },
    expireWatches() {
      const message = `too old resource version: ${revision - 1} (${revision})`;
      const object = {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message,
        reason: 'Expired',
        code: 410,
      };
      for (const watcher of watchers) watcher.res.end(`${JSON.stringify({ type: 'ERROR', object })}\n`);
      watchers.clear();
    },
    async close() {
      for (const watcher of watchers) watcher.res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
