// Typed errors of the Pod-based node collector: thrown only when nothing can be collected (before
// or while creating the Pod). Once the Pod exists, everything is data (see pod-dump-problems.ts).
// `code` is stable; the CLI and the snapshot problems key on it.
import { httpStatusOf, redactServer } from '../cluster/cluster-problem.js';

/** The RBAC rules the collector needs in the Pod's namespace, as a Role would list them. */
export const REQUIRED_RBAC = [
  { resource: 'pods', verbs: ['create', 'get', 'delete'] },
  { resource: 'pods/log', verbs: ['get'] },
] as const;

export type PodCollectErrorInfo =
  /** The caller did not opt in (`allowHostNetworkPod: true`, `--via-pod`). */
  | { readonly code: 'not-opted-in'; readonly message: string }
  | { readonly code: 'invalid-options'; readonly message: string; readonly issues: readonly string[] }
  /** No kubeconfig, an unreadable one, or no such context. */
  | { readonly code: 'kubeconfig'; readonly message: string }
  /** 403 from RBAC on creating the Pod. */
  | {
      readonly code: 'rbac-forbidden';
      readonly message: string;
      readonly namespace: string;
      readonly verb: string;
      readonly resource: string;
    }
  /** 403 from Pod Security admission: the namespace's enforce level does not allow this Pod. */
  | {
      readonly code: 'pod-security-rejected';
      readonly message: string;
      readonly namespace: string;
      readonly level: string;
    }
  /** 404 on creating: the namespace does not exist. */
  | { readonly code: 'namespace-not-found'; readonly message: string; readonly namespace: string }
  /** Any other admission rejection (ValidatingAdmissionPolicy, webhook, validation): 4xx with a Status. */
  | {
      readonly code: 'admission-rejected';
      readonly message: string;
      readonly namespace: string;
      readonly status: number;
    }
  /** No answer, TLS failure, timeout, 5xx. */
  | { readonly code: 'api-error'; readonly message: string };

export type PodCollectErrorCode = PodCollectErrorInfo['code'];

export class PodCollectError extends Error {
  readonly code: PodCollectErrorCode;
  readonly info: PodCollectErrorInfo;

  constructor(info: PodCollectErrorInfo, options?: { cause?: unknown }) {
    super(info.message, options);
    this.name = 'PodCollectError';
    this.code = info.code;
    this.info = info;
  }
}

export function isPodCollectError(error: unknown): error is PodCollectError {
  return error instanceof PodCollectError;
}

/** `pods: create, get, delete; pods/log: get` */
export function rbacSummary(): string {
  return REQUIRED_RBAC.map((rule) => `${rule.resource}: ${rule.verbs.join(', ')}`).join('; ');
}

/** The advice that ends every 403 message: what to grant, and how to check it. */
export function rbacAdvice(namespace: string, verb: string, resource: string): string {
  return (
    `the account needs RBAC permission "${verb}" on "${resource}" in namespace "${namespace}" ` +
    `(the collector needs ${rbacSummary()}; check with: kubectl auth can-i ${verb} ${resource} -n ${namespace})`
  );
}

// RBAC's own wording (k8s.io/apiserver authorization): `User "…" cannot create resource "pods" …`.
const RBAC_DENIAL = /cannot ([a-z]+) resource "([a-z/]+)"/;
// Pod Security admission: `pods "x" is forbidden: violates PodSecurity "baseline:latest": …`.
const POD_SECURITY_DENIAL = /violates PodSecurity "([a-z]+):[^"]*"/;

/** Maps what creating the Pod threw to the error that says what to change. */
export function podCreateError(error: unknown, namespace: string, server: string): PodCollectError {
  const http = httpStatusOf(error);
  const said = http?.statusMessage ?? '';
  if (http?.status === 403) {
    const podSecurity = POD_SECURITY_DENIAL.exec(said);
    if (podSecurity) {
      const level = podSecurity[1] ?? 'baseline';
      return new PodCollectError({
        code: 'pod-security-rejected',
        namespace,
        level,
        message:
          `Pod Security admission refused the dump Pod: namespace "${namespace}" enforces level "${level}", ` +
          `which does not allow hostNetwork or the NET_ADMIN/NET_RAW capabilities. Use a namespace labelled ` +
          `pod-security.kubernetes.io/enforce=privileged (--pod-namespace NS), or label this one if your ` +
          `policy allows it: kubectl label namespace ${namespace} pod-security.kubernetes.io/enforce=privileged. ` +
          `API server: ${said}`,
      });
    }
    const rbac = RBAC_DENIAL.exec(said);
    if (rbac || said === '') {
      const verb = rbac?.[1] ?? 'create';
      const resource = rbac?.[2] ?? 'pods';
      return new PodCollectError({
        code: 'rbac-forbidden',
        namespace,
        verb,
        resource,
        message: `cannot create the dump Pod (403 Forbidden): ${rbacAdvice(namespace, verb, resource)}. API server: ${said || '(no message)'}`,
      });
    }
  }
  if (http?.status === 404) {
    return new PodCollectError({
      code: 'namespace-not-found',
      namespace,
      message: `namespace "${namespace}" does not exist: choose another with --pod-namespace, or create one labelled pod-security.kubernetes.io/enforce=privileged. API server: ${said || '(no message)'}`,
    });
  }
  if (http !== undefined && http.status >= 400 && http.status < 500 && http.status !== 401) {
    return new PodCollectError({
      code: 'admission-rejected',
      namespace,
      status: http.status,
      message:
        `the API server refused the dump Pod in namespace "${namespace}" (HTTP ${http.status}): ${said || '(no message)'}. ` +
        `An admission policy there forbids what the Pod needs (hostNetwork, NET_ADMIN/NET_RAW, running as root); ` +
        `choose a namespace where it is allowed with --pod-namespace, or ask for an exception for Pods labelled app.kubernetes.io/managed-by=svcpath`,
    });
  }
  return new PodCollectError(
    { code: 'api-error', message: `cannot create the dump Pod: ${apiFailure(error, server)}` },
    { cause: error },
  );
}

/** One line about an API call that failed, without credentials. */
export function apiFailure(error: unknown, server: string): string {
  const http = httpStatusOf(error);
  if (http?.status === 401)
    return `API server ${redactServer(server)} rejected the credentials (401 Unauthorized)`;
  if (http)
    return `API server ${redactServer(server)} answered HTTP ${http.status}: ${http.statusMessage ?? '(no message)'}`;
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError')
    return `API server ${redactServer(server)} did not answer in time`;
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error instanceof Error ? error.message : String(error)}${cause}`;
}
