import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowedKeyPath, hideServerPaths, sshKeyDirs } from './ssh-key-policy';

const home = mkdtempSync(join(tmpdir(), 'svcpath home '));
mkdirSync(join(home, '.ssh'));
writeFileSync(join(home, '.ssh', 'id_ed25519'), 'key');
const extra = mkdtempSync(join(tmpdir(), 'svcpath keys '));
writeFileSync(join(extra, 'deploy'), 'key');
symlinkSync('/etc/passwd', join(home, '.ssh', 'sneaky'));
const dirs = sshKeyDirs({ SVCPATH_SSH_KEY_DIRS: `${extra}:relative/ignored` }, home);

describe('SSH key files come only from the server’s configured places (issue 16)', () => {
  it('a file name in ~/.ssh or an allowlisted directory, or a path inside them', () => {
    expect(allowedKeyPath('id_ed25519', dirs, home)).toBe(join(home, '.ssh', 'id_ed25519'));
    expect(allowedKeyPath('~/.ssh/id_ed25519', dirs, home)).toBe(join(home, '.ssh', 'id_ed25519'));
    expect(allowedKeyPath('deploy', dirs, home)).toBe(join(extra, 'deploy'));
    expect(allowedKeyPath(join(extra, 'deploy'), dirs, home)).toBe(join(extra, 'deploy'));
  });

  it('anything else is refused alike, whether it exists or not: no oracle', () => {
    for (const p of ['/etc/shadow', '/etc/nope', '../../../etc/shadow', '~/.ssh/../.bashrc', 'sneaky', 'missing', join(home, 'x')]) expect(allowedKeyPath(p, dirs, home)).toBeNull();
  });

  it('messages lose the server’s paths', () => {
    expect(hideServerPaths('Cannot read private key /root/.ssh/id_rsa: EACCES')).toBe('Cannot read private key <server file>: EACCES');
    expect(hideServerPaths('host key added to ~/.ssh/known_hosts')).toBe('host key added to <server file>');
    expect(hideServerPaths('connected to 10.0.0.1:22 as core')).toBe('connected to 10.0.0.1:22 as core');
  });
});
