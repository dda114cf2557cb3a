// OpenSSH known_hosts (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): plain host lists with patterns,
// `[host]:port` for non-22 ports, hashed `|1|salt|hmac-sha1` names, `@revoked` and
// `@cert-authority` markers. Pure apart from node:crypto; the adapter reads and appends the file.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { matchHostPatternList } from './host-pattern.js';

export interface KnownHostEntry {
  readonly marker?: 'revoked' | 'cert-authority';
  /** Comma-separated host patterns, or one hashed name. */
  readonly hosts: readonly string[];
  readonly hashed?: { readonly salt: Buffer; readonly hash: Buffer };
  readonly keyType: string;
  readonly key: Buffer;
  /** 1-based line in the file it came from, and the file. */
  readonly line: number;
  readonly path: string;
}

/** Parses known_hosts text; comments, blank and unreadable lines are skipped, as ssh(1) does. */
export function parseKnownHosts(text: string, path: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
      marker = fields[0] === '@revoked' ? 'revoked' : 'cert-authority';
      fields.shift();
    }
    const [hostField, keyType, keyBase64] = fields;
    if (hostField === undefined || keyType === undefined || keyBase64 === undefined) return;
    const key = Buffer.from(keyBase64, 'base64');
    if (key.length === 0 || keyTypeOfBlob(key) !== keyType) return;
    const hashedMatch = /^\|1\|([^|]+)\|([^|]+)$/.exec(hostField);
    const hashed = hashedMatch
      ? {
          salt: Buffer.from(hashedMatch[1] ?? '', 'base64'),
          hash: Buffer.from(hashedMatch[2] ?? '', 'base64'),
        }
      : undefined;
    entries.push({
      marker,
      hosts: hashed ? [] : hostField.split(','),
      hashed,
      keyType,
      key,
      line: index + 1,
      path,
    });
  });
  return entries;
}

/** The name known_hosts stores for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type inside an SSH public key blob (its first length-prefixed string). */
export function keyTypeOfBlob(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || blob.length < 4 + length) return undefined;
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** `SHA256:<base64 without padding>` — what `ssh-keygen -lf` and ssh(1)'s prompt show. */
export function sha256Fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

function entryNamesHost(entry: KnownHostEntry, name: string): boolean {
  if (entry.hashed) {
    const hmac = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return hmac.equals(entry.hashed.hash);
  }
  return matchHostPatternList(name, entry.hosts) === 'match';
}

/** Outcome of checking one presented host key. */
export type HostKeyCheck =
  | { readonly kind: 'match'; readonly entry: KnownHostEntry }
  | { readonly kind: 'revoked'; readonly entries: readonly KnownHostEntry[] }
  | { readonly kind: 'changed'; readonly entries: readonly KnownHostEntry[] }
  | { readonly kind: 'unknown' };

/**
 * Checks `key` (the raw blob the server sent) for `host`:`port`. A revoked key is refused first;
 * then any entry with the same key passes; if the host has other keys listed, the key CHANGED.
 * Stricter than ssh(1) in one way: a host known only under other key types also counts as
 * changed, never as new — the connection asks for the known types first, so an honest server
 * presents one of them.
 */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  key: Buffer,
): HostKeyCheck {
  const name = knownHostsName(host, port);
  const forHost = entries.filter((e) => e.marker !== 'cert-authority' && entryNamesHost(e, name));
  const revoked = entries.filter((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked.length > 0) return { kind: 'revoked', entries: revoked };
  const candidates = forHost.filter((e) => e.marker === undefined);
  const match = candidates.find((e) => e.key.equals(key));
  if (match) return { kind: 'match', entry: match };
  return candidates.length > 0 ? { kind: 'changed', entries: candidates } : { kind: 'unknown' };
}

/** Key types listed for a host, in file order, to ask the server for those first. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  const types = entries
    .filter((e) => e.marker === undefined && entryNamesHost(e, name))
    .map((e) => e.keyType);
  return [...new Set(types)];
}

/** One known_hosts line for a newly accepted key, hashed like `HashKnownHosts yes` if asked. */
export function formatKnownHostsLine(host: string, port: number, key: Buffer, hash: boolean): string {
  const name = knownHostsName(host, port);
  const keyType = keyTypeOfBlob(key) ?? 'unknown';
  let hostField = name;
  if (hash) {
    const salt = randomBytes(20);
    const hmac = createHmac('sha1', salt).update(name).digest();
    hostField = `|1|${salt.toString('base64')}|${hmac.toString('base64')}`;
  }
  return `${hostField} ${keyType} ${key.toString('base64')}`;
}
