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
 * - Pods written and run (for the dump Pod collector): POST …/namespaces/{ns}/pods (201 with the
 *   object, 409 AlreadyExists), status moving one phase per GET as kubelet status updates would
 *   (default Pending → Running → Succeeded; never past Running while the container still runs),
 *   GET …/pods/{name}/log (text/plain, `limitBytes`, 400 while the container waits to start),
 *   DELETE (200 with the object, then gone); RBAC 403s on create/delete and on `pods/log`; the
 *   admission rejections Pod Security (403, its exact "violates PodSecurity" wording, computed
 *   from the Pod's host namespaces, privileged flag and added capabilities — baseline checks only)
 *   and a ValidatingAdmissionPolicy (422 Invalid, as a policy without `reason` answers).
 *   The container itself is run by the test's `podLifecycle.run` (the kubelet's part).
 * What it does not do: field/label selectors, resourceVersion semantics on lists, 410 on stale
 * continue tokens, protobuf, server-side apply, defaulting and validation of written objects,
 * writes to anything but Pods.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
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
  /** A resource, or the `pods/log` subresource. */
  readonly resource: FakeResource | 'pods/log';
  readonly verb?: 'list' | 'get' | 'watch' | 'create' | 'delete';
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
  /** What happens to a created Pod (the scheduler's and kubelet's part). */
  readonly podLifecycle?: FakePodLifecycle;
  /** An admission controller that rejects created Pods. */
  readonly admission?: FakeAdmission;
}

export type FakePodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export interface FakePodLifecycle {
  /**
   * Phases a created Pod goes through, one per GET of it; the last one stays. Default Pending,
   * Running, Succeeded. A function chooses them per Pod (a node that never runs its Pods: Pending).
   */
  readonly phases?: readonly FakePodPhase[] | ((pod: unknown) => readonly FakePodPhase[]);
  /** The container's waiting state while Pending; default ContainerCreating. */
  readonly waiting?: { readonly reason: string; readonly message: string };
  /** How the container ended when the phases end in Failed. */
  readonly failure?: { readonly reason: string; readonly exitCode: number };
  /**
   * Runs the container (the kubelet's part), started when the Pod first reaches Running. `write`
   * appends to the container log; `signal` aborts when the Pod is deleted. Resolves to the exit code.
   */
  readonly run?: (pod: unknown, write: (chunk: string) => void, signal: AbortSignal) => Promise<number>;
}

export type FakeAdmission =
  /** Pod Security admission enforcing `baseline` on every namespace (403). */
  | { readonly kind: 'pod-security'; readonly level: 'baseline' }
  /** A ValidatingAdmissionPolicy whose CEL `expression` evaluated false (422 Invalid). */
  | {
      readonly kind: 'validating-admission-policy';
      readonly policy: string;
      readonly binding: string;
      readonly expression: string;
    };

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
  /** Bodies of the Pods created (as sent), in order. */
  readonly createdPods: unknown[];
  /** `namespace/name` of each Pod deleted, in order. */
  readonly deletedPods: string[];
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
  details?: Record<string, unknown>,
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
  /** Only `log`, on pods. */
  readonly subresource?: 'log';
}

/** Parses /api/v1/[namespaces/{ns}/]{resource}[/{name}[/log]] and the discovery.k8s.io equivalent. */
function route(pathname: string): Route | undefined {
  const match =
    /^\/(?:api\/v1|apis\/discovery\.k8s\.io\/v1)(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/]+)(\/log)?)?$/.exec(
      pathname,
    );
  if (!match) return undefined;
  const resource = match[2] as FakeResource;
  const info = GROUPS[resource];
  if (!info || pathname.startsWith('/apis/') !== (info.group !== '')) return undefined;
  if (match[4] && (resource !== 'pods' || !match[1])) return undefined;
  return {
    resource,
    ...(match[1] ? { namespace: decodeURIComponent(match[1]) } : {}),
    ...(match[3] ? { name: decodeURIComponent(match[3]) } : {}),
    ...(match[4] ? { subresource: 'log' as const } : {}),
  };
}

// Pod Security's baseline level allows only these added capabilities (k8s.io/pod-security-admission).
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

interface PodShape {
  spec?: {
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    containers?: {
      name?: string;
      securityContext?: { privileged?: boolean; capabilities?: { add?: string[] } };
    }[];
  };
}

const quoteList = (items: readonly string[]): string => items.map((item) => `"${item}"`).join(', ');

