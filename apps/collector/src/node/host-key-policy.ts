// The host-key decision for one hop, made while ssh2 is in the key exchange: trust what
// known_hosts lists, accept a new host only when the caller named its exact fingerprint, and never
// accept a changed or revoked key.
import { NodeCollectError } from './node-collect-error.js';
import { checkHostKey, keyTypeOfBlob, knownHostsName, sha256Fingerprint } from './known-hosts.js';
import type { KnownHostEntry } from './known-hosts.js';

/** How the collector treats host keys. Passed explicitly on every collection. */
export interface HostKeyPolicy {
  /** known_hosts to check and append to. Default: ssh_config UserKnownHostsFile, else ~/.ssh/known_hosts. */
  readonly knownHostsPath?: string;
  /**
   * `SHA256:…` fingerprint(s) of hosts not yet in known_hosts that the caller has verified out of
   * band. Only an UNKNOWN host whose key has exactly this fingerprint is accepted (and appended);
   * it never overrides a changed or revoked key.
   */
  readonly acceptFingerprint?: string | readonly string[];
  /** Write accepted hosts hashed (`|1|salt|hash`), like `HashKnownHosts yes`. Default false. */
  readonly hashKnownHosts?: boolean;
}

/** The outcome for one hop: pass (known, or newly accepted — to append) or refuse with a typed error. */
export type HostKeyVerdict =
  | { readonly kind: 'known'; readonly fingerprint: string }
  | { readonly kind: 'accepted-new'; readonly fingerprint: string; readonly key: Buffer }
  | { readonly kind: 'refused'; readonly error: NodeCollectError };

export interface HopIdentity {
  readonly host: string;
  readonly port: number;
  readonly hop: number;
  readonly knownHostsPaths: readonly string[];
}

function describeLines(entries: readonly KnownHostEntry[]): string[] {
  return entries.map((e) => `${e.path}:${e.line}`);
}

/** Decides whether the key `blob` presented by `who` may be trusted under `policy`. */
export function decideHostKey(
  entries: readonly KnownHostEntry[],
  who: HopIdentity,
  blob: Buffer,
  policy: HostKeyPolicy,
): HostKeyVerdict {
  const fingerprint = sha256Fingerprint(blob);
  const keyType = keyTypeOfBlob(blob) ?? 'unknown';
  const facts = {
    host: who.host,
    port: who.port,
    hop: who.hop,
    keyType,
    fingerprint,
    knownHostsPaths: who.knownHostsPaths,
  };
  const name = knownHostsName(who.host, who.port);
  const check = checkHostKey(entries, who.host, who.port, blob);
  switch (check.kind) {
    case 'match':
      return { kind: 'known', fingerprint };
    case 'revoked':
      return {
        kind: 'refused',
        error: new NodeCollectError({
          code: 'host-key-revoked',
          message: `Host key of ${name} (${keyType} ${fingerprint}) is marked @revoked in ${describeLines(check.entries).join(', ')}; refusing to connect.`,
          ...facts,
          knownLines: describeLines(check.entries),
        }),
      };
    case 'changed':
      return {
        kind: 'refused',
        error: new NodeCollectError({
          code: 'host-key-changed',
          message:
            `HOST KEY CHANGED for ${name}: it now presents ${keyType} ${fingerprint}, which does not match ` +
            `${describeLines(check.entries).join(', ')}. This can be a man-in-the-middle attack, so it is always refused. ` +
            `If the node was really reinstalled, remove the old entry (ssh-keygen -R '${name}') and accept the new key.`,
          ...facts,
          knownLines: describeLines(check.entries),
        }),
      };
    case 'unknown': {
      const accepted =
        policy.acceptFingerprint === undefined
          ? []
          : typeof policy.acceptFingerprint === 'string'
            ? [policy.acceptFingerprint]
            : policy.acceptFingerprint;
      if (accepted.includes(fingerprint)) return { kind: 'accepted-new', fingerprint, key: blob };
      return {
        kind: 'refused',
        error: new NodeCollectError({
          code: 'host-key-unknown',
          message:
            `Host ${name} is not in ${who.knownHostsPaths.join(', ')}; it presents ${keyType} key ${fingerprint}. ` +
            `Check that fingerprint on the node (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then trust it: ` +
            `run svcpath collect again with --accept-host-key '${fingerprint}', or add the key to ${who.knownHostsPaths[0] ?? '~/.ssh/known_hosts'} (connect once with ssh ${name}).`,
          ...facts,
        }),
      };
    }
    default: {
      const never: never = check;
      throw new Error(`unhandled host-key check ${JSON.stringify(never)}`);
    }
  }
}

// ssh2's default host-key algorithms (lib/protocol/constants.js), so known key types can go first.
const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
] as const;
type HostKeyAlgorithm = (typeof HOST_KEY_ALGORITHMS)[number];

/** Host-key algorithms to offer: those for key types known_hosts lists first, as ssh(1) does. */
export function hostKeyAlgorithmOrder(knownTypes: readonly string[]): HostKeyAlgorithm[] {
  const preferred: HostKeyAlgorithm[] = [];
  for (const type of knownTypes) {
    const algorithms: readonly HostKeyAlgorithm[] =
      type === 'ssh-rsa'
        ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']
        : HOST_KEY_ALGORITHMS.filter((a) => a === type);
    preferred.push(...algorithms.filter((a) => !preferred.includes(a)));
  }
  return [...preferred, ...HOST_KEY_ALGORITHMS.filter((a) => !preferred.includes(a))];
}
