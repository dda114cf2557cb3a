/**
 * Errors that stop a cluster read before any request is sent: the kubeconfig cannot be found or
 * read, or names no usable context. Everything that goes wrong *after* that is a problem entry in
 * the result (see cluster-problem.ts), not an exception.
 */
export type ClusterSourceErrorCode =
  /** No KUBECONFIG file, no ~/.kube/config and no in-cluster service account. */
  | 'KUBECONFIG_NOT_FOUND'
  /** A kubeconfig file exists but cannot be read or parsed. */
  | 'KUBECONFIG_INVALID'
  /** The requested context (or the current-context) is not in the kubeconfig. */
  | 'CONTEXT_NOT_FOUND';

/** A typed domain error with a stable `code`; the server's error middleware maps it to JSON. */
export class ClusterSourceError extends Error {
  override readonly name = 'ClusterSourceError';

  constructor(
    readonly code: ClusterSourceErrorCode,
    message: string,
    readonly details: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
