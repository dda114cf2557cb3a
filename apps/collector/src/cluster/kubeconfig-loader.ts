/**
 * Finds and merges kubeconfig the way kubectl (client-go's clientcmd) does, then hands the result
 * to client-node's KubeConfig. client-node's own `loadFromDefault` differs from kubectl in ways
 * that matter here, so this file does the loading and leaves requests and auth to client-node:
 *
 * - KUBECONFIG lists merge first-wins (the first file to define a name, or a current-context,
 *   wins); client-node lets later files override current-context and throws on duplicate names.
 * - Files named in KUBECONFIG that do not exist are skipped, as kubectl skips them.
 * - Relative paths resolve against the kubeconfig file's directory: certificate-authority,
 *   client-certificate, client-key, token-file, and an exec command containing a '/'. client-node
 *   resolves only the first three, and reads token-file relative to the process's cwd.
 * - Exec credential plugins get KUBERNETES_EXEC_INFO (an ExecCredential with `spec.interactive:
 *   false`, plus `spec.cluster` when `provideClusterInfo` is set), as kubectl passes it.
 * - With no kubeconfig at all, the in-cluster service account is used when KUBERNETES_SERVICE_HOST
 *   and KUBERNETES_SERVICE_PORT are set, as client-go's in-cluster fallback does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { KubeConfig, loadYaml } from '@kubernetes/client-node';
import type { Cluster, Context, User } from '@kubernetes/client-node';
import { z } from 'zod';
import { ClusterSourceError } from './cluster-source-error.js';
import { redactServer } from './cluster-problem.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface KubeconfigLoadOptions {
  /** Environment to read KUBECONFIG, HOME and KUBERNETES_SERVICE_* from; default process.env. */
  readonly env?: Env;
  /** Like `kubectl --kubeconfig`: only this file, which must exist. */
  readonly kubeconfigPath?: string;
  /** Where the in-cluster service account files are; default the kubelet's mount point. */
  readonly serviceAccountDir?: string;
}

/** A context as listed to users: names and the server URL, never credentials. */
export interface KubeContextSummary {
  readonly name: string;
  readonly cluster: string;
  readonly server?: string;
  readonly user: string;
  readonly namespace?: string;
  readonly current: boolean;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

interface MergedConfig {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext: string;
}

const named = z.looseObject({ name: z.string() });
const kubeconfigDocument = z.looseObject({
  clusters: z.array(named).nullish(),
  users: z.array(named).nullish(),
  contexts: z.array(named).nullish(),
});

function resolveFrom(dir: string, record: unknown, key: string, onlyIfPath = false): void {
  if (typeof record !== 'object' || record === null) return;
  const target = record as Record<string, unknown>;
  const value = target[key];
  if (typeof value !== 'string' || value === '' || path.isAbsolute(value)) return;
  if (onlyIfPath && !value.includes('/')) return; // a bare command is looked up on PATH
  target[key] = path.join(dir, value);
}

/** Reads one kubeconfig file, resolving its relative paths against its directory. */
function readKubeconfigFile(file: string): MergedConfig | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ClusterSourceError(
      'KUBECONFIG_INVALID',
      `cannot read kubeconfig ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { file },
    );
  }
  if (text.trim() === '') return undefined;
  try {
    const document = kubeconfigDocument.parse({ ...loadYaml<object>(text) });
    const dir = path.dirname(path.resolve(file));
    for (const entry of document.clusters ?? []) resolveFrom(dir, entry['cluster'], 'certificate-authority');
    for (const entry of document.users ?? []) {
      for (const key of ['client-certificate', 'client-key', 'token-file'])
        resolveFrom(dir, entry['user'], key);
      const user = entry['user'];
      if (typeof user === 'object' && user !== null)
        resolveFrom(dir, (user as Record<string, unknown>)['exec'], 'command', true);
    }
    const kc = new KubeConfig();
    kc.loadFromString(JSON.stringify(document));
    return {
      clusters: kc.clusters,
      users: kc.users,
      contexts: kc.contexts,
      currentContext: kc.currentContext ?? '',
    };
  } catch (error) {
    if (error instanceof ClusterSourceError) throw error;
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw new ClusterSourceError('KUBECONFIG_INVALID', `cannot parse kubeconfig ${file}: ${reason}`, {
      file,
    });
  }
}

function firstWins<T extends { name: string }>(into: T[], from: readonly T[]): void {
  for (const item of from) if (!into.some((existing) => existing.name === item.name)) into.push(item);
}

function mergeFiles(files: readonly string[]): MergedConfig | undefined {
  const merged: MergedConfig = { clusters: [], users: [], contexts: [], currentContext: '' };
  let loaded = false;
  for (const file of files) {
    const one = readKubeconfigFile(file);
    if (!one) continue;
    loaded = true;
    firstWins(merged.clusters, one.clusters);
    firstWins(merged.users, one.users);
    firstWins(merged.contexts, one.contexts);
    if (merged.currentContext === '') merged.currentContext = one.currentContext;
  }
  return loaded ? merged : undefined;
}

/** Mirrors KubeConfig.loadFromCluster, but reads host and port from the given env. */
function inClusterConfig(env: Env, dir: string): MergedConfig | undefined {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (!host || !port || !fs.existsSync(path.join(dir, 'token'))) return undefined;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const namespaceFile = path.join(dir, 'namespace');
  const namespace = fs.existsSync(namespaceFile) ? fs.readFileSync(namespaceFile, 'utf8').trim() : undefined;
  return {
    clusters: [
      {
        name: 'inCluster',
        server: `https://${hostPart}:${port}`,
        caFile: path.join(dir, 'ca.crt'),
        skipTLSVerify: false,
      },
    ],
    // client-node's FileAuth re-reads the token every 60 s, as client-go does for rotated tokens.
    users: [
      {
        name: 'inClusterUser',
        authProvider: { name: 'tokenFile', config: { tokenFile: path.join(dir, 'token') } },
      },
    ],
    contexts: [
      {
        name: 'inClusterContext',
        cluster: 'inCluster',
        user: 'inClusterUser',
        ...(namespace ? { namespace } : {}),
      },
    ],
    currentContext: 'inClusterContext',
  };
}

