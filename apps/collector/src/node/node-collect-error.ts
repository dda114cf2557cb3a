// Typed errors of the node-dump collector. `code` is stable (tests, CLI and HTTP mapping key on it);
// the other fields depend on the code. Everything that is not fatal to the whole collection is a
// `NodeDumpProblem` in the result instead (see collect-node-dumps.ts).

/** Which hop of a ProxyJump chain an error is about (0 = first connection made). */
interface HopRef {
  readonly host: string;
  readonly port: number;
  readonly hop: number;
}

/** Host-key facts, so a UI can show the fingerprint and the file it was checked against. */
interface HostKeyFacts extends HopRef {
  readonly keyType: string;
  /** `SHA256:<base64, unpadded>`, as `ssh-keygen -lf` prints it. */
  readonly fingerprint: string;
  readonly knownHostsPaths: readonly string[];
}

export type NodeCollectErrorInfo =
  | { readonly code: 'unknown-command-id'; readonly message: string; readonly id: string }
  | { readonly code: 'invalid-options'; readonly message: string; readonly issues: readonly string[] }
  | { readonly code: 'ssh-config-unreadable'; readonly message: string; readonly path: string }
  | {
      readonly code: 'ssh-config-unsupported';
      readonly message: string;
      readonly host: string;
      readonly option: string;
    }
  | { readonly code: 'proxy-jump-invalid'; readonly message: string; readonly spec: string }
  | { readonly code: 'identity-unreadable'; readonly message: string; readonly path: string }
  | { readonly code: 'identity-passphrase'; readonly message: string; readonly path: string }
  | {
      readonly code: 'no-auth-method';
      readonly message: string;
      readonly host: string;
      readonly tried: readonly string[];
    }
  | ({ readonly code: 'host-key-unknown'; readonly message: string } & HostKeyFacts)
  | ({
      readonly code: 'host-key-changed';
      readonly message: string;
      readonly knownLines: readonly string[];
    } & HostKeyFacts)
  | ({
      readonly code: 'host-key-revoked';
      readonly message: string;
      readonly knownLines: readonly string[];
    } & HostKeyFacts)
  | ({ readonly code: 'known-hosts-write-failed'; readonly message: string; readonly path: string } & HopRef)
  | ({ readonly code: 'auth-failed'; readonly message: string; readonly user: string } & HopRef)
  | ({ readonly code: 'connect-timeout'; readonly message: string; readonly timeoutMs: number } & HopRef)
  | ({ readonly code: 'connect-failed'; readonly message: string } & HopRef);

export type NodeCollectErrorCode = NodeCollectErrorInfo['code'];

/** The one error class the node collector throws; `info` is a discriminated union on `code`. */
export class NodeCollectError extends Error {
  readonly code: NodeCollectErrorCode;
  readonly info: NodeCollectErrorInfo;

  constructor(info: NodeCollectErrorInfo, options?: { cause?: unknown }) {
    super(info.message, options);
    this.name = 'NodeCollectError';
    this.code = info.code;
    this.info = info;
  }
}

/** Narrowing helper for callers that map errors by code. */
export function isNodeCollectError(error: unknown): error is NodeCollectError {
  return error instanceof NodeCollectError;
}