/** What Pod Security's baseline checks say about a Pod, in their wording; empty when it passes. */
function baselineViolations(pod: PodShape): string[] {
  const spec = pod.spec ?? {};
  const containers = spec.containers ?? [];
  const out: string[] = [];
  const host = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((key) => spec[key] === true);
  if (host.length > 0) out.push(`host namespaces (${host.map((key) => `${key}=true`).join(', ')})`);
  const privileged = containers
    .filter((c) => c.securityContext?.privileged === true)
    .map((c) => c.name ?? '');
  if (privileged.length > 0)
    out.push(`privileged (container ${quoteList(privileged)} must not set securityContext.privileged=true)`);
  const withCaps = containers.filter((c) =>
    (c.securityContext?.capabilities?.add ?? []).some((cap) => !BASELINE_CAPABILITIES.has(cap)),
  );
  if (withCaps.length > 0) {
    const caps = [...new Set(withCaps.flatMap((c) => c.securityContext?.capabilities?.add ?? []))].filter(
      (cap) => !BASELINE_CAPABILITIES.has(cap),
    );
    out.push(
      `non-default capabilities (container ${quoteList(withCaps.map((c) => c.name ?? ''))} must not include ${quoteList(caps)} in securityContext.capabilities.add)`,
    );
  }
  return out;
}

