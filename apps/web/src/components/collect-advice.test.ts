import { describe, expect, it } from 'vitest';
import { collectAdvice, presentedFingerprint } from './collect-advice';

describe('collect advice', () => {
  it('says what to do for the collector\'s failure codes, nothing for unknown ones', () => {
    expect(collectAdvice('host-key-changed')).toMatch(/different key/);
    expect(collectAdvice('auth-failed')).toMatch(/authorized_keys/);
    expect(collectAdvice('something-else')).toBeNull();
  });

  it('reads the fingerprint an unknown host presents', () => {
    const m = "Host 10.0.0.5 is not in /root/.ssh/known_hosts; it presents ssh-ed25519 key SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU. Check that fingerprint";
    expect(presentedFingerprint(m)).toBe('SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU');
    expect(presentedFingerprint('connect ECONNREFUSED')).toBeNull();
  });
});
