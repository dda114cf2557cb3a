/**
 * The server's user-facing error codes and their HTTP statuses. Handlers throw {@link DomainError};
 * one middleware turns it into `{ error: { code, message, details } }`.
 */
export const ERROR_STATUS = {
  INVALID_REQUEST: 400,
  INVALID_JSON: 400,
  FORBIDDEN_HOST: 403,
  FORBIDDEN_ORIGIN: 403,
  NOT_FOUND: 404,
  SNAPSHOT_NOT_FOUND: 404,
  SERVICE_NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  JOB_NOT_FOUND: 404,
  FLEET_RUN_NOT_FOUND: 404,
  /** One live fleet run at a time: each creates Pods on every node. */
  FLEET_RUN_RUNNING: 409,
  SNAPSHOT_READ_ONLY: 409,
  NO_RULES: 422,
  /** Counter deltas asked of two snapshots of different nodes. */
  NODE_MISMATCH: 422,
  /** Counter deltas asked of dumps saved without `iptables-save -c`. */
  NO_COUNTERS: 422,
  /** The kernel would refuse to load the snapshot's ruleset (a jump loop, nesting nf_tables refuses). */
  RULESET_REFUSED: 422,
  /** A trace ran over its budget (steps, outcomes, time). */
  TRACE_BUDGET_EXCEEDED: 422,
  /** The engine took longer than a request may, or ran out of memory; it was restarted. */
  ENGINE_TIMEOUT: 503,
  ENGINE_FAILED: 503,
  /** The client went away before the work began (nginx's 499). */
  CANCELLED: 499,
  INTERNAL: 500,
  STORE_FAILED: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly details: unknown };
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export const snapshotNotFound = (id: string) => new DomainError('SNAPSHOT_NOT_FOUND', `no snapshot "${id}"`, { id });

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && code in ERROR_STATUS;
}