/** Loads the merged configuration: --kubeconfig, else KUBECONFIG, else ~/.kube/config, else in-cluster. */
export function loadKubeconfig(options: KubeconfigLoadOptions = {}): KubeConfig {
  const env = options.env ?? process.env;
  let merged: MergedConfig | undefined;
  let looked: string;
  if (options.kubeconfigPath !== undefined) {
    if (!fs.existsSync(options.kubeconfigPath)) {
      throw new ClusterSourceError(
        'KUBECONFIG_NOT_FOUND',
        `kubeconfig ${options.kubeconfigPath} does not exist`,
      );
    }
    merged = mergeFiles([options.kubeconfigPath]);
    looked = options.kubeconfigPath;
  } else if (env['KUBECONFIG']) {
    const files = env['KUBECONFIG'].split(path.delimiter).filter((file) => file !== '');
    merged = mergeFiles(files.filter((file) => fs.existsSync(file)));
    looked = `KUBECONFIG (${files.join(path.delimiter)})`;
  } else {
    const home = env['HOME'];
    const file = home ? path.join(home, '.kube', 'config') : undefined;
    merged = file && fs.existsSync(file) ? mergeFiles([file]) : undefined;
    looked = file ?? '~/.kube/config (HOME is not set)';
  }
  merged ??= inClusterConfig(env, options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR);
  if (!merged) {
    throw new ClusterSourceError(
      'KUBECONFIG_NOT_FOUND',
      `no kubeconfig found in ${looked}, and no in-cluster service account (KUBERNETES_SERVICE_HOST is not set)`,
    );
  }
  const kc = new KubeConfig();
  kc.loadFromOptions(merged);
  return kc;
}

/** Lists contexts without credentials. */
export function summarizeContexts(kc: KubeConfig): KubeContextSummary[] {
  return kc.getContexts().map((context) => {
    const server = kc.getCluster(context.cluster)?.server;
    return {
      name: context.name,
      cluster: context.cluster,
      ...(server === undefined ? {} : { server: redactServer(server) }),
      user: context.user,
      ...(context.namespace === undefined ? {} : { namespace: context.namespace }),
      current: context.name === kc.getCurrentContext(),
    };
  });
}

/** kubectl's KUBERNETES_EXEC_INFO for this user's plugin, added to the plugin's env. */
function withExecInfo(user: User, cluster: Cluster): User {
  const exec: unknown = user.exec;
  if (typeof exec !== 'object' || exec === null) return user;
  const spec = exec as {
    apiVersion?: string;
    env?: { name: string; value: string }[] | null;
    provideClusterInfo?: boolean;
  };
  const clusterInfo = spec.provideClusterInfo
    ? {
        cluster: {
          server: cluster.server,
          ...(cluster.tlsServerName ? { 'tls-server-name': cluster.tlsServerName } : {}),
          ...(cluster.caData ? { 'certificate-authority-data': cluster.caData } : {}),
          'insecure-skip-tls-verify': cluster.skipTLSVerify,
        },
      }
    : {};
  const execInfo = {
    apiVersion: spec.apiVersion ?? 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    spec: { interactive: false, ...clusterInfo },
  };
  const env = [
    ...(spec.env ?? []).filter((entry) => entry.name !== 'KUBERNETES_EXEC_INFO'),
    { name: 'KUBERNETES_EXEC_INFO', value: JSON.stringify(execInfo) },
  ];
  return { ...user, exec: { ...spec, env } };
}

/**
 * A KubeConfig whose current context is `contextName` (or the current-context), ready for
 * makeApiClient and Watch. Throws CONTEXT_NOT_FOUND when there is no such context.
 */
export function selectContext(all: KubeConfig, contextName?: string): KubeConfig {
  const name = contextName ?? all.getCurrentContext();
  const known = all.getContexts().map((context) => context.name);
  if (!name) {
    throw new ClusterSourceError(
      'CONTEXT_NOT_FOUND',
      `current-context is not set; choose one of: ${known.join(', ') || '(none)'}`,
    );
  }
  const context = all.getContextObject(name);
  if (!context) {
    throw new ClusterSourceError(
      'CONTEXT_NOT_FOUND',
      `context "${name}" does not exist; known contexts: ${known.join(', ') || '(none)'}`,
      { context: name },
    );
  }
  const cluster = all.getCluster(context.cluster);
  if (!cluster) {
    throw new ClusterSourceError(
      'KUBECONFIG_INVALID',
      `context "${name}" names cluster "${context.cluster}", which is not defined`,
      { context: name },
    );
  }
  const users = all
    .getUsers()
    .map((user) => (user.name === context.user ? withExecInfo(user, cluster) : user));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: all.getClusters(),
    users,
    contexts: all.getContexts(),
    currentContext: name,
  });
  return kc;
}