/** The container status for `phase`, as the kubelet reports it. */
function containerStatus(
  pod: KubeObject,
  phase: FakePodPhase,
  life: FakePodLifecycle,
  exitCode: number | undefined,
): unknown {
  const container =
    ((pod['spec'] as { containers?: { name?: string; image?: string }[] } | undefined)?.containers ??
      [])[0] ?? {};
  const base = {
    name: container.name ?? '',
    image: container.image ?? '',
    ready: phase === 'Running',
    restartCount: 0,
  };
  const at = new Date().toISOString();
  switch (phase) {
    case 'Pending':
      return { ...base, state: { waiting: life.waiting ?? { reason: 'ContainerCreating' } } };
    case 'Running':
      return { ...base, started: true, state: { running: { startedAt: at } } };
    case 'Succeeded':
      return {
        ...base,
        state: {
          terminated: { exitCode: exitCode ?? 0, reason: 'Completed', startedAt: at, finishedAt: at },
        },
      };
    case 'Failed':
      return {
        ...base,
        state: {
          terminated: {
            exitCode: life.failure?.exitCode ?? exitCode ?? 1,
            reason: life.failure?.reason ?? 'Error',
            startedAt: at,
            finishedAt: at,
          },
        },
      };
  }
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
        rule.resource === (r.subresource ? `${r.resource}/${r.subresource}` : r.resource) &&
        (rule.verb ?? verb) === verb &&
        (rule.namespace === undefined || rule.namespace === r.namespace),
    );

  const forbid = (res: ServerResponse, verb: string, r: Route): void => {
    const group = GROUPS[r.resource].group;
    const subject = r.name ? `${r.resource} "${r.name}"` : r.resource;
    const where = r.namespace ? `in the namespace "${r.namespace}"` : 'at the cluster scope';
    const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
    const details: Record<string, string> = {
      ...(r.name ? { name: r.name } : {}),
      ...(group ? { group } : {}),
      kind: r.resource,
    };
    status(
      res,
      403,
      'Forbidden',
      `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${group}" ${where}`,
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

  const apply = (resource: FakeResource, type: WatchEventType, value: unknown): void => {
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
  };

  // Pods written through the API: their run and how far their phases got.
  const createdPods: unknown[] = [];
  const deletedPods: string[] = [];
  const lives = new Map<
    string,
    { step: number; output: string; exitCode?: number; started: boolean; abort: AbortController }
  >();
  const lifecycle = options.podLifecycle ?? {};
  const findPod = (r: Route): KubeObject | undefined =>
    (store.get('pods') ?? []).find((o) => o.metadata.name === r.name && o.metadata.namespace === r.namespace);
  const notFound = (res: ServerResponse, r: Route): void =>
    status(res, 404, 'NotFound', `${r.resource} "${r.name}" not found`, {
      name: r.name ?? '',
      kind: r.resource,
    });

  const readBody = (req: IncomingMessage): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      req.on('error', reject);
    });

  const admit = (res: ServerResponse, pod: KubeObject): boolean => {
    const rule = options.admission;
    const name = pod.metadata.name;
    if (rule?.kind === 'pod-security') {
      const violations = baselineViolations(pod as PodShape);
      if (violations.length === 0) return true;
      status(
        res,
        403,
        'Forbidden',
        `pods "${name}" is forbidden: violates PodSecurity "${rule.level}:latest": ${violations.join(', ')}`,
        { name, kind: 'pods' },
      );
      return false;
    }
    if (rule?.kind === 'validating-admission-policy') {
      const denial = `ValidatingAdmissionPolicy '${rule.policy}' with binding '${rule.binding}' denied request: failed expression: ${rule.expression}`;
      status(res, 422, 'Invalid', `pods "${name}" is forbidden: ${denial}`, {
        name,
        kind: 'pods',
        causes: [{ message: denial }],
      });
      return false;
    }
    return true;
  };

  const createPod = async (req: IncomingMessage, res: ServerResponse, r: Route): Promise<void> => {
    const body = await readBody(req);
    const pod = asKubeObject(body);
    createdPods.push(structuredClone(body));
    if (!admit(res, pod)) return;
    if (findPod({ ...r, name: pod.metadata.name })) {
      return status(res, 409, 'AlreadyExists', `pods "${pod.metadata.name}" already exists`, {
        name: pod.metadata.name,
        kind: 'pods',
      });
    }
    pod.metadata.namespace = r.namespace;
    Object.assign(pod.metadata, { uid: randomUUID(), creationTimestamp: new Date().toISOString() });
    pod['status'] = { phase: 'Pending', qosClass: 'Burstable' };
    lives.set(`${r.namespace}/${pod.metadata.name}`, {
      step: 0,
      output: '',
      started: false,
      abort: new AbortController(),
    });
    apply('pods', 'ADDED', pod);
    sendJson(res, 201, findPod({ ...r, name: pod.metadata.name }));
  };

  /** One kubelet status update per GET: the next phase, but not past Running while the container runs. */
  const advance = (pod: KubeObject): void => {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const life = lives.get(key);
    if (!life) return;
    const chosen = typeof lifecycle.phases === 'function' ? lifecycle.phases(pod) : lifecycle.phases;
    const phases = chosen ?? ['Pending', 'Running', 'Succeeded'];
    let phase = phases[Math.min(life.step, phases.length - 1)] ?? 'Pending';
    if (phase !== 'Pending' && !life.started) {
      life.started = true;
      const write = (chunk: string): void => {
        life.output += chunk;
      };
      lifecycle.run?.(structuredClone(pod), write, life.abort.signal).then(
        (code) => (life.exitCode = code),
        (error: unknown) => {
          write(`${String(error)}\n`);
          life.exitCode = 128;
        },
      );
    }
    const running = lifecycle.run !== undefined && life.exitCode === undefined;
    if ((phase === 'Succeeded' || phase === 'Failed') && running) phase = 'Running';
    else life.step += 1;
    const status = {
      phase,
      qosClass: 'Burstable',
      containerStatuses: [containerStatus(pod, phase, lifecycle, life.exitCode)],
    };
    apply('pods', 'MODIFIED', { ...pod, status });
  };

  const podLog = (res: ServerResponse, r: Route, query: URLSearchParams): void => {
    const pod = findPod(r);
    if (!pod) return notFound(res, r);
    const life = lives.get(`${r.namespace}/${r.name}`);
    if (!life?.started) {
      const container =
        ((pod['spec'] as { containers?: { name?: string }[] }).containers ?? [])[0]?.name ?? '';
      return status(
        res,
        400,
        'BadRequest',
        `container "${container}" in pod "${r.name}" is waiting to start: ${lifecycle.waiting?.reason ?? 'ContainerCreating'}`,
      );
    }
    const limit = Number(query.get('limitBytes') ?? '0');
    const bytes = Buffer.from(life.output, 'utf8');
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache, private' });
    res.end(limit > 0 ? bytes.subarray(0, limit) : bytes);
  };

  const deletePod = (res: ServerResponse, r: Route): void => {
    const pod = findPod(r);
    if (!pod) return notFound(res, r);
    deletedPods.push(`${r.namespace}/${r.name}`);
    lives.get(`${r.namespace}/${r.name}`)?.abort.abort();
    lives.delete(`${r.namespace}/${r.name}`);
    const metadata = {
      ...pod.metadata,
      deletionTimestamp: new Date().toISOString(),
      deletionGracePeriodSeconds: 1,
    };
    apply('pods', 'DELETED', { ...pod, metadata });
    sendJson(res, 200, { ...pod, metadata });
  };

  /** POST, DELETE and pods/log; false when the request is not one of these. */
  const handlePodWrite = (
    req: IncomingMessage,
    res: ServerResponse,
    r: Route,
    query: URLSearchParams,
  ): boolean => {
    if (r.resource !== 'pods' || r.namespace === undefined) return false;
    const verb =
      req.method === 'POST' && !r.name
        ? 'create'
        : req.method === 'DELETE' && r.name && !r.subresource
          ? 'delete'
          : req.method === 'GET' && r.subresource
            ? 'get'
            : undefined;
    if (verb === undefined) return false;
    if (isForbidden(verb, r)) {
      forbid(res, verb, r);
      return true;
    }
    if (verb === 'create')
      createPod(req, res, r).catch(() => status(res, 400, 'BadRequest', 'the request body is not a Pod'));
    else if (verb === 'delete') deletePod(res, r);
    else podLog(res, r, query);
    return true;
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
    if (r && handlePodWrite(req, res, r, url.searchParams)) return;
    if (!r || (r.resource === 'endpointslices' && !sliceApi) || req.method !== 'GET' || r.subresource) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('404 page not found\n');
    }
    const watching = query['watch'] === 'true' || query['watch'] === '1';
    const verb = r.name ? 'get' : watching ? 'watch' : 'list';
    if (isForbidden(verb, r)) return forbid(res, verb, r);
    if (r.name) {
      if (r.resource === 'pods') {
        const pod = findPod(r);
        if (pod) advance(pod);
      }
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
    createdPods,
    deletedPods,
    publish: apply,
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
      for (const life of lives.values()) life.abort.abort();
      for (const watcher of watchers) watcher.res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
