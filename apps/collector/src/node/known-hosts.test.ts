import { describe, expect, it } from 'vitest';
import {
  checkHostKey,
  formatKnownHostsLine,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
  sha256Fingerprint,
} from './known-hosts.js';
import { decideHostKey, hostKeyAlgorithmOrder } from './host-key-policy.js';

// Fixtures generated with `ssh-keygen -t ed25519 / -t ecdsa -N ''`; fingerprints from
// `ssh-keygen -lf KEY.pub -E sha256`; the hashed line from `ssh-keygen -H` on "node-1.example KEY".
const ED25519 = 'AAAAC3NzaC1lZDI1NTE5AAAAIDlNy0UKXXKqj8ipfpo/q2sdKw00k0S4L7qvCyLPIile';
const ED25519_FP = 'SHA256:SrNK659PvvMgHQupM4tpNb0VQUEhH3bF/qhX8RJoI4I';
const ECDSA =
  'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBMkHLQkPkOyQSdxdrkH/+XrUj39nE2MIDc4/l2lq32+bTDobXeAk7LWfDXt6eykG43esgtJl/BD/v+sTTDE4uyA=';
const ECDSA_FP = 'SHA256:oLp6e8CYVpJTDsIgYrHgY3VCnp/HK19pXPikAPd5F3I';
const HASHED_NODE1 = '|1|PdIyPID3n7pfsVzw8QRX8mVgf+I=|71TYEGtcn/2/KdHewvgVDR7Bn0k=';
const ed = Buffer.from(ED25519, 'base64');
const ec = Buffer.from(ECDSA, 'base64');

const FILE = [
  '# comment',
  '',
  `10.0.0.1,node-a.example ssh-ed25519 ${ED25519}`,
  `[10.0.0.2]:2222 ecdsa-sha2-nistp256 ${ECDSA} some comment`,
  `${HASHED_NODE1} ssh-ed25519 ${ED25519}`,
  `*.lab.example,!bad.lab.example ssh-ed25519 ${ED25519}`,
  `@cert-authority *.example ssh-ed25519 ${ECDSA}`, // type mismatch with blob: skipped
  `@revoked * ecdsa-sha2-nistp256 ${ECDSA}`,
  'garbage line',
].join('\n');

describe('known_hosts', () => {
  const entries = parseKnownHosts(FILE, '/kh');

  it('parses plain, [host]:port, hashed and marked lines, skipping comments and garbage', () => {
    expect(
      entries.map((e) => [e.line, e.marker ?? '', e.hosts.join(','), e.keyType, e.hashed ? 'hashed' : '']),
    ).toEqual([
      [3, '', '10.0.0.1,node-a.example', 'ssh-ed25519', ''],
      [4, '', '[10.0.0.2]:2222', 'ecdsa-sha2-nistp256', ''],
      [5, '', '', 'ssh-ed25519', 'hashed'],
      [6, '', '*.lab.example,!bad.lab.example', 'ssh-ed25519', ''],
      [8, 'revoked', '*', 'ecdsa-sha2-nistp256', ''],
    ]);
  });

  it('computes SHA256 fingerprints exactly as ssh-keygen -lf does', () => {
    expect(sha256Fingerprint(ed)).toBe(ED25519_FP);
    expect(sha256Fingerprint(ec)).toBe(ECDSA_FP);
  });

  it('uses [host]:port only for ports other than 22', () => {
    expect(knownHostsName('10.0.0.1', 22)).toBe('10.0.0.1');
    expect(knownHostsName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
  });

  it.each([
    ['plain host in a list', 'node-a.example', 22, ed, 'match'],
    ['plain host is case-insensitive', 'NODE-A.example', 22, ed, 'match'],
    ['the same host on another port is a different host', '10.0.0.1', 2200, ed, 'unknown'],
    ['hashed entry from ssh-keygen -H', 'node-1.example', 22, ed, 'match'],
    ['wildcard pattern', 'w1.lab.example', 22, ed, 'match'],
    ['negated pattern vetoes the line', 'bad.lab.example', 22, ed, 'unknown'],
    [
      'known host, different key: changed',
      'node-a.example',
      22,
      Buffer.from(ED25519.replace('AAAAID', 'AAAAIE'), 'base64'),
      'changed',
    ],
    ['revoked key is refused for any host', '10.0.0.2', 2222, ec, 'revoked'],
    ['unknown host', 'other.example', 22, ed, 'unknown'],
  ] as const)('%s', (_name, host, port, key, kind) => {
    expect(checkHostKey(entries, host, port, key).kind).toBe(kind);
  });

  it('lists the known key types of a host so they can be asked for first', () => {
    expect(knownKeyTypes(entries, '10.0.0.2', 2222)).toEqual(['ecdsa-sha2-nistp256']);
    expect(hostKeyAlgorithmOrder(['ssh-rsa']).slice(0, 3)).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ]);
    expect(hostKeyAlgorithmOrder(['ecdsa-sha2-nistp256'])[0]).toBe('ecdsa-sha2-nistp256');
    expect(hostKeyAlgorithmOrder([])).toHaveLength(7);
  });

  it('formats plain and hashed lines that parse back and match', () => {
    for (const hash of [false, true]) {
      const line = formatKnownHostsLine('10.1.1.1', 2222, ed, hash);
      expect(line.startsWith(hash ? '|1|' : '[10.1.1.1]:2222 ')).toBe(true);
      const parsed = parseKnownHosts(line, '/new');
      expect(checkHostKey(parsed, '10.1.1.1', 2222, ed).kind).toBe('match');
      expect(checkHostKey(parsed, '10.1.1.1', 22, ed).kind).toBe('unknown');
    }
  });
});

describe('decideHostKey', () => {
  const who = { host: 'new.example', port: 22, hop: 1, knownHostsPaths: ['/kh'] };
  const entries = parseKnownHosts(`node-a.example ssh-ed25519 ${ED25519}`, '/kh');

  it('refuses an unknown host with its fingerprint, and accepts only that exact fingerprint', () => {
    const refused = decideHostKey(entries, who, ed, {});
    expect(refused.kind === 'refused' && refused.error.info).toMatchObject({
      code: 'host-key-unknown',
      fingerprint: ED25519_FP,
      hop: 1,
      keyType: 'ssh-ed25519',
    });
    // The user reads this: it names the CLI's flag and known_hosts, not the library's field.
    const message = refused.kind === 'refused' ? refused.error.message : '';
    expect(message).toContain(`--accept-host-key '${ED25519_FP}'`);
    expect(message).toContain('/kh');
    expect(message).not.toContain('acceptFingerprint');
    expect(decideHostKey(entries, who, ed, { acceptFingerprint: ECDSA_FP }).kind).toBe('refused');
    expect(decideHostKey(entries, who, ed, { acceptFingerprint: [ECDSA_FP, ED25519_FP] }).kind).toBe(
      'accepted-new',
    );
  });

  it('never lets acceptFingerprint override a changed key', () => {
    const changed = decideHostKey(entries, { ...who, host: 'node-a.example' }, ec, {
      acceptFingerprint: ECDSA_FP,
    });
    expect(changed.kind === 'refused' && changed.error.info).toMatchObject({
      code: 'host-key-changed',
      knownLines: ['/kh:1'],
      fingerprint: ECDSA_FP,
    });
  });
});
